// Small behaviours for every page. No inline scripts anywhere (CSP: script-src 'self').
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
    }
  });
  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("[data-toggle],[data-large-text],[data-confirm]") : null;
    if (!el) return;
    if (el.hasAttribute("data-toggle")) {
      var target = document.querySelector(el.getAttribute("data-toggle"));
      if (target) {
        target.classList.toggle("open");
        el.setAttribute("aria-expanded", target.classList.contains("open") ? "true" : "false");
      }
    } else if (el.hasAttribute("data-large-text")) {
      var on = !document.body.classList.contains("large-text");
      document.body.classList.toggle("large-text", on);
      document.cookie = "qz_large_text=" + (on ? "1" : "0") + "; path=/; max-age=31536000; SameSite=Lax";
    } else if (el.hasAttribute("data-confirm")) {
      if (!window.confirm(el.getAttribute("data-confirm"))) e.preventDefault();
    }
  });
  // one menu group open at a time; a click elsewhere closes it
  document.addEventListener("toggle", function (e) {
    var el = e.target;
    if (!el.classList || !el.classList.contains("navgroup") || !el.open) return;
    document.querySelectorAll("details.navgroup[open]").forEach(function (d) {
      if (d !== el) d.open = false;
    });
  }, true);
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("details.navgroup")) return;
    document.querySelectorAll("details.navgroup[open]").forEach(function (d) { d.open = false; });
  });
})();
