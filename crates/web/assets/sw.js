// runtall service worker: the installed app keeps working without the server for what a runner does away from
// the desk — the guided player, run mode, breathing sessions, and the pain and day logs, which wait on this
// device until the server is back.
//
// Only pages needed offline are kept: the player, run mode, breathing, the pain and day forms (as last seen) and
// a fallback page. Everything else stays network-only, as the server marks it (no-store). Emergency and sign-in
// pages clear what was kept. The server fills in VERSION and ASSETS when it serves this file.
'use strict';

var VERSION = '__VERSION__';
var ASSETS = __ASSETS__;
var STATIC = 'runtall-static-' + VERSION;
var PAGES = 'runtall-pages';
var OFFLINE = '/offline';

// Pages kept for offline use (path prefixes), and the writes that wait in the queue when the server is away.
var OFFLINE_PAGES = ['/session/', '/run-mode', '/breathe', '/pain', '/day', '/today'];
var QUEUED_WRITES = ['/pain', '/day', '/api/pain', '/api/day', '/api/breathe/sessions'];
function isQueued(path) {
  return QUEUED_WRITES.indexOf(path) >= 0 || /^\/api\/sessions\/[^/]+\/(progress|complete)$/.test(path) ||
    /^\/session\/[^/]+\/complete$/.test(path);
}
function keepsOffline(path) {
  return OFFLINE_PAGES.some(function (p) { return path === p || path.indexOf(p) === 0; });
}

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(STATIC).then(function (c) { return c.addAll(ASSETS.concat([OFFLINE])); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf('runtall-static-') === 0 && k !== STATIC; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }).then(flush));
});

// ------------------------------------------------------------------------------------------ the offline queue

function db() {
  return new Promise(function (resolve, reject) {
    var open = indexedDB.open('runtall-offline', 1);
    open.onupgradeneeded = function () { open.result.createObjectStore('queue', { keyPath: 'id', autoIncrement: true }); };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { reject(open.error); };
  });
}
function tx(mode, fn) {
  return db().then(function (d) {
    return new Promise(function (resolve, reject) {
      var t = d.transaction('queue', mode);
      var result = fn(t.objectStore('queue'));
      t.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
      t.onerror = function () { reject(t.error); };
    });
  });
}
function enqueue(item) { return tx('readwrite', function (s) { return s.add(item); }); }
function queued() { return tx('readonly', function (s) { return s.getAll(); }); }
function dequeue(id) { return tx('readwrite', function (s) { return s.delete(id); }); }

function tell(message) {
  return self.clients.matchAll({ includeUncontrolled: true }).then(function (cs) {
    cs.forEach(function (c) { c.postMessage(message); });
  });
}

// Sends what waited, oldest first, with a fresh CSRF token (the one in the queued request may be for a session
// the server no longer has). Stops at the first network failure; a refusal (4xx) is dropped and reported, never
// retried forever.
var flushing = null;
function flush() {
  if (flushing) return flushing;
  flushing = queued().then(function (items) {
    if (!items.length) return;
    return fetch('/api/session', { credentials: 'same-origin' }).then(function (r) { return r.json(); }).then(function (s) {
      var token = s.csrf_token || '';
      var sent = 0, refused = [];
      var next = function (i) {
        if (i >= items.length) return null;
        var it = items[i];
        var headers = { 'Content-Type': it.type };
        var body = it.body;
        if (it.type.indexOf('application/x-www-form-urlencoded') === 0) {
          var form = new URLSearchParams(body);
          form.set('_csrf', token);
          body = form.toString();
        } else {
          headers['X-CSRF-Token'] = token;
        }
        return fetch(it.url, { method: 'POST', headers: headers, body: body, credentials: 'same-origin' })
          .then(function (r) {
            // Signed out (a restarted server forgets sign-ins): keep it, and try again after signing in.
            var signedOut = r.status === 401 || r.status === 403 || (r.redirected && new URL(r.url).pathname === '/login');
            if (signedOut || r.status >= 500) throw new Error('not now');
            if (r.status >= 400) refused.push(it.url + ' (' + r.status + ')');
            else sent++;
            return dequeue(it.id).then(function () { return next(i + 1); });
          });
      };
      return next(0).then(function () { return tell({ type: 'runtall-flushed', sent: sent, refused: refused }); });
    });
  }).catch(function () { /* still offline: try again later */ }).then(function () { flushing = null; });
  return flushing;
}

