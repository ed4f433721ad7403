// The dashboards' charts: each <canvas data-chart="id"> is drawn from the JSON in the
// <script id="id" type="application/json"> beside it (Django's json_script), so no figure is
// written into JavaScript. Tall horizontal charts grow with their number of bars.
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var config = JSON.parse(source.textContent);
    var bars = (config.data && config.data.labels) ? config.data.labels.length : 0;
    if (config.options && config.options.indexAxis === "y" && bars > 10) {
      canvas.parentElement.style.height = (bars * 22 + 80) + "px";
      config.options.maintainAspectRatio = false;
    }
    canvas.chart = new Chart(canvas, config);
  });
})();
