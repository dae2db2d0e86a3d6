// The service worker (scope "/"): the app opens with no network, so a sampler who reloads the
// collection page offline keeps working from its IndexedDB queue (js/components/offline-queue.js).
//
// - At install it caches the page shell: index.html, the stylesheet, the icon, and every ES
//   module reachable from app.js (it follows their import statements, so the list never goes
//   stale as modules are added).
// - Pages and scripts (same-origin GETs outside /api/) are fetched from the network first, the
//   copy refreshed on each success, and served from the cache when the network fails.
// - A few API reads the collection page needs to open are kept the same way: who is signed in,
//   the sampler's sessions, one session with its tubes, and units' names. Nothing else of the API
//   is cached, and these are deleted when the user signs out (POST /api/v1/auth/logout).
// Writes are never touched: samples go through the page's own queue.

const SHELL = 'cordon-shell-v1';
const API = 'cordon-api-v1';
const ROOTS = ['/', '/index.html', '/style.css', '/favicon.svg', '/app.js'];
const OFFLINE_API = [
  /^\/api\/v1\/auth\/me$/,
  /^\/api\/v1\/testing\/sessions$/,
  /^\/api\/v1\/testing\/sessions\/\d+$/,
  /^\/api\/v1\/units(\/[0-9A-Za-z]+)?$/,
];
const IMPORT_RE = /(?:^|[;\n])\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[;\n])\s*import\s*['"]([^'"]+)['"]/g;

/** Every module reachable from the roots by static imports, fetched and cached. */
async function cacheShell() {
  const cache = await caches.open(SHELL);
  const seen = new Set();
  const todo = [...ROOTS];
  while (todo.length) {
    const url = todo.shift();
    if (seen.has(url)) continue;
    seen.add(url);
    const res = await fetch(url, { cache: 'no-cache' });
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    await cache.put(url, res.clone());
    if (!url.endsWith('.js')) continue;
    const text = await res.text();
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] || m[2];
      if (spec && (spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/'))) {
        todo.push(new URL(spec, new URL(url, self.location.origin)).pathname);
      }
    }
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== SHELL && name !== API) await caches.delete(name);
    await self.clients.claim();
  })());
});

/** Network first; on success the copy is refreshed, on a network failure the copy is served. */
async function networkFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  try {
    const res = await fetch(request);
    if (res.ok) {
      // One copy per address: a copy kept under other request headers (Vary) would be served stale.
      await cache.delete(request, { ignoreVary: true });
      await cache.put(request, res.clone());
    }
    return res;
  } catch (e) {
    const copy = await cache.match(request, { ignoreVary: true });
    if (copy) return copy;
    // A page address never fetched before still opens the app, whose router reads the hash.
    if (request.mode === 'navigate') {
      const shell = await (await caches.open(SHELL)).match('/index.html');
      if (shell) return shell;
    }
    throw e;
  }
}

// The page asks for copies of reads it made before this worker controlled it (js/offline.js).
self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type !== 'keep' || !Array.isArray(data.paths)) return;
  event.waitUntil(Promise.all(data.paths
    .filter((p) => typeof p === 'string' && OFFLINE_API.some((re) => re.test(new URL(p, self.location.origin).pathname)))
    .map((p) => networkFirst(new Request(new URL(p, self.location.origin), { credentials: 'same-origin' }), API).catch(() => null))));
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === 'POST' && url.pathname === '/api/v1/auth/logout') {
    event.waitUntil(caches.delete(API));
    return;
  }
  if (request.method !== 'GET') return;
  if (url.pathname.startsWith('/api/')) {
    if (OFFLINE_API.some((re) => re.test(url.pathname))) event.respondWith(networkFirst(request, API));
    return;
  }
  event.respondWith(networkFirst(request, SHELL));
});
