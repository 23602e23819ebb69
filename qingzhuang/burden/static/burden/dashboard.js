// Burden dashboard charts; the data comes from the json_script block (no inline JS: CSP).
(function () {
  "use strict";
  function init() {
    var node = document.getElementById("chart-data");
    if (!node || typeof echarts === "undefined") return;
    var data = JSON.parse(node.textContent);
    function stacked(id, series) {
      var el = document.getElementById(id);
      if (!el) return;
      echarts.init(el).setOption({ animation: false,
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", top: 0 },
        grid: { left: 50, right: 20, top: 40, bottom: 30 },
        xAxis: { type: "category", data: data.months },
        yAxis: { type: "value", name: data.hours_label || "小时" },
        series: series.map(function (s) {
          return { name: s.name, type: "bar", stack: "h", data: s.data };
        }),
      });
    }
    function bars(id, items) {
      var el = document.getElementById(id);
      if (!el) return;
      echarts.init(el).setOption({ animation: false,
        tooltip: {},
        // containLabel: the grid grows to fit long rule titles instead of cutting them off.
        grid: { left: 10, right: 20, top: 10, bottom: 30, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: items.map(function (i) { return i.name; }),
          // A long (English) title ends in "…" rather than squeezing the bars on a phone; the
          // tooltip and the table below give it in full.
          axisLabel: { width: Math.max(120, Math.round(el.clientWidth * 0.45)), overflow: "truncate" } },
        series: [{ type: "bar", data: items.map(function (i) { return i.value; }) }],
      });
    }
    stacked("chart-issuer", data.issuers);
    stacked("chart-kind", data.kinds);
    bars("chart-findings", data.findings);
    bars("chart-redundant", data.redundant);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
