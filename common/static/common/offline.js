/* The page's side of working offline: install the service worker, store a
 * pupil's lessons on the device, send what waited, and say what still waits.
 *
 * - Registers /sw.js (common/static/common/sw.js) and tells it who is signed in
 *   (the "offline-meta" cache): the worker serves stored pages of that user only.
 *   Signing out removes the user's stored pages from the phone once the server
 *   has signed them out, and so does any page shown to nobody or to another
 *   user (a session that ended): on a shared phone the next pupil finds none.
 *   What waits to be sent stays, kept for its own pupil (below).
 * - On a page with [data-offline-bundle] (the pupil's home), asks the server for
 *   the pupil's modules (POST: it may start the quiz attempt, so the quiz can be
 *   taken offline) and stores each module's pages, pictures and styles, only
 *   those whose version changed, and the pupil's home. Storage full is said,
 *   never hidden.
 * - Sends what waits, in order, when the page opens and when the network
 *   returns: the forms the worker kept (the "outbox" cache) and the quiz answers
 *   waiting in localStorage ("outbox:<user id>:<name>", written by
 *   quizzes/attempt.js: {url, items, then}). Answers carry the ids made on the
 *   device, so a copy sent twice is stored once. Only the signed-in user's
 *   outboxes are sent, each request naming that user (X-Offline-User: the
 *   server refuses it under anyone else's session, common/pwa.py); another
 *   pupil's wait for them, unseen and uncounted. An outbox a script on this
 *   page owns ([data-outbox]) is left to it.
 * - While something waits, the modules are not stored again: storing may
 *   replace a quiz attempt the waiting answers belong to.
 * - Shows how many things wait (#offline-status) and warns before signing out
 *   while something waits. Without a network signing out is not possible (the
 *   server must end the session): the pupil is told, and nothing is removed.
 * Texts come translated from the page (data- attributes); no inline script (CSP).
 */
