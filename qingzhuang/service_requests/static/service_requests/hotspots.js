document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("hot-chart");
  var data = document.getElementById("chart-data");
  if (!el || !data || !window.echarts) { return; }
  var rows = JSON.parse(data.textContent);
  if (!rows.length) { return; }
  var labels = Object.keys(rows[0].weeks);
  var chart = window.echarts.init(el);
  chart.setOption({ animation: false,
    tooltip: {trigger: "axis"}, legend: {type: "scroll"},
    xAxis: {type: "category", data: labels}, yAxis: {type: "value", minInterval: 1},
    series: rows.map(function (r) { return {name: r.name, type: "line", data: labels.map(function (k) { return r.weeks[k]; })}; })
  });
});
