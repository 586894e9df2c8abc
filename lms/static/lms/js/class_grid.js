// Live class progress grid: one websocket per page, small messages, no library.
// Each message carries the group's sequence number; a gap (a message missed while
// reconnecting) reloads the grid fragment instead of guessing.
(function () {
  "use strict";
  var holder = document.getElementById("grid-holder");
  if (!holder || !window.WebSocket) { return; }
  var labels = JSON.parse(document.getElementById("grid-status-labels").textContent);
  var announcer = document.getElementById("grid-announcer");
  var state = document.getElementById("grid-live-state");
  var lastSeq = null;
  var delay = 1000;
  var openedBefore = false;
  var DONE = { completed: true, passed: true };

  function grid() { return document.getElementById("class-grid"); }
  function readSeq() {
    var value = parseInt(grid() && grid().getAttribute("data-sequence"), 10);
    lastSeq = isNaN(value) ? null : value;
  }

  function reloadFragment() {
    fetch(holder.getAttribute("data-fragment"), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        holder.querySelector("#class-grid").outerHTML = html;
        readSeq();
      });
  }

  function badge(status) {
    var span = document.createElement("span");
    span.className = "badge" + (DONE[status] ? " ok" : status === "in_progress" ? " warn" : "");
    span.textContent = (status === "passed" ? "⭐ " : status === "completed" ? "✔ " : "") + (labels[status] || status);
    return span;
  }

  function update(message) {
    var row = holder.querySelector('tr[data-pupil="' + message.pupil_id + '"]');
    if (!row) { return false; }
    var cell = row.querySelector('td[data-module="' + message.module_id + '"]');
    if (!cell) { return false; }
    var overdue = cell.classList.contains("is-overdue") && !DONE[message.status];
    cell.textContent = "";
    cell.appendChild(badge(message.status));
    if (message.best_percent !== null && message.best_percent !== undefined) {
      var score = document.createElement("span");
      score.className = "grid-score";
      score.textContent = " " + message.best_percent + "%";
      cell.appendChild(score);
    }
    if (overdue) {
      var late = document.createElement("span");
      late.className = "badge alert grid-overdue";
      late.textContent = cell.getAttribute("data-overdue-label") || grid().getAttribute("data-overdue-label") || "";
      if (late.textContent) { cell.appendChild(document.createTextNode(" ")); cell.appendChild(late); }
    } else {
      cell.classList.remove("is-overdue");
    }
    cell.classList.add("just-updated");
    var header = holder.querySelector('th[data-module="' + message.module_id + '"] .grid-module-title');
    var template = message.status === "passed" ? "data-passed-template"
      : message.status === "completed" ? "data-completed-template" : "data-started-template";
    announcer.textContent = holder.getAttribute(template)
      .replace("NAME", row.getAttribute("data-name"))
      .replace("MODULE", header ? header.textContent : "");
    return true;
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + holder.getAttribute("data-socket"));
    socket.onopen = function () {
      delay = 1000;
      state.textContent = holder.getAttribute("data-online");
      // After a reconnect, whatever was sent meanwhile is lost: fetch the grid once.
      if (openedBefore) { reloadFragment(); }
      openedBefore = true;
    };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type !== "progress") { return; }
      if (lastSeq !== null && message.seq !== lastSeq + 1) {
        lastSeq = message.seq;
        reloadFragment();
        return;
      }
      lastSeq = message.seq;
      grid().setAttribute("data-sequence", String(message.seq));
      if (!update(message)) { reloadFragment(); }
    };
    socket.onclose = function (event) {
      if (event.code === 4403) { state.textContent = ""; return; }
      state.textContent = holder.getAttribute("data-offline");
      setTimeout(connect, delay + Math.floor(Math.random() * 500));
      delay = Math.min(delay * 2, 30000);
    };
  }

  readSeq();
  connect();
})();
