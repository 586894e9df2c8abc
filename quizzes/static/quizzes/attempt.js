/* Taking a quiz: one question at a time; every answer is saved at once.
 *
 * Each answer gets an id made on this device and is sent straight away. Until
 * the server has it, it waits in a queue kept in localStorage (per attempt), so
 * a pupil who loses the network keeps answering, a reload loses nothing, and the
 * queue is sent, in order, when the network returns (the "online" event, and
 * retries with a growing pause). Sending an answer twice is harmless: the server
 * keeps the first copy of each id. Finishing first empties the queue; "Finish"
 * pressed without a network is kept too ("then") and done when it returns.
 * The queue is an outbox of the signed-in user ("outbox:<user id>:quiz-<attempt>",
 * {url, items, then}): common/offline.js sends it from any page of the site when
 * this page is closed, shows what waits, and leaves it to this script here.
 * Texts come translated from the page (#quiz-messages); no inline script (CSP). */
(function () {
  "use strict";
  var stateNode = document.getElementById("quiz-state");
  var form = document.getElementById("quiz-form");
  if (!stateNode || !form || !window.fetch || !window.JSON) { return; }

  var state = JSON.parse(stateNode.textContent);
  var text = JSON.parse(document.getElementById("quiz-messages").textContent);
  var userId = document.body.getAttribute("data-user") || "";
  var storageKey = "outbox:" + userId + ":quiz-" + state.id;
  var legacyKey = "quiz-pending:" + state.id;  // before the outbox: still sent
  form.setAttribute("data-outbox", storageKey);
  var csrfInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  var statusNode = document.getElementById("save-status");
  var progressBar = document.getElementById("quiz-progress");
  var sections = Array.prototype.slice.call(form.querySelectorAll("section[data-question-id]"));
  var finish = document.getElementById("quiz-finish");
  var submitButton = document.getElementById("quiz-submit");
  var practice = state.mode === "practice";

  var saved = {};                    // question id -> latest response given
  var feedback = state.feedback || {};
  var queue = loadQueue();           // [{client_id, question_id, response}]
  var current = 0;
  var flushing = false;
  var retryDelay = 1000;
  var retryTimer = null;
  var submitWanted = false;
  try {
    var kept = JSON.parse(window.localStorage.getItem(storageKey));
    submitWanted = Boolean(kept && kept.then);
  } catch (e) { /* nothing kept */ }
  var debounceTimers = {};

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  function format(message, values) {
    return message.replace(/%\((\w+)\)s/g, function (match, key) { return values[key]; });
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < 16; i++) { bytes[i] = Math.floor(Math.random() * 256); }
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;  // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80;  // RFC 4122 variant
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20),
      hex.slice(20)].join("-");
  }

  function loadQueue() {
    var items = [];
    try {
      items = JSON.parse(window.localStorage.getItem(legacyKey)) || [];
      var box = JSON.parse(window.localStorage.getItem(storageKey));
      items = items.concat((box && box.items) || []);
    } catch (e) { /* nothing readable kept */ }
    return items;
  }

  function storeQueue() {
    try {
      window.localStorage.removeItem(legacyKey);
      if (queue.length || submitWanted) {
        window.localStorage.setItem(storageKey, JSON.stringify({
          url: state.answerUrl, items: queue, then: submitWanted ? { url: state.submitUrl } : null
        }));
      } else { window.localStorage.removeItem(storageKey); }
    } catch (e) { /* private mode, or the phone is full: the queue lives in memory only */ }
    document.dispatchEvent(new CustomEvent("outbox-changed"));
  }

  function setStatus(message, kind) {
    statusNode.textContent = message || "";
    statusNode.className = "save-status" + (kind ? " " + kind : "");
  }

  function idValue(value) { return /^\d+$/.test(value) ? Number(value) : value; }

  // --- Reading and showing answers ---------------------------------------

  function responseOf(section) {
    if (section.getAttribute("data-type") === "ordering") {
      var items = section.querySelectorAll("[data-choice-id]");
      return { order: Array.prototype.map.call(items, function (item) {
        return idValue(item.getAttribute("data-choice-id"));
      }) };
    }
    var ids = [];
    each(section.querySelectorAll("input"), function (input) {
      if (input.checked) { ids.push(idValue(input.value)); }
    });
    return ids.length ? { choice_ids: ids } : null;
  }

  function showResponse(section, response) {
    if (!response) { return; }
    if (response.order) {
      var list = section.querySelector("[data-ordering]");
      response.order.forEach(function (id) {
        var item = list.querySelector('[data-choice-id="' + id + '"]');
        if (item) { list.appendChild(item); }
      });
      return;
    }
    var chosen = (response.choice_ids || []).map(String);
    each(section.querySelectorAll("input"), function (input) {
      input.checked = chosen.indexOf(input.value) !== -1;
    });
  }

  function lock(section) {
    each(section.querySelectorAll("fieldset input, fieldset button"), function (control) {
      control.disabled = true;
    });
    var check = section.querySelector('[data-action="check"]');
    if (check) { check.hidden = true; }
  }

  function renderFeedback(section, result) {
    var box = section.querySelector(".feedback");
    var kind = result.is_correct ? "ok" : (result.credit > 0 ? "partly" : "wrong");
    var title = result.is_correct ? text.correct : (result.credit > 0 ? text.partly : text.wrong);
    box.textContent = "";
    box.className = "feedback " + kind;
    var head = document.createElement("p");
    head.className = "feedback-title";
    head.textContent = title;
    box.appendChild(head);
    (result.feedback || []).forEach(function (item) {
      var line = document.createElement("p");
      line.textContent = item.text;
      box.appendChild(line);
    });
    if (result.explanation) {
      var why = document.createElement("p");
      var label = document.createElement("strong");
      label.textContent = text.why + " ";
      why.appendChild(label);
      why.appendChild(document.createTextNode(result.explanation));
      box.appendChild(why);
    }
    box.hidden = false;
    lock(section);
  }

  function answeredCount() {
    return sections.filter(function (section) {
      return saved[section.getAttribute("data-question-id")];
    }).length;
  }

  function updateProgress() {
    progressBar.value = answeredCount();
  }

  // --- Saving ---------------------------------------------------------------

  function record(section) {
    var questionId = section.getAttribute("data-question-id");
    clearTimeout(debounceTimers[questionId]);
    var response = responseOf(section);
    if (!response) { return false; }
    if (JSON.stringify(response) === JSON.stringify(saved[questionId])) { return true; }
    saved[questionId] = response;
    queue.push({ client_id: newId(), question_id: questionId, response: response });
    storeQueue();
    updateProgress();
    flush();
    return true;
  }

  function recordLater(section, delay) {
    if (practice) { return; }  // practice answers are sent with "Check my answer"
    var questionId = section.getAttribute("data-question-id");
    clearTimeout(debounceTimers[questionId]);
    debounceTimers[questionId] = setTimeout(function () { record(section); }, delay);
  }

  function sectionOf(questionId) {
    return document.getElementById("question-" + questionId);
  }

  // A checked practice answer: the feedback box under the question says how it
  // went, once; the status line only says the answer is saved (it used to repeat
  // the box's first sentence). Focus moves to the box, as "Check my answer" is
  // gone, so a screen reader reads the feedback there.
  function onSaved(item, body) {
    var later = queue.some(function (other) { return other.question_id === item.question_id; });
    setStatus(text.saved, "ok");
    if (body.feedback && !later) {
      feedback[item.question_id] = body.feedback;
      var section = sectionOf(item.question_id);
      renderFeedback(section, body.feedback);
      if (!section.hidden) { section.querySelector(".feedback").focus(); }
    }
  }

  function scheduleRetry() {
    setStatus(text.offline, "offline");
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfInput ? csrfInput.value : "",
        // Whose answers these are: never recorded under another pupil's
        // session (a shared phone; common/pwa.py).
        "X-Offline-User": userId
      },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, ok: response.ok, body: data };
      });
    });
  }

  // Sends the queue one answer at a time, in order: the server numbers answers
  // as it receives them, and the latest one to a question is the one that counts.
  function flush() {
    if (flushing) { return; }
    if (!queue.length) {
      if (submitWanted) { submit(); }
      return;
    }
    flushing = true;
    clearTimeout(retryTimer);
    setStatus(text.saving);
    var item = queue[0];
    post(state.answerUrl, item).then(function (result) {
      flushing = false;
      if (result.ok) {
        queue.shift();
        storeQueue();
        retryDelay = 1000;
        onSaved(item, result.body);
        flush();
      } else if (result.status === 401 || result.status === 403) {
        setStatus(text.signIn, "error");  // kept: sent after signing in again
        submitButton.disabled = false;
      } else if (result.status >= 500 || result.status === 408 || result.status === 429) {
        scheduleRetry();
      } else {
        // Refused for good (the attempt was finished elsewhere, a bad answer):
        // sending it again would not help, so drop it and say why.
        queue.shift();
        storeQueue();
        if (result.body.code === "attempt_submitted") {
          window.location.assign(state.resultUrl);
          return;
        }
        setStatus(result.body.detail || text.submitFailed, "error");
        flush();
      }
    }, function () {
      flushing = false;
      scheduleRetry();
    });
  }

  function submit() {
    submitWanted = true;
    submitButton.disabled = true;
    storeQueue();
    if (queue.length) {
      setStatus(text.waitingToSubmit, "offline");
      flush();
      return;
    }
    setStatus(text.submitting);
    post(state.submitUrl).then(function (result) {
      if (result.ok || result.body.code === "attempt_submitted") {
        submitWanted = false;
        storeQueue();
        window.location.assign(result.body.result_url || state.resultUrl);
        return;
      }
      submitButton.disabled = false;
      if (result.status === 401 || result.status === 403) {
        setStatus(text.signIn, "error");  // kept: finished after signing in again
      } else if (result.status >= 500 || result.status === 408 || result.status === 429) {
        setStatus(text.waitingToSubmit, "offline");
      } else {
        submitWanted = false;
        storeQueue();
        setStatus(result.body.detail || text.submitFailed, "error");
      }
    }, function () {
      // No network: "Finish" stays wanted, on this device, until it returns.
      submitButton.disabled = false;
      setStatus(text.waitingToSubmit, "offline");
    });
  }

  // --- Moving between questions ---------------------------------------------

  function go(index, moveFocus) {
    sections.forEach(function (section, i) { section.hidden = i !== index; });
    finish.hidden = index !== sections.length;
    current = index;
    var heading;
    if (index === sections.length) {
      var answered = answeredCount();
      document.getElementById("quiz-finish-summary").textContent =
        answered === sections.length
          ? format(text.summaryAll, { total: sections.length })
          : format(text.summarySome, { answered: answered, total: sections.length });
      heading = document.getElementById("quiz-finish-heading");
    } else {
      heading = sections[index].querySelector(".question-number");
    }
    if (moveFocus) {
      heading.focus();
      window.scrollTo(0, heading.getBoundingClientRect().top + window.pageYOffset - 16);
    }
  }

  function move(button) {
    var item = button.closest("[data-choice-id]");
    var list = item.parentNode;
    var step = Number(button.getAttribute("data-move"));
    var sibling = step < 0 ? item.previousElementSibling : item.nextElementSibling;
    if (!sibling) { return; }
    list.insertBefore(item, step < 0 ? sibling : sibling.nextElementSibling);
    button.focus();
    var items = Array.prototype.slice.call(list.children);
    setStatus(format(text.moved, { position: items.indexOf(item) + 1, count: items.length }));
    recordLater(item.closest("section"), 1500);
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || button.disabled) { return; }
    if (button.hasAttribute("data-move")) { move(button); return; }
    var action = button.getAttribute("data-action");
    var section = button.closest("section");
    if (action === "check") {
      if (!record(section)) { setStatus(text.chooseFirst, "error"); }
    } else if (action === "next") {
      if (section.getAttribute("data-type") !== "ordering" || !practice) { record(section); }
      go(current + 1, true);
    } else if (action === "back") {
      go(current - 1, true);
    }
  });

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type === "radio") {
      if (!practice) { record(input.closest("section")); }
    } else if (input.type === "checkbox") {
      recordLater(input.closest("section"), 800);
    }
  });

  submitButton.addEventListener("click", submit);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  window.addEventListener("online", function () { retryDelay = 1000; flush(); });
  window.addEventListener("storage", function (event) {
    if (event.key === storageKey && !event.newValue && submitWanted) {
      window.location.assign(state.resultUrl);  // another tab finished it
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { flush(); }
  });

  // --- Start: the server's answers, then what this device still has to send --

  sections.forEach(function (section) {
    var questionId = section.getAttribute("data-question-id");
    saved[questionId] = state.answers[questionId] || null;
  });
  queue.forEach(function (item) { saved[item.question_id] = item.response; });
  var firstOpen = -1;
  sections.forEach(function (section, index) {
    var questionId = section.getAttribute("data-question-id");
    showResponse(section, saved[questionId]);
    if (practice && feedback[questionId]) { renderFeedback(section, feedback[questionId]); }
    if (firstOpen === -1 && !saved[questionId]) { firstOpen = index; }
  });
  form.hidden = false;
  updateProgress();
  go(firstOpen === -1 ? (queue.length || answeredCount() ? sections.length : 0) : firstOpen, false);
  if (queue.length || submitWanted) { flush(); }
})();
