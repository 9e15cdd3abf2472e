/* Comfort for the forms, on top of pages that work without it (the server stays the authority):
   - the error summary takes focus, and its links (and links to a field from elsewhere, such as the
     review page's list of missing items) move focus to the field itself;
   - character counters where a field has a limit;
   - the municipality picker's filter box and chosen-municipality buttons;
   - the budget table: lines added and removed in place, live totals per year and in all.
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

  function init() {
    document.documentElement.classList.add("js");
    var source = document.getElementById("form-strings");
    if (source) {
      Object.keys(source.dataset).forEach(function (key) { strings[key] = source.dataset[key]; });
    }
    initCounters(document);
    document.querySelectorAll("[data-area-picker]").forEach(initAreaPicker);
    document.querySelectorAll("[data-budget]").forEach(initBudget);
    initErrorSummary();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
