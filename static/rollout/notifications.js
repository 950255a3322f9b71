// Rollout and sync notifications (halted, recalled, gate failed, resumed, sync failing/recovered...) as they happen: the tenant's
// events websocket (/ws/v1/events/) forwards them; each is shown as a banner on whatever page is open.
// The same events tell the page's htmx fragments to re-read themselves (no HTML is built here):
//   rollout-changed-<id>  the live part of that rollout's page
//   rollouts-changed      the rollouts list and the dashboard overview
//   inbox-changed         the notification bell
//   live-resync           all of them, after the socket reconnects (events may have been missed)
// and it ticks the countdowns (data-countdown-to) of soak ends.
(function () {
  "use strict";
  var LABELS = {
    "rollout.halted": "Rollout halted",
    "gate.failed": "Health gate failed",
    "release.recalled": "Release recalled by the vendor",
    "rollout.rolled_back": "Rollout rolled back",
    "rollout.resumed": "Rollout resumed",
    "rollout.paused": "Paused",
    "sync.failing": "Distribution sync failing",
    "sync.recovered": "Distribution sync recovered",
  };
  var GOOD = { "rollout.resumed": true, "sync.recovered": true };
  function fire(name, detail) {
    document.body.dispatchEvent(new CustomEvent(name, { detail: detail || {} }));
  }
  function refresh(payload) {
    var rollout = payload.rollout || {};
    if (rollout.id) fire("rollout-changed-" + rollout.id, payload);
    if (payload.event !== "notifications.read") fire("rollouts-changed", payload);
    if (LABELS[payload.event] || payload.event === "notifications.read") fire("inbox-changed", payload);
  }
  function banner(payload) {
    var label = LABELS[payload.event];
    if (!label) return;
    var main = document.getElementById("main");
    if (!main) return;
    var box = document.getElementById("rollout-notifications");
    if (!box) {
      box = document.createElement("div");
      box.id = "rollout-notifications";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      main.insertBefore(box, main.firstChild);
    }
    var item = document.createElement("p");
    item.className = "banner " + (GOOD[payload.event] ? "badge-ok" : "badge-danger");
    item.setAttribute("data-testid", "rollout-notification");
    var rollout = payload.rollout || {};
    var text = label + ": " + (rollout.subject || payload.category || "") + " " + (rollout.version || payload.release || "");
    if (payload.pause) {
      var pause = payload.pause;
      var scope = pause.group ? "group " + pause.group : pause.category ? pause.category.replace(/_/g, " ") : pause.scope === "sensor" ? "sensor updates" : "everything";
      text = (payload.event === "rollout.resumed" ? "Pause ended" : "Paused") + ": " + scope;
    }
    if (payload.reason) text += " (" + payload.reason + ")";
    if (payload.event && payload.event.indexOf("sync.") === 0) {
      text = label + ": desired revision " + payload.desired_revision + (payload.last_error ? " (" + payload.last_error + ")" : "");
    }
    item.textContent = text;
    if (payload.event && payload.event.indexOf("sync.") === 0) {
      var sync = document.createElement("a");
      sync.href = "/rollout/sync/";
      sync.textContent = " Sync status";
      item.appendChild(sync);
    }
    if (rollout.id) {
      var link = document.createElement("a");
      link.href = "/rollout/rollouts/" + rollout.id + "/";
      link.textContent = " Details";
      item.appendChild(link);
    }
    box.insertBefore(item, box.firstChild);
  }
  var dropped = false;
  function connect(delay) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + "/ws/v1/events/");
    ws.onopen = function () {
      if (dropped) fire("live-resync");
      dropped = false;
      document.body.setAttribute("data-events", "live");
    };
    ws.onmessage = function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (e) { return; /* not ours */ }
      if (data.type === "notify" && data.payload) {
        banner(data.payload);
        refresh(data.payload);
      }
    };
    ws.onclose = function () {
      dropped = true;
      document.body.removeAttribute("data-events");
      setTimeout(function () { connect(Math.min(delay * 2, 30000)); }, delay);
    };
  }
  function left(seconds) {
    if (seconds <= 0) return "ended";
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    if (h) return "in " + h + " h " + m + " min";
    if (m) return "in " + m + " min " + s + " s";
    return "in " + s + " s";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown-to]").forEach(function (el) {
      var end = Date.parse(el.getAttribute("data-countdown-to"));
      if (!isNaN(end)) el.textContent = left(Math.round((end - now) / 1000));
    });
  }
  if (window.WebSocket) connect(1000);
  tick();
  setInterval(tick, 1000);
})();
