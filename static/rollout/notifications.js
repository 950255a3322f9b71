// Rollout and sync notifications (halted, recalled, gate failed, resumed, sync failing/recovered...) as they happen: the tenant's
// events websocket (/ws/v1/events/) forwards them; each is shown as a banner on whatever page is open.
(function () {
  "use strict";
  var LABELS = {
    "rollout.halted": "Rollout halted",
    "gate.failed": "Health gate failed",
    "release.recalled": "Release recalled by the vendor",
    "rollout.rolled_back": "Rollout rolled back",
    "rollout.resumed": "Rollout resumed",
    "sync.failing": "Distribution sync failing",
    "sync.recovered": "Distribution sync recovered",
  };
  var GOOD = { "rollout.resumed": true, "sync.recovered": true };
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
  function connect(delay) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + "/ws/v1/events/");
    ws.onmessage = function (message) {
      try {
        var data = JSON.parse(message.data);
        // "hello" arrives once the server has joined this page to the tenant's events.
        if (data.type === "hello") document.documentElement.setAttribute("data-events", "live");
        if (data.type === "notify" && data.payload) banner(data.payload);
      } catch (e) { /* not ours */ }
    };
    ws.onclose = function () {
      document.documentElement.setAttribute("data-events", "closed");
      setTimeout(function () { connect(Math.min(delay * 2, 30000)); }, delay);
    };
  }
  if (window.WebSocket) connect(1000);
})();
