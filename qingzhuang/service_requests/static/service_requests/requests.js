document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-select]").forEach(function (i) {
    i.addEventListener("focus", function () { i.select(); });
  });
});
