// Draws the survey results' charts (horizontal bars) from the JSON in #survey-charts, made
// by surveys.results_views. Every figure is also in the table under its chart; a bar left
// out (null) is a figure suppressed for too few answers.
(function () {
  "use strict";
  var source = document.getElementById("survey-charts");
  if (!source || typeof window.Chart === "undefined") return;
  var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    maximumFractionDigits: 2,
  });
  JSON.parse(source.textContent).forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) return;
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: spec.datasets },
      options: {
        indexAxis: "y",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: {
            min: spec.min,
            max: spec.max,
            stacked: spec.stacked,
            title: { display: true, text: spec.axis },
            ticks: { callback: function (value) { return numbers.format(value); } },
          },
          y: { stacked: spec.stacked },
        },
        plugins: {
          legend: { display: spec.datasets.length > 1 },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + numbers.format(item.parsed.x);
              },
            },
          },
        },
      },
    });
    canvas.dataset.rendered = "true";
  });
})();
