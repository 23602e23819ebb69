// Evaluation dashboard charts. Data comes from the json_script block "chart-data" (CSP: no inline JS).
// Each <div data-chart="key"> gets the chart described by data[key]: {type, x, series, percent}.
(function () {
  "use strict";
  function option(spec) {
    var pct = !!spec.percent;
    var yAxis = { type: "value", max: pct ? 100 : null, axisLabel: { formatter: pct ? "{value}%" : "{value}" } };
    if (spec.type === "interval") {
      var s = spec.series[0];
      return {
        tooltip: { trigger: "axis" },
        grid: { left: 50, right: 20, top: 30, bottom: 60 },
        xAxis: { type: "category", data: spec.x, axisLabel: { rotate: 30 } },
        yAxis: yAxis,
        series: [
          { name: s.low_name || "下限", type: "line", stack: "ci", data: s.low, lineStyle: { opacity: 0 }, symbol: "none" },
          {
            name: s.band_name || "95%区间", type: "line", stack: "ci", symbol: "none", lineStyle: { opacity: 0 },
            areaStyle: { opacity: 0.25 },
            data: s.high.map(function (h, i) { return h === null || s.low[i] === null ? null : +(h - s.low[i]).toFixed(1); }),
          },
          { name: s.name, type: "scatter", data: s.data, symbolSize: 10 },
        ],
      };
    }
    return {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 60 },
      xAxis: { type: "category", data: spec.x, axisLabel: { rotate: spec.type === "bar" ? 30 : 0 } },
      yAxis: yAxis,
      series: spec.series.map(function (s) {
        return { name: s.name, type: spec.type === "bar" ? "bar" : "line", data: s.data, connectNulls: false };
      }),
    };
  }
  function init() {
    var node = document.getElementById("chart-data");
    if (!node || typeof echarts === "undefined") return;
    var data = JSON.parse(node.textContent);
    var els = document.querySelectorAll("[data-chart]");
    for (var i = 0; i < els.length; i++) {
      var spec = data[els[i].getAttribute("data-chart")];
      if (spec && spec.x && spec.x.length) echarts.init(els[i]).setOption(Object.assign({ animation: false }, option(spec)));
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
