/* The case officers' workspace, a comfort on top of pages that work without it:
 * - a <details data-remember="key"> panel (the queue's filters) opens as this officer left it
 *   (localStorage; the key carries the officer's id);
 * - j and k open the next and previous case of the queue (links marked data-shortcut), but only
 *   when the focus is not in a form field and no modifier key is held, so typing and the browser's
 *   and screen readers' own keys are left alone. */
(function () {
  "use strict";

  function store() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // storage disabled: the panel simply starts as the server renders it
    }
  }

  function remember() {
    var storage = store();
    document.querySelectorAll("details[data-remember]").forEach(function (panel) {
      var key = "delmos:" + panel.getAttribute("data-remember");
      var saved = storage && storage.getItem(key);
      // A panel the server opens (to show an error) stays open.
      if (saved === "open") panel.open = true;
      else if (saved === "closed" && !panel.querySelector(".errorlist, .error-summary")) panel.open = false;
      panel.addEventListener("toggle", function () {
        if (storage) storage.setItem(key, panel.open ? "open" : "closed");
      });
    });
  }

  function typing(element) {
    if (!element) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function shortcuts() {
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (typing(event.target) || typing(document.activeElement)) return;
      if (event.key !== "j" && event.key !== "k") return;
      var link = document.querySelector('a[data-shortcut="' + event.key + '"]');
      if (!link) return;
      event.preventDefault();
      window.location.assign(link.href);
    });
  }

  function start() {
    remember();
    shortcuts();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
