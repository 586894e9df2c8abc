/* The player's phone: join with the stored seat token (guests) or the session
 * (signed-in pupils), answer with big tiles, and see kind results. */
(function () {
  "use strict";
  var state = JSON.parse(document.getElementById("live-state").textContent);
  var text = JSON.parse(document.getElementById("live-messages").textContent);
  var Live = window.Live, fmt = Live.fmt;
  var tokenKey = "live-seat-" + state.pin;
  var $ = function (id) { return document.getElementById(id); };
  var status = $("live-status");
  var countdown = new Live.Countdown($("live-timer"), text.seconds);
  var current = null;  // the open question
  var answeredIndex = -1;
  var pending = null;  // an answer not yet acknowledged, resent after reconnecting
  var me = null;

  function show(id) {
    ["live-team", "live-question", "live-result"].forEach(function (name) {
      $(name).hidden = name !== id;
    });
  }
  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (window.crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }
  function setMe() {
    if (!me) { return; }
    var line = me.nickname + " · " + fmt(text.score, { score: me.score });
    if (me.team) { line += " · " + fmt(text.team, { team: me.team }); }
    $("live-me").textContent = line;
  }
  function renderTeams(names) {
    var box = $("live-team-buttons");
    box.textContent = "";
    names.forEach(function (name, i) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "live-tile live-tile-" + (i % 4);
      button.textContent = Live.SHAPES[i % 6] + " " + name;
      button.addEventListener("click", function () { socket.send({ type: "team", team: name }); });
      box.appendChild(button);
    });
  }
  function renderQuestion(message) {
    var question = message.question;
    current = question;
    show("live-question");
    $("live-question-heading").textContent = fmt(text.question, { number: question.index + 1, count: question.count });
    $("live-question-text").textContent = (question.scenario ? question.scenario + " " : "") + question.prompt;
    var tiles = $("live-tiles");
    tiles.textContent = "";
    var locked = answeredIndex === question.index || message.phase !== "question";
    question.choices.forEach(function (choice, i) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "live-tile live-tile-" + (i % 4);
      button.dataset.choiceId = choice.id;
      var shape = document.createElement("span");
      shape.className = "live-shape"; shape.setAttribute("aria-hidden", "true");
      shape.textContent = Live.SHAPES[i % 6];
      var label = document.createElement("span");
      label.textContent = choice.text;
      button.appendChild(shape); button.appendChild(label);
      button.disabled = locked;
      button.addEventListener("click", function () { answer(question.index, choice.id, button); });
      tiles.appendChild(button);
    });
    countdown.start(message.remaining_ms, message.phase === "question");
    status.textContent = answeredIndex === question.index ? text.answered
      : (message.phase === "paused" ? text.paused : "");
    $("live-question-heading").focus();
  }
  function answer(index, choiceId, button) {
    if (answeredIndex === index) { return; }
    answeredIndex = index;
    Array.prototype.forEach.call($("live-tiles").children, function (tile) {
      tile.disabled = true;
      if (tile === button) { tile.classList.add("chosen"); tile.setAttribute("aria-pressed", "true"); }
    });
    pending = { type: "answer", index: index, choice_ids: [choiceId], client_id: uuid() };
    socket.send(pending);
    status.textContent = text.answered;
  }
  function renderResults(message) {
    countdown.stop();
    show("live-result");
    var you = message.you || {};
    var main = you.correct === true ? fmt(text.correct, { points: you.gained })
      : (you.correct === false ? text.wrong : text.noAnswer);
    if (message.type === "ended") { main = text.ended; }
    $("live-result-main").textContent = main;
    if (me && typeof you.score === "number") { me.score = you.score; setMe(); }
    $("live-result-score").textContent = fmt(text.score, { score: you.score || 0 });
    $("live-result-rank").textContent = you.rank ? fmt(text.rank, { rank: you.rank }) : text.keepGoing;
    status.textContent = "";
  }
  function handle(message) {
    switch (message.type) {
      case "welcome":
        if (message.token) { try { localStorage.setItem(tokenKey, message.token); } catch (e) { /* private mode */ } }
        me = { nickname: message.player.nickname, team: message.player.team, score: 0 };
        setMe();
        break;
      case "sync":
        if (message.you) {
          me = message.you; setMe();
          if (message.you.answered_current && message.current.question) { answeredIndex = message.current.question.index; }
        }
        if (message.scoring === "team" && me && !me.team && message.team_names.length) {
          renderTeams(message.team_names); show("live-team");
          status.textContent = text.chooseTeam;
          if (message.phase === "lobby") { return; }
        }
        handle(message.current);
        break;
      case "lobby":
        show(null); status.textContent = text.waitingStart; break;
      case "question":
        renderQuestion(message); break;
      case "results": case "ended":
        renderResults(message); break;
      case "ack":
        if (pending && pending.client_id === message.client_id) { pending = null; }
        break;
      case "refused":
        if (pending && pending.client_id === message.client_id) { pending = null; status.textContent = message.message; }
        else if (message.message) { status.textContent = message.message; }
        break;
      case "removed":
        status.textContent = text.removed; show(null); break;
    }
  }
  var socket = new Live.LiveSocket(state.socketPath, {
    open: function () {
      var token = null;
      try { token = localStorage.getItem(tokenKey); } catch (e) { token = null; }
      socket.send({ type: "hello", token: token });
      if (pending) { socket.send(pending); }
    },
    message: handle,
    lost: function () { status.textContent = text.reconnecting; },
    closed: function (code) {
      status.textContent = code === 4404 ? text.ended : (code === 4403 ? text.removed : text.reconnecting);
    }
  });
})();
