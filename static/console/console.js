// Console behaviour shared by every page. No inline scripts anywhere (CSP: script-src 'self').
(function () {
  "use strict";
  // htmx requests carry the CSRF token from the page's meta tag.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
  });
  // Forms and buttons with data-confirm ask before destructive actions.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  }, true);
  // After a post that re-renders a form: focus the first field in error, else the result the
  // post produced (a blast-radius preview), so keyboard and screen-reader users land on it.
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector('[aria-invalid="true"]') || document.querySelector("[data-focus-result]");
    if (target && document.querySelector("form [name=csrfmiddlewaretoken]") && window.performance) {
      var nav = performance.getEntriesByType("navigation")[0];
      if (!nav || nav.type !== "back_forward") { target.focus(); }
    }
  });
  // A table wider than its card scrolls inside it; keyboard users reach it to scroll it too.
  function scrollableTables() {
    document.querySelectorAll("table").forEach(function (table) {
      if (table.scrollWidth > table.clientWidth + 1) {
        if (!table.hasAttribute("tabindex")) { table.setAttribute("tabindex", "0"); }
      } else if (table.getAttribute("tabindex") === "0") { table.removeAttribute("tabindex"); }
    });
  }
  document.addEventListener("DOMContentLoaded", scrollableTables);
  window.addEventListener("resize", scrollableTables);
  document.addEventListener("htmx:afterSettle", scrollableTables);
  // Phone layout: the main navigation folds behind a Menu button.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest(".nav-toggle");
    if (!toggle) { return; }
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (nav) { nav.classList.toggle("open", open); }
  });
  // The menu marks the page the user is on (the longest menu path that starts the current one).
  document.addEventListener("DOMContentLoaded", function () {
    var best = null;
    document.querySelectorAll("#mainnav a[href]").forEach(function (a) {
      var path = a.getAttribute("href");
      var here = window.location.pathname;
      var matches = path === "/" ? here === "/" : here.indexOf(path) === 0;
      if (matches && (!best || path.length > best.getAttribute("href").length)) { best = a; }
    });
    if (best) { best.setAttribute("aria-current", "page"); }
  });
  // Times rendered as <time data-local datetime="..."> show in the viewer's locale as a tooltip.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("time[data-local]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (!isNaN(d)) { el.title = d.toLocaleString(); }
    });
  });
})();
