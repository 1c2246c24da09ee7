{% autoescape off %}/* Service worker (docs/security.md §34, 38): it keeps static assets and one offline
 * page, and never stores a personal page. Navigations always go to the network;
 * only when the network fails is the offline page shown. */
"use strict";
const CACHE = {{ cache_name_json }};
const ASSETS = {{ assets_json }};
const OFFLINE_URL = {{ offline_url_json }};
const STATIC_PREFIX = {{ static_prefix_json }};
const CREDENTIALS = {{ credentials_json }};

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(ASSETS);
    const offline = await fetch(OFFLINE_URL, { credentials: CREDENTIALS, cache: "no-store" });
    if (offline.ok) {
      await cache.put(OFFLINE_URL, offline);
    }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    // Network only: a page is never written to the cache.
    event.respondWith(
      fetch(request).catch(async () => {
        const cache = await caches.open(CACHE);
        return (await cache.match(OFFLINE_URL, { ignoreVary: true })) || Response.error();
      })
    );
    return;
  }
  if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith((async () => {
      const cache = await caches.open(CACHE);
      const hit = await cache.match(request, { ignoreSearch: false });
      if (hit) {
        return hit;
      }
      const response = await fetch(request);
      if (response.ok && response.type === "basic") {
        await cache.put(request, response.clone());
      }
      return response;
    })());
  }
  // Anything else (API, media, pages fetched by htmx) goes to the network untouched.
});
{% endautoescape %}