(function () {
  "use strict";
  var body = document.body;
  var userId = body.getAttribute("data-user") || "";
  var statusNode = document.getElementById("offline-status");
  var hasCaches = "caches" in window;
  var META = "offline-meta";
  var OUTBOX = "outbox";
  var sending = null;  // the sending under way: asked again, the same answer
  var signOutWarned = false;

  function text(name) { return statusNode ? statusNode.getAttribute("data-" + name) || "" : ""; }
  // The form of a counted text for its number ("1 answer", "2 answers"); the
  // page gives both forms, translated (in Vietnamese they are the same).
  function counted(node, name, count) {
    var form = count === 1 ? "one" : "other";
    try {
      var lang = document.documentElement.lang || "vi";
      form = new Intl.PluralRules(lang).select(count) === "one" ? "one" : "other";
    } catch (e) { /* no Intl: English's rule */ }
    var message = node.getAttribute("data-" + name + "-" + form) ||
      node.getAttribute("data-" + name + "-other") || "";
    return format(message, { count: count });
  }
  function format(message, values) {
    return message.replace(/%\((\w+)\)s/g, function (match, key) { return values[key]; });
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
        "X-CSRFToken": csrfToken(), "X-Offline-User": userId },
      body: JSON.stringify(data || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return { status: response.status, ok: response.ok, body: json };
      });
    });
  }

  function putJson(cacheName, key, value) {
    return caches.open(cacheName).then(function (cache) {
      return cache.put(key, new Response(JSON.stringify(value),
        { headers: { "Content-Type": "application/json" } }));
    });
  }

  function getJson(cacheName, key) {
    return caches.open(cacheName).then(function (cache) { return cache.match(key); })
      .then(function (response) { return response ? response.json() : null; });
  }

  // --- Who is signed in, for the worker -------------------------------------

  // The page is shown to nobody, or to another user than the one the phone
  // knew: that user's session ended, so their stored pages go.
  function rememberUser() {
    if (!hasCaches) { return Promise.resolve(); }
    return getJson(META, "/__offline/user").then(function (stored) {
      var before = stored && stored.id ? String(stored.id) : "";
      if (before === userId) { return; }
      return forgetUser(before).then(function () {
        if (userId) { return putJson(META, "/__offline/user", { id: userId }); }
      });
    }).catch(function () {});
  }

  // Removes a user's stored pages and what the worker knew of them. What waits
  // to be sent (the outboxes) is not touched: it stays for that user.
  function forgetUser(id) {
    if (!hasCaches || !id) { return Promise.resolve(); }
    return Promise.all([
      caches.delete("pages-" + id),
      caches.open(META).then(function (cache) {
        return cache.match("/__offline/user").then(function (stored) {
          return stored ? stored.json() : null;
        }).then(function (current) {
          var removals = [cache.delete("/__offline/routes/" + id),
            cache.delete("/__offline/versions/" + id)];
          if (current && String(current.id) === id) { removals.push(cache.delete("/__offline/user")); }
          return Promise.all(removals);
        });
      })
    ]).catch(function () {});
  }

  // --- What waits -------------------------------------------------------------

  function ownedOutboxes() {
    var owned = {};
    Array.prototype.forEach.call(document.querySelectorAll("[data-outbox]"), function (node) {
      owned[node.getAttribute("data-outbox")] = true;
    });
    return owned;
  }

  function localOutboxKeys() {
    var keys = [];
    var prefix = "outbox:" + userId + ":";
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf(prefix) === 0) { keys.push(key); }
      }
    } catch (e) { /* storage blocked */ }
    return keys.sort();
  }

  function readLocal(key) {
    try { return JSON.parse(window.localStorage.getItem(key)); } catch (e) { return null; }
  }

  function writeLocal(key, box) {
    try {
      if (box && ((box.items && box.items.length) || box.then)) {
        window.localStorage.setItem(key, JSON.stringify(box));
      } else {
        window.localStorage.removeItem(key);
      }
    } catch (e) { /* kept in memory only */ }
  }

  function formOutboxKeys() {
    if (!hasCaches || !userId) { return Promise.resolve([]); }
    var prefix = "/__offline/outbox/" + userId + "/";
    return caches.open(OUTBOX).then(function (cache) { return cache.keys(); }).then(function (requests) {
      return requests.map(function (request) { return new URL(request.url).pathname; })
        .filter(function (path) { return path.indexOf(prefix) === 0; }).sort();
    }).catch(function () { return []; });
  }

  function waitingCounts() {
    var answers = 0;
    var quizzes = 0;
    localOutboxKeys().forEach(function (key) {
      var box = readLocal(key);
      if (!box) { return; }
      answers += (box.items || []).length;
      if (box.then) { quizzes += 1; }
    });
    return formOutboxKeys().then(function (keys) {
      return { answers: answers, quizzes: quizzes, steps: keys.length };
    });
  }

  function showWaiting() {
    if (!statusNode || !userId) { return Promise.resolve(0); }
    return waitingCounts().then(function (counts) {
      var total = counts.answers + counts.quizzes + counts.steps;
      if (!total) {
        statusNode.hidden = true;
        statusNode.textContent = "";
        return 0;
      }
      var parts = [];
      if (counts.answers) { parts.push(counted(statusNode, "answers", counts.answers)); }
      if (counts.quizzes) { parts.push(counted(statusNode, "quizzes", counts.quizzes)); }
      if (counts.steps) { parts.push(counted(statusNode, "steps", counts.steps)); }
      statusNode.textContent = text("waiting") + " " + parts.join(", ") + ". " +
        (navigator.onLine ? "" : text("offline"));
      statusNode.hidden = false;
      return total;
    });
  }

  // --- Sending what waits, in order -------------------------------------------

  // Returns "sent", "wait" (no network, or the server is busy: try later),
  // "signin" (the session ended: kept until this pupil signs in again).
  function outcome(result) {
    if (result.ok) { return "sent"; }
    if (result.status === 401 || result.status === 403) { return "signin"; }
    if (result.status >= 500 || result.status === 408 || result.status === 429) { return "wait"; }
    return "refused";  // refused for good: sending it again would not help
  }

  function sendForms() {
    return formOutboxKeys().then(function (keys) {
      return caches.open(OUTBOX).then(function (cache) {
        function next(index) {
          if (index >= keys.length) { return "sent"; }
          return cache.match(keys[index]).then(function (stored) {
            return stored ? stored.json() : null;
          }).then(function (item) {
            if (!item) { return next(index + 1); }
            return post(item.url, item.body).then(function (result) {
              var how = outcome(result);
              if (how === "wait" || how === "signin") { return how; }
              return cache.delete(keys[index]).then(function () { return next(index + 1); });
            });
          });
        }
        return next(0);
      });
    });
  }

  function sendBox(key) {
    var box = readLocal(key);
    if (!box) { return Promise.resolve("sent"); }
    if (box.items && box.items.length) {
      return post(box.url, box.items[0]).then(function (result) {
        var how = outcome(result);
        if (how === "wait" || how === "signin") { return how; }
        var fresh = readLocal(key) || box;
        fresh.items = (fresh.items || []).slice(1);
        if (how === "refused" && result.body && result.body.code === "attempt_submitted") {
          fresh = null;  // finished on another device: nothing more to send
        }
        writeLocal(key, fresh);
        return sendBox(key);
      });
    }
    if (box.then) {
      return post(box.then.url, {}).then(function (result) {
        var how = outcome(result);
        if (how === "wait" || how === "signin") { return how; }
        writeLocal(key, null);
        return "sent";
      });
    }
    writeLocal(key, null);
    return Promise.resolve("sent");
  }

  function sendAll() {
    if (!userId || !window.fetch) { return Promise.resolve(0); }
    if (sending) { return sending; }
    var owned = ownedOutboxes();
    var keys = localOutboxKeys().filter(function (key) { return !owned[key]; });
    function next(index) {
      if (index >= keys.length) { return hasCaches ? sendForms() : "sent"; }
      return sendBox(keys[index]).then(function (how) {
        return how === "sent" ? next(index + 1) : how;
      });
    }
    sending = next(0).catch(function () { return "wait"; }).then(function (how) {
      sending = null;
      if (how === "signin" && statusNode) { statusNode.setAttribute("data-state", "signin"); }
      return showWaiting();
    });
    return sending;
  }

  // --- Storing the pupil's modules ------------------------------------------

  function assetsOf(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var urls = [];
    function add(value) {
      if (!value) { return; }
      var url = new URL(value, window.location.href);
      if (url.origin === window.location.origin) { urls.push(url.pathname + url.search); }
    }
    // Of a picture's sizes, the one this phone's screen will ask for (pictures
    // are at most the width of the page's column, about 44rem).
    var wanted = Math.min(window.innerWidth || 360, 704) * (window.devicePixelRatio || 1);
    function fitting(srcset) {
      var candidates = srcset.split(",").map(function (part) {
        var bits = part.trim().split(/\s+/);
        return { url: bits[0], width: parseInt(bits[1], 10) || 0 };
      }).filter(function (candidate) { return candidate.url; })
        .sort(function (a, b) { return a.width - b.width; });
      var fit = candidates.filter(function (candidate) { return candidate.width >= wanted; })[0];
      return fit || candidates[candidates.length - 1];
    }
    Array.prototype.forEach.call(doc.querySelectorAll("img[src], script[src], link[rel=stylesheet][href], img[srcset]"), function (node) {
      var srcset = node.getAttribute("srcset");
      if (srcset) {
        var fit = fitting(srcset);
        if (fit) { add(fit.url); }
        return;
      }
      add(node.getAttribute("src") || node.getAttribute("href"));
    });
    return urls;
  }

  function storeModule(module, pages, shared) {
    return Promise.all(module.pages.map(function (url) {
      // Marked as a copy for the phone: opening it is not the pupil reading it.
      return fetch(url, { credentials: "same-origin", headers: { "X-Offline-Copy": "1" } }).then(function (response) {
        if (!response.ok || response.redirected) { throw new Error("not stored: " + url); }
        return response.clone().text().then(function (html) {
          return pages.put(url, response).then(function () {
            return Promise.all(assetsOf(html).map(function (asset) {
              return caches.match(asset).then(function (stored) {
                return stored || shared.add(asset);
              });
            }));
          });
        });
      });
    }));
  }

  function storeModules(bundleUrl, card) {
    var line = card.querySelector("[data-offline-line]");
    function say(name, values, kind) {
      line.textContent = name === "saved" ? counted(card, "saved", values.count)
        : format(card.getAttribute("data-" + name) || "", values || {});
      card.setAttribute("data-state", kind || name);
    }
    say("saving");
    return post(bundleUrl, {}).then(function (result) {
      if (!result.ok) { throw new Error("bundle " + result.status); }
      var bundle = result.body;
      // Pictures, styles and scripts are the same for every pupil: one copy on
      // the device ("assets"), which the worker reads before the network.
      return Promise.all([caches.open("pages-" + userId), caches.open("assets"),
        getJson(META, "/__offline/versions/" + userId)]).then(function (opened) {
        var pages = opened[0];
        var shared = opened[1];
        var versions = opened[2] || {};
        var fresh = {};
        var chain = Promise.resolve();
        bundle.modules.forEach(function (module) {
          chain = chain.then(function () {
            if (versions[module.id] === module.version) { fresh[module.id] = module.version; return; }
            return storeModule(module, pages, shared).then(function () {
              fresh[module.id] = module.version;
            });
          });
        });
        // The pupil's own pages (their home): stored each time, as they change
        // with every step; the worker keeps them fresh while online.
        chain = chain.then(function () {
          return storeModule({ pages: bundle.pages || [] }, pages, shared);
        });
        return chain.then(function () {
          return Promise.all([
            putJson(META, "/__offline/routes/" + userId, bundle.routes),
            putJson(META, "/__offline/versions/" + userId, fresh)
          ]);
        }).then(function () {
          say(bundle.modules.length ? "saved" : "none", { count: bundle.modules.length });
        });
      });
    }).catch(function (error) {
      var full = error && (error.name === "QuotaExceededError" || /quota/i.test(String(error)));
      say(full ? "full" : (navigator.onLine ? "failed" : "offline-kept"), {}, full ? "full" : "failed");
    });
  }

  // --- Start ----------------------------------------------------------------

  if ("serviceWorker" in navigator && body.getAttribute("data-sw")) {
    navigator.serviceWorker.register(body.getAttribute("data-sw"), { scope: "/" }).catch(function () {});
  }
  rememberUser().then(function () {
    var card = document.querySelector("[data-offline-bundle]");
    var ready = navigator.serviceWorker && navigator.serviceWorker.ready
      ? Promise.race([navigator.serviceWorker.ready, new Promise(function (r) { setTimeout(r, 3000); })])
      : Promise.resolve();
    return sendAll().then(function (waiting) {
      if (!card || !hasCaches || !userId || !navigator.onLine) { return; }
      if (waiting) {
        // Sent first: storing again may replace the attempt they belong to.
        card.querySelector("[data-offline-line]").textContent = card.getAttribute("data-failed") || "";
        card.setAttribute("data-state", "failed");
        return;
      }
      return ready.then(function () { return storeModules(card.getAttribute("data-offline-bundle"), card); });
    });
  });
  window.addEventListener("online", function () { sendAll(); });
  window.addEventListener("offline", function () { showWaiting(); });
  document.addEventListener("outbox-changed", function () { showWaiting(); });

  function tell(name, state) {
    if (!statusNode) { return; }
    statusNode.textContent = text(name);
    statusNode.hidden = false;
    statusNode.setAttribute("data-state", state);
    statusNode.focus();
  }

  // The server ends the session first; only then are this pupil's stored pages
  // removed (without a network the pupil stays signed in, pages and all, and
  // is told so). Then the page the server answered is opened.
  function signOut(form) {
    if (!window.fetch) { return forgetUser(userId).then(function () { form.submit(); }); }
    var done = fetch(form.action, { method: "POST", credentials: "same-origin", body: new FormData(form) });
    return done.then(function (response) {
      if (!response.ok) { return forgetUser(userId).then(function () { form.submit(); }); }
      return forgetUser(userId).then(function () { window.location.assign(response.url); });
    }, function () { tell("signout-offline", "offline"); });
  }

  // Signing out while something waits: try to send it; if it cannot go, say
  // so once (it stays on this phone, sent when this pupil signs in again).
  Array.prototype.forEach.call(document.querySelectorAll("form[data-sign-out]"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (signOutWarned) { signOut(form); return; }
      sendAll().then(function (waiting) {
        if (waiting && statusNode) {
          signOutWarned = true;
          tell("signout", "warn");
          return;
        }
        signOut(form);
      });
    });
  });
})();
