// Exposure forecast chart: hosts that have the release, hour by hour (and, on a policy preview, as
// they would without the change). Data comes from a json_script element; no inline script (CSP).
(function () {
  "use strict";
  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-forecast"));
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var sets = [{ label: "", data: data.hosts, borderColor: "#1f5eff", stepped: true, pointRadius: 0 }];
    sets[0].label = data.before ? "after the change" : "hosts with " + data.version;
    if (data.before) {
      sets.push({ label: "now", data: data.before, borderColor: "#8a8a8a", borderDash: [4, 4], stepped: true, pointRadius: 0 });
    }
    new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: sets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, suggestedMax: data.total, title: { display: true, text: "hosts" } } },
        plugins: { legend: { display: true } }
      }
    });
    canvas.setAttribute("data-drawn", "true");
  }
  function init() { document.querySelectorAll("canvas[data-forecast]").forEach(draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
