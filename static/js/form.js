/* Comfort for the forms, on top of pages that work without it (the server stays the authority):
   - the error summary takes focus, and its links (and links to a field from elsewhere, such as the
     review page's list of missing items) move focus to the field itself;
   - character counters where a field has a limit;
   - the municipality picker's filter box and chosen-municipality buttons;
   - the budget table: lines added and removed in place, live totals per year and in all;
   - nothing typed is lost: a warning before leaving with unsaved changes, a local copy in the
     browser (localStorage) while offline or while a save fails, saved again when the
     connection is back, and offered back on the next visit (saying when the server has a newer
     version).
   No inline script and no on* attributes (Content-Security-Policy); words come from
   #form-strings, translated by the server. */
(function () {
  "use strict";

  var strings = {};

  function say(key, value) {
    var text = strings[key] || "";
    return value === undefined ? text : text.replace("{n}", value);
  }

  function formatAmount(value) {
    return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
  }

  /* An amount as the server writes it in the page's language (#form-strings: "{n} kr" with
     spaces, or "SEK {n}" with commas). */
  function formatSek(value) {
    var pattern = strings.amount || "{n}\u00a0kr";
    var digits = formatAmount(value).replace(/\u00a0/g, strings.thousands || "\u00a0");
    return pattern.replace("{n}", digits);
  }

  /* The same reading as the server's parse_amount: spaces or dots between thousands, "kr". */
  function parseAmount(text) {
    var value = String(text || "").trim().toLowerCase();
    value = value.replace(/\s*(kr|sek|kronor|:-)\.?$/, "");
    value = value.replace(/[\s\u00a0\u202f\u2009']/g, "");
    if (/[,.]\d{2}$/.test(value)) value = value.replace(/[,.]00?$/, "");
    if (/^\d{1,3}(\.\d{3})+$/.test(value)) value = value.replace(/\./g, "");
    if (!/^\d+$/.test(value)) return null;
    return parseInt(value, 10);
  }

  function visible(element) {
    return !!(element.offsetWidth || element.offsetHeight || element.getClientRects().length);
  }

  /* Focus a field by id: the input itself, or the first control inside a group; closed
     disclosures around it are opened first. */
  function focusField(id) {
    var target = document.getElementById(id);
    if (!target) return false;
    var details = target.closest("details");
    while (details) {
      details.open = true;
      details = details.parentElement && details.parentElement.closest("details");
    }
    var focusable = target;
    if (!target.matches("input, select, textarea, button, a[href], [tabindex]")) {
      var candidates = target.querySelectorAll("input:not([type=hidden]), select, textarea, button");
      focusable = null;
      for (var i = 0; i < candidates.length; i++) {
        if (visible(candidates[i])) { focusable = candidates[i]; break; }
      }
      if (!focusable) {
        target.setAttribute("tabindex", "-1");
        focusable = target;
      }
    }
    var anchor = focusable.closest("fieldset, .field, td, tr") || focusable;
    focusable.focus({ preventScroll: true });
    anchor.scrollIntoView({ block: "start" });
    return document.activeElement === focusable;
  }

  function initErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
    document.addEventListener("click", function (event) {
      var link = event.target.closest(".error-summary a[href^='#'], .problems a[href^='#']");
      if (!link) return;
      if (focusField(link.getAttribute("href").slice(1))) event.preventDefault();
    });
    if (!summary && window.location.hash.length > 1) {
      var id = decodeURIComponent(window.location.hash.slice(1));
      var target = document.getElementById(id);
      if (target && target.closest("form")) {
        focusField(id);
        /* The browser's own move to the fragment (after load) focuses the body when the target
           is a group rather than a control: focus the group's first control after it. */
        var again = function () { window.setTimeout(function () { focusField(id); }, 0); };
        if (document.readyState === "complete") again();
        else window.addEventListener("load", again);
      }
    }
  }

  /* Character counters: the browser's maxlength would cut text off silently; instead the count
     is shown and the server refuses what is too long. */
  function initCounters(root) {
    var fields = root.querySelectorAll(".field textarea[maxlength], .field input[maxlength]");
    fields.forEach(function (field) {
      if (field.dataset.counted) return;
      field.dataset.counted = "1";
      var limit = parseInt(field.getAttribute("maxlength"), 10);
      if (!limit || limit < 50) return; /* short codes (numbers, postcodes) keep maxlength */
      field.removeAttribute("maxlength");
      field.dataset.maxlength = String(limit);
      var counter = document.createElement("p");
      counter.className = "char-count";
      counter.id = field.id + "_count";
      counter.setAttribute("aria-live", "polite");
      field.insertAdjacentElement("afterend", counter);
      var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      described.push(counter.id);
      field.setAttribute("aria-describedby", described.join(" "));
      var timer = null;
      function update() {
        var left = limit - field.value.length;
        var text;
        if (left >= 0) text = left === 1 ? say("charsOneLeft") : say("charsLeft", left);
        else text = left === -1 ? say("charsOneOver") : say("charsOver", -left);
        counter.textContent = text;
        counter.classList.toggle("char-count-over", left < 0);
      }
      update();
      field.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(update, 300);
      });
    });
  }

  /* The municipality picker. */
  function initAreaPicker(picker) {
    var filterBox = picker.querySelector("[data-area-filter]");
    var input = picker.querySelector("[data-area-filter-input]");
    var chosenBox = picker.querySelector("[data-area-chosen]");
    var chips = picker.querySelector("[data-area-chips]");
    var status = picker.querySelector("[data-area-status]");
    var counties = Array.prototype.slice.call(picker.querySelectorAll("[data-county]"));
    var boxes = Array.prototype.slice.call(picker.querySelectorAll("input[type=checkbox]"));
    filterBox.hidden = false;
    chosenBox.hidden = false;
    var remembered = counties.map(function (c) { return c.open; });

    function nameOf(box) {
      return box.closest("[data-area-option]").querySelector("[data-area-name]").textContent.trim();
    }

    function announce(text) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }

    function renderChips() {
      chips.textContent = "";
      var chosen = boxes.filter(function (b) { return b.checked; });
      if (!chosen.length) {
        var none = document.createElement("li");
        none.className = "help";
        none.textContent = say("areasNone");
        chips.appendChild(none);
      }
      chosen.forEach(function (box) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "chip";
        button.dataset.for = box.id;
        var label = document.createElement("span");
        label.textContent = nameOf(box);
        var cross = document.createElement("span");
        cross.className = "chip-x";
        cross.setAttribute("aria-hidden", "true");
        cross.textContent = "\u00d7";
        button.appendChild(label);
        button.appendChild(cross);
        button.setAttribute("aria-label", say("areaRemove", nameOf(box)));
        item.appendChild(button);
        chips.appendChild(item);
      });
      counties.forEach(function (county) {
        var count = county.querySelectorAll("input:checked").length;
        var badge = county.querySelector(".area-county-count");
        if (!badge) {
          badge = document.createElement("span");
          badge.className = "area-county-count";
          county.querySelector("summary").appendChild(badge);
        }
        badge.textContent = count ? " (" + count + ")" : "";
      });
    }

    chips.addEventListener("click", function (event) {
      var button = event.target.closest("button.chip");
      if (!button) return;
      var box = document.getElementById(button.dataset.for);
      var items = Array.prototype.slice.call(chips.querySelectorAll("button.chip"));
      var index = items.indexOf(button);
      box.checked = false;
      box.dispatchEvent(new Event("change", { bubbles: true }));
      var left = chips.querySelectorAll("button.chip");
      if (left.length) left[Math.min(index, left.length - 1)].focus();
      else if (input) input.focus();
      announce(say("areaRemoved", nameOf(box)));
    });

    picker.addEventListener("change", function (event) {
      if (event.target.type !== "checkbox") return;
      renderChips();
      if (event.isTrusted) {
        announce(say(event.target.checked ? "areaAdded" : "areaRemoved", nameOf(event.target)));
      }
    });

    var timer = null;
    function applyFilter() {
      var query = input.value.trim().toLocaleLowerCase("sv");
      var shown = 0;
      counties.forEach(function (county, index) {
        var countyName = county.querySelector(".area-county-name").textContent.toLocaleLowerCase("sv");
        var countyMatches = query && countyName.indexOf(query) !== -1;
        var any = false;
        county.querySelectorAll("[data-area-option]").forEach(function (option) {
          var name = option.querySelector("[data-area-name]").textContent.toLocaleLowerCase("sv");
          var match = !query || countyMatches || name.indexOf(query) !== -1;
          option.hidden = !match;
          if (match) { any = true; shown += 1; }
        });
        county.hidden = !any;
        county.open = query ? any : remembered[index] || !!county.querySelector("input:checked");
      });
      if (!query) { status.textContent = ""; return; }
      announce(shown === 0 ? say("filterNone") : shown === 1 ? say("filterOne") : say("filterShown", shown));
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(applyFilter, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); /* Enter in the filter must not submit the whole form */
        var first = boxes.filter(function (b) { return visible(b); })[0];
        if (first) first.focus();
      } else if (event.key === "Escape" && input.value) {
        input.value = "";
        applyFilter();
      }
    });
    counties.forEach(function (county, index) {
      county.addEventListener("toggle", function () {
        if (!input.value.trim()) remembered[index] = county.open;
      });
    });
    renderChips();
  }

  /* The budget table. */
  function initBudget(table) {
    var form = table.closest("form");
    var prefix = table.dataset.prefix || "form";
    var totalForms = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var maxForms = form.querySelector("#id_" + prefix + "-MAX_NUM_FORMS");
    var body = table.querySelector("[data-budget-rows]");
    var template = document.getElementById("budget-empty-row");
    var addButton = form.querySelector("[data-add-row]");
    var status = form.querySelector("[data-budget-status]");
    var warning = form.querySelector("[data-budget-warning]");
    var totals = form.querySelector("[data-budget-totals]");
    var max = parseInt(table.dataset.max, 10) || null;
    var serverWarning = warning ? warning.textContent.trim() : "";

    function rows() { return Array.prototype.slice.call(body.querySelectorAll("[data-budget-row]")); }

    function renumber() {
      rows().forEach(function (row, index) {
        row.querySelectorAll("input, select, textarea, label, ul.errorlist").forEach(function (el) {
          ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
            var value = el.getAttribute(attr);
            if (value) el.setAttribute(attr, value.replace(new RegExp(prefix + "-(\\d+|__prefix__)-", "g"), prefix + "-" + index + "-"));
          });
        });
        row.querySelectorAll("[data-row-number]").forEach(function (span) { span.textContent = String(index + 1); });
      });
      totalForms.value = String(rows().length);
      if (addButton && maxForms) addButton.disabled = rows().length >= parseInt(maxForms.value, 10);
    }

    function update() {
      var total = 0;
      var perYear = {};
      totals.querySelectorAll("[data-year-total]").forEach(function (cell) { perYear[cell.dataset.yearTotal] = 0; });
      rows().forEach(function (row) {
        var amountInput = row.querySelector(".budget-amount input");
        var amount = amountInput ? parseAmount(amountInput.value) : null;
        if (amount === null) return;
        total += amount;
        var year = row.querySelector(".budget-year select");
        if (year && year.value && perYear.hasOwnProperty(year.value)) perYear[year.value] += amount;
      });
      totals.querySelector("[data-total]").textContent = formatSek(total);
      Object.keys(perYear).forEach(function (year) {
        totals.querySelector("[data-year-total='" + year + "']").textContent = formatSek(perYear[year]);
      });
      if (warning) {
        var over = max !== null && total > max;
        warning.textContent = over ? say("overMax", formatSek(total)) + ", " + formatSek(max) + "." : serverWarning;
        warning.hidden = !warning.textContent;
      }
      return total;
    }

    function announce(text) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }

    function addRow() {
      var index = rows().length;
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      body.insertAdjacentHTML("beforeend", html);
      var row = rows()[index];
      row.querySelector("[data-remove-row]").hidden = false;
      renumber();
      row.querySelector("select, input").focus();
      announce(say("rowAdded", index + 1));
    }

    table.querySelectorAll("[data-remove-row]").forEach(function (button) { button.hidden = false; });
    if (addButton) {
      addButton.hidden = false;
      addButton.addEventListener("click", addRow);
    }
    body.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-row]");
      if (!button) return;
      var row = button.closest("[data-budget-row]");
      var all = rows();
      var index = all.indexOf(row);
      row.remove();
      if (!rows().length) addRow();
      renumber();
      var total = update();
      var remaining = rows();
      var next = remaining[Math.min(index, remaining.length - 1)];
      (next.querySelector("[data-remove-row]") || addButton).focus();
      announce(say("rowRemoved", formatSek(total)));
      form.dispatchEvent(new Event("change", { bubbles: true }));
    });
    body.addEventListener("input", update);
    body.addEventListener("change", update);
    body.addEventListener("focusout", function (event) {
      if (!event.target.closest(".budget-amount")) return;
      var amount = parseAmount(event.target.value);
      if (amount !== null) event.target.value = formatAmount(amount).replace(/\u00a0/g, " ");
    });
    renumber();
    update();
  }

  /* The award list: the municipality choices follow the chosen county. The server sends every
     county's municipalities, grouped by county (what a visitor without JavaScript gets); here
     only the chosen county's group stays in the list, and the chosen municipality's. A native
     select, so keyboard and screen reader use stay the browser's own. */
  function narrowMunicipalities() {
    var county = document.getElementById("id_county");
    var select = document.getElementById("id_municipality");
    if (!county || !select || !select.querySelector("optgroup, option")) return;
    if (!select.municipalityGroups) {
      select.municipalityGroups = Array.prototype.slice.call(select.querySelectorAll("optgroup"));
    }
    var code = county.value;
    var chosen = select.value;
    select.municipalityGroups.forEach(function (group) { if (group.parentNode) group.remove(); });
    select.municipalityGroups.forEach(function (group) {
      var first = group.querySelector("option");
      var inCounty = !code || (first && first.value.slice(0, 2) === code);
      var holdsChosen = chosen && Array.prototype.some.call(group.children, function (option) {
        return option.value === chosen;
      });
      if (inCounty || holdsChosen) select.appendChild(group);
    });
    select.value = chosen;
  }

  /* Nothing typed is lost. The server stores every save, valid or not (issue 10); what it has
     not acknowledged yet (offline, a failed request, a closed tab) stays in localStorage under
     the page's address until a save answers "Delmos-Saved", and is offered back on return. */
  var CONTROL_FIELDS = { csrfmiddlewaretoken: 1, version: 1, editor: 1, then: 1 };

  function formValues(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || CONTROL_FIELDS[el.name] || el.disabled) return;
      if (/^(file|submit|button|reset)$/.test(el.type)) return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      (values[el.name] = values[el.name] || []).push(el.value);
    });
    return values;
  }

  function sameValues(a, b) {
    var keys = {};
    Object.keys(a).concat(Object.keys(b)).forEach(function (k) { keys[k] = 1; });
    return Object.keys(keys).every(function (k) {
      return JSON.stringify(a[k] || []) === JSON.stringify(b[k] || []);
    });
  }

  function applyValues(form, values) {
    var total = form.querySelector("input[name$='-TOTAL_FORMS']");
    var add = form.querySelector("[data-add-row]");
    if (total && add && values[total.name]) {
      var wanted = parseInt(values[total.name][0], 10) || 0;
      for (var i = parseInt(total.value, 10); i < wanted && !add.disabled; i++) add.click();
    }
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || CONTROL_FIELDS[el.name] || /^(file|submit|button|reset|hidden)$/.test(el.type)) return;
      var list = values[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = list.indexOf(el.value) !== -1;
      } else {
        var index = seen[el.name] || 0;
        seen[el.name] = index + 1;
        el.value = index < list.length ? list[index] : "";
      }
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  /* After an autosave the server says which fields are in error (#autosave-errors, swapped in
     out of band): each gets its message beside it, as the page would render it, and fields
     that are valid again lose theirs. */
  function showFieldErrors(form) {
    var source = document.getElementById("autosave-errors");
    if (!source) return;
    var prefix = say("errorPrefix");
    var wanted = {};
    source.querySelectorAll("p[data-id]").forEach(function (item) {
      wanted[item.dataset.id + "_error"] = item;
    });
    form.querySelectorAll("ul.errorlist[id$='_error']").forEach(function (list) {
      if (wanted[list.id]) return;
      var holder = list.closest(".field, td");
      list.remove();
      if (holder) holder.classList.remove("field-invalid");
    });
    Object.keys(wanted).forEach(function (listId) {
      var item = wanted[listId];
      var input = document.getElementById(item.dataset.id) ||
        form.querySelector("[name='" + item.dataset.name + "']");
      if (!input) return;
      var holder = input.closest(".field, td") || input.parentElement;
      var list = document.getElementById(listId);
      if (!list) {
        list = document.createElement("ul");
        list.className = "errorlist";
        list.id = listId;
        var after = holder.querySelector(".help") || holder.querySelector("label, legend");
        if (after && after.parentElement === holder) after.insertAdjacentElement("afterend", list);
        else holder.insertBefore(list, holder.firstChild);
        var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        if (described.indexOf(listId) === -1) described.push(listId);
        input.setAttribute("aria-describedby", described.join(" "));
      }
      list.textContent = "";
      var li = document.createElement("li");
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = prefix + " ";
      li.appendChild(hidden);
      li.appendChild(document.createTextNode(item.textContent));
      list.appendChild(li);
      holder.classList.add("field-invalid");
    });
  }

  function readCopy(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function initDraftKeeping(form) {
    var key = "delmos-draft:" + window.location.pathname;
    var status = function () { return document.getElementById("save-status"); };
    var version = function () {
      var input = document.getElementById("version-input");
      return input ? parseInt(input.value, 10) || 0 : 0;
    };
    var edits = 0;
    var sent = 0;
    var dirty = false;
    var leaving = false;
    var retry = null;

    function keep() {
      try {
        window.localStorage.setItem(key, JSON.stringify({
          values: formValues(form), base: version(), at: Date.now(), sent: leaving
        }));
      } catch (e) { /* storage full or refused: the warning before leaving still guards */ }
    }

    function forget() {
      try { window.localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
    }

    function saveAgain() {
      window.clearTimeout(retry);
      retry = null;
      if (dirty && window.htmx) window.htmx.trigger(form, "change");
    }

    function failed() {
      keep();
      var element = status();
      if (element) {
        element.className = "save-status save-failed";
        element.textContent = navigator.onLine === false ? say("notSavedOffline") : say("notSavedError");
      }
      window.clearTimeout(retry);
      retry = window.setTimeout(saveAgain, 10000);
    }

    function edited(event) {
      if (event.target === form) return; /* our own nudge to save again */
      edits += 1;
      dirty = true;
      keep();
    }
    form.addEventListener("input", edited);
    form.addEventListener("change", edited);
    form.addEventListener("htmx:beforeRequest", function () { sent = edits; });
    form.addEventListener("htmx:afterRequest", function (event) {
      var xhr = event.detail.xhr;
      if (event.detail.successful && xhr && xhr.getResponseHeader("Delmos-Saved")) {
        if (edits === sent) { dirty = false; forget(); }
        showFieldErrors(form);
        return;
      }
      if (!event.detail.successful || !xhr || xhr.status === 0) failed();
      /* otherwise a conflict: the status says so, and the copy stays until it is resolved */
    });
    form.addEventListener("htmx:sendError", failed);
    document.body.addEventListener("htmx:afterSettle", function () { showFieldErrors(form); });
    form.addEventListener("submit", function () { leaving = true; keep(); });
    window.addEventListener("online", saveAgain);
    window.addEventListener("offline", function () { if (dirty) failed(); });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty || leaving) return;
      keep();
      event.preventDefault();
      event.returnValue = "";
    });

    var copy = readCopy(key);
    if (!copy || !copy.values) return;
    /* A copy the server already has (the form shows it), or one sent by the Save button that
       the server acknowledged with a newer version, is done with. */
    if (sameValues(copy.values, formValues(form)) || (copy.sent && version() > copy.base)) {
      forget();
      return;
    }
    offerCopy(form, copy, version() > copy.base, function restore() {
      applyValues(form, copy.values);
      edits += 1;
      dirty = true;
      keep();
      if (version() <= copy.base) saveAgain();
    }, function discard() { forget(); });
  }

  function offerCopy(form, copy, newer, restore, discard) {
    var box = document.createElement("div");
    box.className = "local-copy";
    box.id = "local-copy";
    box.setAttribute("role", "region");
    box.setAttribute("aria-labelledby", "local-copy-title");
    var title = document.createElement("h2");
    title.id = "local-copy-title";
    title.textContent = say("copyTitle");
    var when = new Date(copy.at);
    var text = document.createElement("p");
    text.textContent = say("copyKept", when.toLocaleString(document.documentElement.lang || undefined));
    box.appendChild(title);
    box.appendChild(text);
    if (newer) {
      var warning = document.createElement("p");
      warning.className = "local-copy-newer";
      warning.textContent = say("copyNewer");
      box.appendChild(warning);
    }
    var actions = document.createElement("p");
    var restoreButton = document.createElement("button");
    restoreButton.type = "button";
    restoreButton.className = "button";
    restoreButton.textContent = say("copyRestore");
    var discardButton = document.createElement("button");
    discardButton.type = "button";
    discardButton.className = "button button-secondary";
    discardButton.textContent = say("copyDiscard");
    actions.appendChild(restoreButton);
    actions.appendChild(document.createTextNode(" "));
    actions.appendChild(discardButton);
    box.appendChild(actions);
    var live = document.createElement("p");
    live.setAttribute("role", "status");
    box.appendChild(live);
    restoreButton.addEventListener("click", function () {
      restore();
      actions.remove();
      live.textContent = newer ? say("copyRestoredNewer") : say("copyRestored");
    });
    discardButton.addEventListener("click", function () {
      discard();
      box.remove();
      form.querySelector("input:not([type=hidden]), textarea, select").focus();
    });
    form.parentNode.insertBefore(box, form);
  }

  function init() {
    document.documentElement.classList.add("js");
    narrowMunicipalities();
    document.addEventListener("change", function (event) {
      if (event.target.id === "id_county") narrowMunicipalities();
    });
    document.addEventListener("htmx:afterSettle", narrowMunicipalities);
    var source = document.getElementById("form-strings");
    if (source) {
      Object.keys(source.dataset).forEach(function (key) { strings[key] = source.dataset[key]; });
    }
    initCounters(document);
    document.querySelectorAll("[data-area-picker]").forEach(initAreaPicker);
    document.querySelectorAll("[data-budget]").forEach(initBudget);
    document.querySelectorAll("form[data-autosave]").forEach(initDraftKeeping);
    initErrorSummary();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
