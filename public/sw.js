// 주문 콘솔 service worker: keeps the app shell offline and lets the operator choose when a new
// version takes over.
//
// `cargo xtask build` writes dist/sw.js from this file, replacing the PRECACHE line below with
// the build's own list (every file of dist/ with a content hash, see xtask/src/precache.rs), so
// each new build is a byte-different service worker and the browser installs it as an update.
// Served unprocessed (plain `trunk serve`), it caches only the page itself.
'use strict';

const PRECACHE = { version: 'dev', files: ['/index.html'] }; // @@JUMUN_PRECACHE@@

const CACHE = 'jumun-shell-' + PRECACHE.version;
const SHELL = '/index.html';

self.addEventListener('install', (event) => {
  // Fetch every file past the HTTP cache, so the cache holds exactly this build. No
  // skipWaiting here: a new version waits until the operator clicks "새로고침".
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(PRECACHE.files.map((url) => new Request(url, { cache: 'reload' })))
    )
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith('jumun-shell-') && key !== CACHE)
            .map((key) => caches.delete(key))
        )
      )
      .then(() => self.clients.claim())
  );
});

// The page asks for the waiting version to take over only when the operator clicked.
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') {
    self.skipWaiting();
  }
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // Only this origin's app files; the API always goes to the network.
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;

  if (request.mode === 'navigate') {
    // Every page of the console is the same shell (the app routes on the client): serve it from
    // the cache so the console opens with no network; fall back to the network before the
    // first install finished.
    event.respondWith(
      caches
        .open(CACHE)
        .then((cache) => cache.match(SHELL))
        .then((cached) => cached || fetch(request))
    );
    return;
  }

  event.respondWith(
    caches
      .open(CACHE)
      .then((cache) => cache.match(request, { ignoreSearch: true }))
      .then((cached) => cached || fetch(request))
  );
});
