/* The service worker: the site's shell and a pupil's lessons on the device.
 *
 * Served by common.pwa.service_worker at /sw.js (scope "/"), which puts the
 * configuration in front of this file as `var OFFLINE_CONFIG = {...}` (the
 * shell's static files, the offline page, a version that changes with them).
 *
 * Three kinds of request:
 * - static files and pictures (/static/, /media/): from the device first. Their
 *   names change when their content does, so a copy never goes stale.
 * - pages: from the network (a few seconds at most), and a page the pupil's
 *   device stored for reading offline (common/offline.js) is refreshed on the
 *   way; without a network, the stored copy of the signed-in pupil, else the
 *   offline page. Stored pages live in one cache per user ("pages-<user id>"),
 *   and only the cache of the user the device last saw signed in is read: two
 *   pupils sharing a phone never see each other's pages.
 * - a form sent without a network ("Next" in a lesson, "Take the quiz"): when
 *   the stored routes know the form, what it records waits in the outbox (the
 *   "outbox" cache, one entry per form, keyed by user) and the pupil goes on to
 *   the next stored page; common/offline.js sends the outbox, in order, when
 *   the network returns.
 * No answer is scored here: the stored quiz page holds no right answers.
 */
/* global OFFLINE_CONFIG */
"use strict";

var CONFIG = self.OFFLINE_CONFIG || { version: "0", shell: [], offlinePage: "/ngoai-tuyen/",
  staticPrefixes: ["/static/", "/media/"], networkTimeoutMs: 6000 };
var SHARED = "shared-" + CONFIG.version;
var META = "offline-meta";
var OUTBOX = "outbox";

function pagesCache(userId) { return "pages-" + userId; }

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHARED).then(function (cache) {
    // One by one: a missing file must not stop the others from being stored.
    return Promise.all(CONFIG.shell.concat([CONFIG.offlinePage]).map(function (url) {
      return cache.add(new Request(url, { credentials: "omit" })).catch(function () {});
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("shared-") === 0 && name !== SHARED;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function readJson(cacheName, key) {
  return caches.open(cacheName).then(function (cache) { return cache.match(key); })
    .then(function (response) { return response ? response.json() : null; })
    .catch(function () { return null; });
}

function currentUser() {
  return readJson(META, "/__offline/user").then(function (data) {
    return data && data.id ? String(data.id) : null;
  });
}

function routesOf(userId) {
  return userId ? readJson(META, "/__offline/routes/" + userId) : Promise.resolve(null);
}

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
    promise.then(function (value) { clearTimeout(timer); resolve(value); },
      function (error) { clearTimeout(timer); reject(error); });
  });
}

function offlinePage() {
  return caches.open(SHARED).then(function (cache) { return cache.match(CONFIG.offlinePage); })
    .then(function (response) {
      return response || new Response("Không có mạng. / You are offline.", {
        status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" }
      });
    });
}

// Any cache: the shell's ("shared-<version>") or a module's pictures ("assets",
// common/offline.js). Pages are cached under page addresses only, never these.
function fromDeviceFirst(request) {
  return caches.match(request).then(function (stored) {
    if (stored) { return stored; }
    return fetch(request).then(function (response) {
      if (response.ok && response.type === "basic") {
        var copy = response.clone();
        caches.open(SHARED).then(function (cache) { return cache.put(request, copy); })
          .catch(function () {});
      }
      return response;
    });
  });
}

function page(request) {
  var url = new URL(request.url);
  var path = url.pathname + url.search;
  return currentUser().then(function (userId) {
    return withTimeout(fetch(request), CONFIG.networkTimeoutMs).then(function (response) {
      // A page this user stored for offline reading is kept fresh on the way.
      // The user may sign out meanwhile (their pages are then removed): the
      // cache is never opened unless the page is in it (opening would create it
      // again), and a copy put after they left is removed with their cache.
      if (userId && response.ok && response.type === "basic") {
        var copy = response.clone();
        caches.match(path, { cacheName: pagesCache(userId) }).then(function (stored) {
          if (!stored) { return; }
          return caches.open(pagesCache(userId)).then(function (cache) {
            return cache.put(path, copy);
          }).then(currentUser).then(function (current) {
            if (current !== userId) { return caches.delete(pagesCache(userId)); }
          });
        }).catch(function () {});
      }
      return response;
    }, function () {
      return storedPage(userId, path);
    });
  });
}

function storedPage(userId, path) {
  if (!userId) { return offlinePage(); }
  return routesOf(userId).then(function (routes) {
    var alias = routes && routes.aliases && routes.aliases[path];
    if (alias) { return Response.redirect(alias, 302); }
    return caches.open(pagesCache(userId)).then(function (cache) { return cache.match(path); })
      .then(function (stored) { return stored || offlinePage(); });
  });
}

function formSentOffline(request, userId) {
  var path = new URL(request.url).pathname;
  return routesOf(userId).then(function (routes) {
    var route = routes && routes.posts && routes.posts[path];
    if (!route) { return offlinePage(); }
    var done = Promise.resolve();
    if (route.replay) {
      // The key sorts by time of sending, so the outbox is replayed in order.
      var key = "/__offline/outbox/" + userId + "/" + String(Date.now()).padStart(15, "0") +
        "-" + Math.random().toString(36).slice(2, 8);
      done = caches.open(OUTBOX).then(function (cache) {
        return cache.put(key, new Response(JSON.stringify({ url: route.replay, body: route.body || {} }),
          { headers: { "Content-Type": "application/json" } }));
      });
    }
    return done.then(function () { return Response.redirect(route.next, 303); },
      function () { return offlinePage(); });
  });
}

// A form sent while online waits for the server however slow it is: the server
// may already be handling it, and keeping it for later too would send it twice.
// Only a failed network (no connection) keeps it in the outbox.
function formNavigation(request) {
  var copy = request.clone();
  return currentUser().then(function (userId) {
    return fetch(request).catch(function () {
      return userId ? formSentOffline(copy, userId) : offlinePage();
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && request.method === "POST") {
    event.respondWith(formNavigation(request));
    return;
  }
  if (request.method !== "GET") { return; }
  var shared = CONFIG.staticPrefixes.some(function (prefix) {
    return url.pathname.indexOf(prefix) === 0;
  });
  if (shared) {
    event.respondWith(fromDeviceFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(page(request));
  }
});