self.addEventListener('sync', function (event) {
  if (event.tag === 'runtall-queue') event.waitUntil(flush());
});

self.addEventListener('message', function (event) {
  var data = event.data || {};
  if (data === 'flush' || data.type === 'flush') event.waitUntil(flush());
  if (data === 'purge' || data.type === 'purge') event.waitUntil(caches.delete(PAGES));
  if (data.type === 'warm' && Array.isArray(data.urls)) event.waitUntil(warm(data.urls));
});

// Keeps a copy of the offline pages the runner can open now (never a redirect to another step).
function warm(urls) {
  return caches.open(PAGES).then(function (cache) {
    return Promise.all(urls.map(function (u) {
      return fetch(u, { credentials: 'same-origin' }).then(function (r) {
        if (r.ok && !r.redirected) return cache.put(u, r);
      }).catch(function () {});
    }));
  });
}

// A pain report made offline keeps the time it was made, not the time the server gets it.
function stamped(path, type, body) {
  var now = new Date().toISOString();
  try {
    if (path === '/pain' && type.indexOf('application/x-www-form-urlencoded') === 0) {
      var form = new URLSearchParams(body);
      if (!form.get('at')) form.set('at', now);
      return form.toString();
    }
    if (path === '/api/pain') {
      var json = JSON.parse(body);
      if (!json.at) json.at = now;
      return JSON.stringify(json);
    }
  } catch (e) { /* send it as it was */ }
  return body;
}

function offlineReply(request, path) {
  if (path.indexOf('/api/') === 0) {
    return new Response(JSON.stringify({
      queued: true, stored: false,
      message: 'You are offline: saved on this device, and sent to runtall when the server is back.'
    }), { status: 202, headers: { 'Content-Type': 'application/json' } });
  }
  return caches.match(OFFLINE).then(function (page) {
    // The fallback page, told that something was saved.
    if (!page) return new Response('Saved on this device; it will be sent when the server is back.', { status: 202 });
    return page.text().then(function (html) {
      html = html.replace('data-saved="no"', 'data-saved="yes"');
      return new Response(html, { status: 202, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
    });
  });
}

// ------------------------------------------------------------------------------------------------- requests

self.addEventListener('fetch', function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var path = url.pathname;

  if (request.method === 'POST' && isQueued(path)) {
    // Read the body first: a request body can be read only once.
    event.respondWith(request.clone().text().then(function (body) {
      return fetch(request).then(function (r) { flush(); return r; }, function () {
        var type = request.headers.get('Content-Type') || 'application/json';
        var item = { url: path + url.search, type: type, body: stamped(path, type, body), at: Date.now() };
        return enqueue(item).then(function () {
          if (self.registration.sync) self.registration.sync.register('runtall-queue').catch(function () {});
          return tell({ type: 'runtall-queued' });
        }).then(function () { return offlineReply(request, path); });
      });
    }));
    return;
  }
  if (request.method !== 'GET') return;

  if (path.indexOf('/assets/') === 0 || path === '/manifest.webmanifest') {
    // Versioned files: the cache first.
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (r) {
        if (r.ok) { var copy = r.clone(); caches.open(STATIC).then(function (c) { c.put(request, copy); }); }
        return r;
      });
    }));
    return;
  }

  if (request.mode === 'navigate') {
    event.respondWith(fetch(request).then(function (r) {
      if (r.ok && !r.redirected && keepsOffline(path)) {
        var copy = r.clone();
        caches.open(PAGES).then(function (c) { c.put(request, copy); });
      }
      flush();
      return r;
    }, function () {
      return caches.open(PAGES).then(function (c) {
        return c.match(request).then(function (hit) {
          return hit || c.match(request, { ignoreSearch: true });
        });
      }).then(function (hit) { return hit || caches.match(OFFLINE); });
    }));
  }
});

// A tap on a break notification opens (or focuses) the break page.
self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  var target = (event.notification.data && event.notification.data.url) || '/breaks';
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (cs) {
    for (var i = 0; i < cs.length; i++) {
      if (new URL(cs[i].url).pathname === target && cs[i].focus) return cs[i].focus();
    }
    return self.clients.openWindow(target);
  }));
});
