/* The dashboard's charts: each box names the JSON block holding its ECharts option (built
   on the server, admin_views/charts.py). The charts follow the window's size (the options'
   media rules fit them to a phone); on a wide screen the figures' tables start open. */
(function () {
  "use strict";
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (box) {
    var option = JSON.parse(document.getElementById(box.dataset.chart).textContent);
    var chart = echarts.init(box, null, {locale: box.dataset.locale || "ZH"});
    chart.setOption(option);
    charts.push(chart);
  });
  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.cancelAnimationFrame(pending); }
    pending = window.requestAnimationFrame(function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  });
  if (window.matchMedia("(min-width: 768px)").matches) {
    document.querySelectorAll("details.chart-data").forEach(function (details) {
      details.open = true;
    });
  }
})();
