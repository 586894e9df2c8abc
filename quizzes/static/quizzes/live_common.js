/* Shared by the live game screens: a websocket that reconnects, checks the
 * sequence numbers and asks for a full "sync" when it sees a gap. */
(function () {
  "use strict";
  function fmt(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (_m, key) {
      return values && key in values ? values[key] : "";
    });
  }
  function LiveSocket(path, handlers) {
    this.path = path;
    this.handlers = handlers;
    this.seq = 0;
    this.delay = 500;
    this.closedForGood = false;
    this.open();
  }
  LiveSocket.prototype.open = function () {
    var self = this;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + self.path);
    self.socket = socket;
    socket.onopen = function () { self.delay = 500; self.handlers.open(); };
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (typeof message.seq === "number") {
        if (message.type !== "sync" && message.seq > self.seq + 1 && self.seq > 0) {
          self.send({ type: "sync" });
        }
        if (message.seq > self.seq) { self.seq = message.seq; }
      }
      self.handlers.message(message);
    };
    socket.onclose = function (event) {
      if (event.code >= 4400 && event.code < 4500) {
        self.closedForGood = true;
        if (self.handlers.closed) { self.handlers.closed(event.code); }
        return;
      }
      if (self.handlers.lost) { self.handlers.lost(); }
      // Jitter: after a server restart thousands of phones must not come back
      // in lock-step waves; each waits between half and one and a half delays
      // (never more than the longest delay, so nobody waits longer than before).
      var wait = Math.min(8000, Math.round(self.delay * (0.5 + Math.random())));
      window.setTimeout(function () { self.open(); }, wait);
      self.delay = Math.min(self.delay * 2, 8000);
    };
  };
  LiveSocket.prototype.send = function (message) {
    if (this.socket && this.socket.readyState === 1) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  };
  /* A countdown shown from the server's remaining time, never the device clock's idea
   * of the deadline: remaining_ms is measured against this device's receipt. */
  function Countdown(element, label) {
    this.element = element; this.label = label; this.timer = null;
  }
  Countdown.prototype.start = function (remainingMs, running) {
    var self = this;
    var end = Date.now() + remainingMs;
    window.clearInterval(self.timer);
    function tick() {
      var left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      self.element.textContent = fmt(self.label, { seconds: left });
      if (left <= 0) { window.clearInterval(self.timer); }
    }
    tick();
    if (running) { self.timer = window.setInterval(tick, 250); }
  };
  Countdown.prototype.stop = function () { window.clearInterval(this.timer); };
  window.Live = { LiveSocket: LiveSocket, Countdown: Countdown, fmt: fmt,
    SHAPES: ["▲", "◆", "●", "■", "★", "✚"] };
})();
