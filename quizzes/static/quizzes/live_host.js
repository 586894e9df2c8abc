/* The host's control view and the projector: one socket, throttled aggregates,
 * answer bars after each question, and the leaderboard. The projector is read-only. */
(function () {
  "use strict";
  var state = JSON.parse(document.getElementById("live-state").textContent);
  var text = JSON.parse(document.getElementById("live-messages").textContent);
  var Live = window.Live, fmt = Live.fmt;
  var $ = function (id) { return document.getElementById(id); };
  var countdown = new Live.Countdown($("live-timer"), text.seconds);
  var question = null;
  var players = [];

  // Only the buttons that make sense now are shown (the table is the server's:
  // quizzes.live.selectors.HOST_CONTROLS); after the last question's results the
  // one button left ends the game and says so.
  function setPhase(phase, index, count) {
    $("live-lobby").hidden = phase !== "lobby";
    $("live-stage").hidden = phase === "lobby" || phase === "ended" && !question;
    document.body.dataset.phase = phase;
    var last = phase === "results" && typeof index === "number" && index >= count - 1;
    var shown = last ? state.lastControls : (state.controls || {})[phase] || [];
    Array.prototype.forEach.call(document.querySelectorAll("[data-command]"), function (button) {
      var command = button.dataset.command;
      button.hidden = shown.indexOf(command) === -1;
      if (command === "next") { button.textContent = last ? text.finish : text.next; }
    });
  }
  function renderChoices(distribution, correctIds) {
    var list = $("live-choices");
    list.textContent = "";
    if (!question) { return; }
    var total = 0;
    Object.keys(distribution || {}).forEach(function (k) { total += distribution[k]; });
    question.choices.forEach(function (choice, i) {
      var item = document.createElement("li");
      item.className = "live-choice live-tile-" + (i % 4);
      var correct = correctIds && correctIds.indexOf(choice.id) !== -1;
      if (correct) { item.classList.add("correct"); }
      var label = document.createElement("span");
      label.className = "live-choice-label";
      label.textContent = Live.SHAPES[i % 6] + " " + choice.text + (correct ? " ✓ " + text.correct : "");
      item.appendChild(label);
      if (distribution) {
        var count = distribution[choice.id] || 0;
        var bar = document.createElement("span");
        bar.className = "live-bar";
        bar.style.width = (total ? Math.round(100 * count / total) : 0) + "%";
        var figure = document.createElement("span");
        figure.className = "live-bar-count";
        figure.textContent = count;
        item.appendChild(bar); item.appendChild(figure);
      }
      list.appendChild(item);
    });
  }
  function renderBoard(message) {
    var board = $("live-leaderboard");
    board.textContent = "";
    var rows = message.teams && message.teams.length ? message.teams.map(function (t) {
      return t.team + " — " + t.score;
    }) : (message.leaderboard || []).map(function (r) {
      return r.rank + ". " + r.nickname + " — " + r.score;
    });
    if (!rows.length) { rows = [text.noLeaderboard]; }
    rows.forEach(function (row) {
      var li = document.createElement("li"); li.textContent = row; board.appendChild(li);
    });
    $("live-board").hidden = false;
  }
  function renderRoster(list) {
    players = list;
    var count = fmt(text.players, { count: list.length });
    $("live-player-count").textContent = count;
    var roster = $("live-roster");
    if (!roster) { return; }
    roster.textContent = "";
    list.forEach(function (player) {
      var li = document.createElement("li");
      li.textContent = player.nickname + (player.team ? " (" + player.team + ")" : "") + " ";
      var remove = document.createElement("button");
      remove.type = "button"; remove.className = "link-button";
      remove.textContent = "✕";
      remove.setAttribute("aria-label", fmt(text.remove, { name: player.nickname }));
      remove.addEventListener("click", function () {
        socket.send({ type: "remove", player_id: player.id });
      });
      li.appendChild(remove);
      roster.appendChild(li);
    });
  }
  function handle(message) {
    switch (message.type) {
      case "sync":
        if (message.players) { renderRoster(message.players); }
        handle(message.current);
        if (message.aggregate && message.phase === "question") { handle(message.aggregate); }
        break;
      case "lobby":
        setPhase("lobby"); break;
      case "question":
        question = message.question;
        setPhase(message.phase, question.index, question.count);
        $("live-board").hidden = true;
        $("live-question-number").textContent = fmt(text.question, { number: question.index + 1, count: question.count });
        $("live-question-text").textContent = (question.scenario ? question.scenario + " " : "") + question.prompt;
        renderChoices(null, null);
        countdown.start(message.remaining_ms, message.phase === "question");
        $("live-status").textContent = message.phase === "paused" ? text.paused : "";
        $("live-aggregate").textContent = "";
        break;
      case "aggregate":
        $("live-aggregate").textContent = fmt(text.answered, message);
        break;
      case "roster":
        renderRoster(message.players); break;
      case "results": case "ended":
        countdown.stop();
        setPhase(message.type === "ended" ? "ended" : "results", message.index, message.count);
        renderChoices(message.distribution, message.correct_choice_ids);
        $("live-aggregate").textContent = fmt(text.answered, message);
        renderBoard(message);
        if (message.type === "ended") { $("live-status").textContent = text.ended; }
        break;
      case "finalised":
        $("live-status").textContent = text.ended + " " + fmt(text.finalised, { count: message.attempts });
        break;
      case "refused":
        $("live-status").textContent = message.message; break;
    }
  }
  var socket = new Live.LiveSocket(state.socketPath, {
    open: function () { $("live-status").textContent = ""; },
    message: handle,
    lost: function () { $("live-status").textContent = text.reconnecting; },
    closed: function () { $("live-status").textContent = text.reconnecting; }
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-command]"), function (button) {
    button.addEventListener("click", function () {
      if (button.dataset.command === "end" && !window.confirm(button.textContent + "?")) { return; }
      socket.send({ type: button.dataset.command });
    });
  });
})();
