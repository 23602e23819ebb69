// Evaluation dashboard charts. Data comes from the json_script block "chart-data" (CSP: no inline JS).
// Each <div data-chart="key"> gets the chart described by data[key]: {type, x, series, percent}.
// Every text shown (series names, interval label) comes from the server in the page language.
(function () {
  "use strict";
  // Bars of one category share this layout; the error bars are drawn at the same offsets.
  var CATEGORY_GAP = 0.3;
  var BAR_GAP = 0.1;

  // Rotated category labels hang to the left of their tick, and containLabel does not count
  // that overhang: leave room for the first label (estimated at 12px per CJK character).
  // The y-axis labels ("100%" or small counts) already give some of that room.
  function leftRoom(x, rotate, pct) {
    if (!rotate || !x.length) return 10;
    var w = 0;
    for (var i = 0; i < String(x[0]).length; i++) w += String(x[0]).charCodeAt(i) > 255 ? 12 : 7;
    return Math.max(10, Math.ceil(w * Math.cos((rotate * Math.PI) / 180)) - (pct ? 30 : 8));
  }

  function fmt(v, pct) {
    return v === null || v === undefined ? "—" : v + (pct ? "%" : "");
  }

  // A custom series drawing one whisker (low..high with caps) per category for bar `index` of `count`.
  function whiskers(index, count) {
    return function (params, api) {
      var lo = api.value(1);
      var hi = api.value(2);
      if (isNaN(lo) || isNaN(hi)) return null;
      var band = api.size([1, 0])[0];
      var w = (band * (1 - CATEGORY_GAP)) / (count + (count - 1) * BAR_GAP);
      var total = count * w + (count - 1) * w * BAR_GAP;
      var base = api.coord([api.value(0), lo]);
      var x = base[0] - total / 2 + index * w * (1 + BAR_GAP) + w / 2;
      var yLo = base[1];
      var yHi = api.coord([api.value(0), hi])[1];
      var cap = Math.max(2, w * 0.3);
      var style = { stroke: "#333", lineWidth: 1.2 };
      return {
        type: "group",
        children: [
          { type: "line", shape: { x1: x, y1: yLo, x2: x, y2: yHi }, style: style },
          { type: "line", shape: { x1: x - cap, y1: yLo, x2: x + cap, y2: yLo }, style: style },
          { type: "line", shape: { x1: x - cap, y1: yHi, x2: x + cap, y2: yHi }, style: style },
        ],
      };
    };
  }

  function errorBars(spec, yAxis, rotate) {
    var n = spec.series.length;
    var series = [];
    spec.series.forEach(function (s, i) {
      series.push({
        name: s.name, type: "bar", data: s.data,
        barGap: BAR_GAP * 100 + "%", barCategoryGap: CATEGORY_GAP * 100 + "%",
      });
      var points = [];
      s.low.forEach(function (lo, j) {
        if (lo !== null && s.high[j] !== null) points.push([j, lo, s.high[j]]);
      });
      series.push({
        name: s.name, type: "custom", renderItem: whiskers(i, n), data: points,
        encode: { x: 0, y: [1, 2] }, z: 10, silent: true, tooltip: { show: false },
      });
    });
    return {
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (params) {
          var j = params.length ? params[0].dataIndex : 0;
          var lines = [spec.x[j]];
          spec.series.forEach(function (s) {
            lines.push(s.name + ": " + fmt(s.data[j], spec.percent) +
              (s.low[j] === null ? "" : " (" + spec.band_name + " " + s.low[j] + "–" + fmt(s.high[j], spec.percent) + ")"));
          });
          return lines.map(function (t) { return echarts.format.encodeHTML(String(t)); }).join("<br>");
        },
      },
      legend: { type: "scroll", top: 0, data: spec.series.map(function (s) { return s.name; }) },
      grid: { left: leftRoom(spec.x, rotate, true), right: 20, top: 40, bottom: 10, containLabel: true },
      xAxis: { type: "category", data: spec.x, axisLabel: { rotate: rotate, interval: 0 } },
      yAxis: yAxis,
      series: series,
    };
  }

  // narrow (phone) charts turn category labels further so that neighbours do not overlap
  function option(spec, width) {
    var pct = !!spec.percent;
    var yAxis = { type: "value", max: pct ? 100 : null, axisLabel: { formatter: pct ? "{value}%" : "{value}" } };
    var turn = width && width < 600 ? 60 : 30;
    if (spec.type === "error_bars") return errorBars(spec, yAxis, turn);
    var rotate = spec.type === "bar" ? turn : 0;
    return {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: leftRoom(spec.x, rotate, pct), right: 20, top: 40, bottom: 10, containLabel: true },
      xAxis: { type: "category", data: spec.x, axisLabel: { rotate: rotate } },
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
      if (spec && spec.x && spec.x.length) {
        echarts.init(els[i]).setOption(Object.assign({ animation: false }, option(spec, els[i].clientWidth)));
      }
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
