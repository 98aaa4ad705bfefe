/// <reference lib="webworker" />
// The lab's service worker: after one visit the lab opens and trains with no
// network. The build (app/sw/build.ts) compiles this file to `sw.js` beside
// index.html and puts two constants in front of it: the build's version (a
// hash of every file it caches) and the list of those files, relative to
// sw.js: the page, its scripts and styles, the corpus (`data/brown.json?v=HASH`).
//
// - install: every file of this build into the cache `attention-lab-VERSION`,
//   all or nothing (a failed download leaves the previous version in charge).
// - activate: the caches of other versions are deleted; the open pages come
//   under this worker (the first visit's page too, so it works offline at once).
// - fetch: the page itself (a navigation to the lab's folder or index.html) is
//   network first, so a new deployment shows on the next online visit; with no
//   answer (offline, or nothing within NAV_TIMEOUT_MS on a failing network) it
//   comes from the cache. Every other file of the build comes from the cache;
//   anything else goes to the network untouched.
//
// No stale mix of old and new files: every file a page asks for besides the
// page itself is named by its content (Vite's hashed assets, the corpus's
// `?v=`), so an old worker cannot answer a new page with an old file, and the
// page from the cache is always this version's own. A new version waits
// until no page of the old one is open (no skipWaiting): an open page's later
// requests (its worker, a lazy chunk) keep finding their files.

// A module to the type checker (so `self` can be typed); the build strips this line: sw.js is a classic script.
export {};

declare const self: ServiceWorkerGlobalScope;
/** Filled in by the build: a hash of every cached file. */
declare const __SW_VERSION__: string;
/** Filled in by the build: the files to cache, relative to sw.js (no leading '/'). */
declare const __SW_FILES__: string[];

const PREFIX = 'attention-lab-';
const CACHE = PREFIX + __SW_VERSION__;
const NAV_TIMEOUT_MS = 4000;
const FILES = new Set(__SW_FILES__.map((f) => new URL(f, self.location.href).href));
/** The lab's folder: the page is requested as this or as index.html, with any query. */
const SCOPE = new URL('./', self.location.href).href;
const INDEX = new URL('index.html', SCOPE).href;

self.addEventListener('install', (e) => {
  // 'no-cache': revalidate with the server, never take a file from the HTTP cache unchecked.
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll([...FILES].map((u) => new Request(u, { cache: 'no-cache' })))));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

/** The page: from the network, else (no answer, or none in time) this version's cached copy. */
async function page(request: Request): Promise<Response> {
  const network = fetch(request);
  const cached = caches.open(CACHE).then((c) => c.match(INDEX));
  const late = new Promise<null>((r) => setTimeout(() => r(null), NAV_TIMEOUT_MS));
  const first = await Promise.race([network.catch(() => null), late]);
  if (first?.ok) return first;
  return (await cached) ?? first ?? network;
}

self.addEventListener('fetch', (e) => {
  const r = e.request;
  if (r.method !== 'GET') return;
  const url = new URL(r.url);
  const path = url.origin + url.pathname;
  if (r.mode === 'navigate' && (path === SCOPE || path === INDEX)) e.respondWith(page(r));
  else if (FILES.has(url.href))
    e.respondWith(caches.open(CACHE).then(async (c) => (await c.match(r, { ignoreVary: true })) ?? fetch(r)));
});
