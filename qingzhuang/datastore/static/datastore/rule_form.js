// Rule form: show only the fields the chosen rule kind uses (the server checks them all anyway).
(function () {
  "use strict";
  var form = document.querySelector("form[data-rule-form]");
  if (!form) return;
  function sync() {
    var checked = form.querySelector("input[name=kind]:checked");
    var kind = checked ? checked.value : "";
    form.querySelectorAll("[data-kinds]").forEach(function (row) {
      row.hidden = row.getAttribute("data-kinds").split(" ").indexOf(kind) < 0;
    });
  }
  form.addEventListener("change", function (e) {
    if (e.target && e.target.name === "kind") sync();
  });
  sync();
})();
