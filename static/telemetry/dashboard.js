// Live fleet dashboard: one websocket (/ws/v1/fleet/), a full snapshot on connect, then at most one
// update per tick with a sequence number; a gap in the sequence asks the server for a resync.
(function () {
  "use strict";
  var STATUSES = ["online", "offline", "crashed", "boot_loop", "silent", "recovering"];
  // Machine names said as words ("boot_loop" -> "boot loop"), as the server-rendered pages do.
  function words(value) { return String(value).replace(/_/g, " "); }
  var COLORS = { online: "#1e7a3c", offline: "#8a5a00", crashed: "#b3261e", boot_loop: "#7f1d1d", silent: "#6b21a8", recovering: "#1f5eff" };
  var root, socket, lastSeq = null, asOf = null, retry = 0, seriesChart = null, adoptionChart = null;

  function byId(id) { return document.getElementById(id); }
  function setText(el, value) { if (el) { el.textContent = String(value); } }

  function setConnection(state) {
    var el = byId("fleet-connection");
    if (!el) { return; }
    el.textContent = state;
    el.className = "conn conn-" + state;
    el.setAttribute("data-state", state);
    // lost the live stream: say so plainly, the figures on screen stop moving
    var degraded = byId("fleet-degraded");
    if (degraded) { degraded.hidden = state !== "reconnecting"; }
  }

  function pct(x) { return (Math.round(x * 1000) / 10) + " %"; }

  function cell(row, text) { var td = document.createElement("td"); td.textContent = String(text); row.appendChild(td); }

  function renderTables(snapshot) {
    var body = byId("fleet-content-body");
    if (body) {
      body.replaceChildren();
      snapshot.content.forEach(function (c) {
        var tr = document.createElement("tr");
        [words(c.category), c.version, c.hosts, pct(c.share), c.crashed_hosts, pct(c.crash_rate)].forEach(function (v) { cell(tr, v); });
        body.appendChild(tr);
      });
    }
    var pbody = byId("fleet-platform-body");
    if (pbody) {
      pbody.replaceChildren();
      Object.keys(snapshot.platforms).sort().forEach(function (name) {
        var p = snapshot.platforms[name];
        var tr = document.createElement("tr");
        cell(tr, name); cell(tr, p.total);
        STATUSES.forEach(function (s) { cell(tr, p.status[s] || 0); });
        pbody.appendChild(tr);
      });
    }
  }

  function renderCounts(snapshot) {
    setText(byId("fleet-total"), snapshot.total);
    setText(byId("fleet-crashes"), snapshot.crashes_last_hour);
    document.querySelectorAll("[data-status]").forEach(function (el) {
      setText(el, snapshot.status[el.getAttribute("data-status")] || 0);
    });
    asOf = Date.parse(snapshot.as_of);
    renderStaleness();
    renderTables(snapshot);
    renderAdoption(snapshot);
  }

  function renderStaleness() {
    var el = byId("fleet-staleness");
    if (!el || asOf === null || isNaN(asOf)) { return; }
    var age = Math.max(0, Math.round((Date.now() - asOf) / 1000));
    el.textContent = "as of " + age + " s ago";
    el.setAttribute("data-age", String(age));
  }

  function renderAdoption(snapshot) {
    if (!window.Chart) { return; }
    var labels = [], values = [];
    snapshot.sensor_builds.forEach(function (b) { labels.push("sensor " + b.platform + " " + b.build); values.push(b.hosts); });
    snapshot.content.forEach(function (c) { labels.push(words(c.category) + " " + c.version); values.push(c.hosts); });
    if (!adoptionChart) {
      adoptionChart = new window.Chart(byId("fleet-adoption-chart"), {
        type: "bar",
        data: { labels: labels, datasets: [{ label: "hosts", data: values, backgroundColor: "#1f5eff" }] },
        options: { indexAxis: "y", animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { y: { ticks: { autoSkip: false } } } }
      });
    } else {
      adoptionChart.data.labels = labels;
      adoptionChart.data.datasets[0].data = values;
      adoptionChart.update("none");
    }
  }

  // Chart axes use the zone every other time on the page uses (the user's, else the tenant's).
  var zoneMeta = document.querySelector('meta[name="console-timezone"]');
  var zone = zoneMeta ? zoneMeta.content : undefined;
  var minuteFormat;
  try {
    minuteFormat = new Intl.DateTimeFormat([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone });
  } catch (e) {
    minuteFormat = new Intl.DateTimeFormat([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }
  function minuteLabel(iso) { return minuteFormat.format(new Date(iso)); }

  function renderSeries(samples) {
    if (!window.Chart) { return; }
    var labels = samples.map(function (s) { return minuteLabel(s.minute); });
    var datasets = STATUSES.map(function (status) {
      return { label: words(status), data: samples.map(function (s) { return s.status[status] || 0; }), borderColor: COLORS[status], backgroundColor: COLORS[status], tension: 0.2, pointRadius: 2 };
    });
    if (seriesChart) { seriesChart.destroy(); }
    seriesChart = new window.Chart(byId("fleet-series-chart"), {
      type: "line", data: { labels: labels, datasets: datasets },
      options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } }
    });
    seriesChart.$minutes = samples.map(function (s) { return s.minute; });
  }

  function addPoint(point) {
    if (!seriesChart || !point) { return; }
    var minutes = seriesChart.$minutes;
    var last = minutes.length - 1;
    if (last >= 0 && minutes[last] === point.minute) {
      STATUSES.forEach(function (s, i) { seriesChart.data.datasets[i].data[last] = point.status[s] || 0; });
    } else {
      minutes.push(point.minute);
      seriesChart.data.labels.push(minuteLabel(point.minute));
      STATUSES.forEach(function (s, i) { seriesChart.data.datasets[i].data.push(point.status[s] || 0); });
      if (minutes.length > 60) {
        minutes.shift(); seriesChart.data.labels.shift();
        seriesChart.data.datasets.forEach(function (d) { d.data.shift(); });
      }
    }
    seriesChart.update("none");
  }

  function onMessage(event) {
    var msg = JSON.parse(event.data);
    if (msg.type === "fleet.snapshot") {
      lastSeq = msg.seq;
      renderCounts(msg.snapshot);
      renderSeries(msg.series || []);
    } else if (msg.type === "fleet.update") {
      if (lastSeq !== null && msg.seq <= lastSeq) { return; } // duplicate or late: already applied
      var gap = lastSeq !== null && msg.seq > lastSeq + 1;
      lastSeq = msg.seq;
      renderCounts(msg.snapshot);
      if (gap) {
        socket.send(JSON.stringify({ type: "resync" })); // missed updates: fetch the series again
      } else {
        addPoint(msg.point);
      }
    }
    setText(byId("fleet-seq"), lastSeq);
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    setConnection(retry ? "reconnecting" : "connecting");
    socket = new WebSocket(scheme + window.location.host + root.getAttribute("data-ws-path"));
    socket.addEventListener("open", function () { retry = 0; setConnection("live"); });
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", function (event) {
      if (event.code === 4403) { setConnection("forbidden"); return; }
      retry += 1;
      setConnection("reconnecting");
      window.setTimeout(connect, Math.min(30000, 500 * Math.pow(2, Math.min(retry, 6))));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = byId("fleet-root");
    if (!root) { return; }
    var stale = byId("fleet-staleness");
    if (stale) { asOf = Date.parse(stale.getAttribute("data-as-of")); renderStaleness(); }
    window.setInterval(renderStaleness, 1000);
    connect();
  });
})();
