/* Loft service worker: offline app shell only. API calls and file bytes always go to the network. */
const SHELL = __SHELL_FILES__;
const CACHE = 'loft-shell-' + __SHELL_VERSION__;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith('loft-shell-') && k !== CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

const isApi = (url) =>
  url.pathname.startsWith('/api/') ||
  url.pathname.startsWith('/dav') ||
  url.pathname.startsWith('/s/') ||
  url.pathname === '/metrics' ||
  url.pathname === '/healthz' ||
  url.pathname === '/readyz';

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || isApi(url)) return;
  if (req.mode === 'navigate') {
    // Network first so a deploy shows at once; the cached shell when offline.
    event.respondWith(fetch(req).catch(() => caches.match('/index.html')));
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(req)));
  }
});
