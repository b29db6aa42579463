{% load i18n %}"use strict";
/* Voisinage service worker: shows the alerts the platform pushes, opens them on click, and
   lets a signed-in member read their last lists of alerts and of the gazette without network.

   What stays on the device, and for how long:
   - pages go to the network first, always; a copy is kept only of a page the server marked
     with the "{{ offline_header|escapejs }}" header (a member's own alert and gazette lists),
     and only of a GET that answered 200. Nothing else (other pages, staff and admin pages,
     the answer to a form) is ever stored;
   - the shell (the two offline pages, the static files they use and the commune's logo) is
     stored only while a member is signed in;
   - a page for a visitor (after sign-out, or another person on a shared device) tells the
     worker to delete every cache of this site: nothing of the member remains.
   Offline, a page never kept answers with the offline page; the alert form (and sending it)
   answers with the page that says to call 17 or to text the relay number: an emergency is
   never queued silently. */

const VERSION = "{{ version|escapejs }}";
const PREFIX = "voisinage-";
const SHELL_CACHE = PREFIX + VERSION + "-shell";
const PAGES_CACHE = PREFIX + VERSION + "-pages";
const OFFLINE_HEADER = "{{ offline_header|escapejs }}";
const OFFLINE_PAGE = "{{ offline_url|escapejs }}";
const OFFLINE_ALERT_PAGE = "{{ offline_alert_url|escapejs }}";
const ALERT_FORM = "{{ alert_form_url|escapejs }}";
const STATIC_PREFIX = "{{ static_prefix|escapejs }}";
const MEDIA_PREFIX = "{{ media_prefix|escapejs }}";
const SHELL = [OFFLINE_PAGE, OFFLINE_ALERT_PAGE{% for url in shell_assets %}, "{{ url|escapejs }}"{% endfor %}];
/* Never handled by the worker: the browser goes to the network as if there were none. */
const UNTOUCHED = ["/admin/", "/api/", "/_allauth/", "/documents/", "/django-admin/"];

const DEFAULT_TITLE = "{% translate 'Alerte de votre quartier'|escapejs %}";
const ICON = "{{ icon|escapejs }}";
const BADGE = "{{ badge|escapejs }}";

/* Navigations answered from a kept copy, by the id of the page they open: the page asks,
   so that it shows "hors connexion" even when the phone believes it is online. */
const servedOffline = new Set();

/* Storing the shell and clearing everything must not interleave: one after the other. */
let queue = Promise.resolve();
function inTurn(task) {
  queue = queue.then(task, task);
  return queue;
}

async function ourCaches() {
  return (await caches.keys()).filter((name) => name.startsWith(PREFIX));
}

async function clearAll() {
  servedOffline.clear();
  await Promise.all((await ourCaches()).map((name) => caches.delete(name)));
}

/* The shell, and the commune's logo the page names (public media, drawn in every header). */
async function storeShell(extra) {
  const cache = await caches.open(SHELL_CACHE);
  const logos = (extra || []).filter((url) => {
    try {
      const parsed = new URL(url, self.location.origin);
      return parsed.origin === self.location.origin && parsed.pathname.startsWith(MEDIA_PREFIX);
    } catch (error) {
      return false;
    }
  });
  await Promise.all(
    SHELL.concat(logos).map(async (url) => {
      if (await cache.match(url)) {
        return;
      }
      const response = await fetch(url, { credentials: "same-origin", cache: "no-cache" });
      if (response.ok && !response.redirected) {
        await cache.put(url, response);
      }
    })
  );
}

self.addEventListener("install", () => {
  /* A new version takes over at once: pages in use keep working, as every page is served
     by the network first and the kept copies move to the new version's cache. */
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    inTurn(async () => {
      const old = (await ourCaches()).filter(
        (name) => name !== SHELL_CACHE && name !== PAGES_CACHE
      );
      const member = old.length > 0;
      /* The member's kept lists survive an update; the rest of the old version goes. */
      const pages = await caches.open(PAGES_CACHE);
      for (const name of old.filter((name) => name.endsWith("-pages"))) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
          const response = await cache.match(request);
          if (response) {
            await pages.put(request, response);
          }
        }
      }
      await Promise.all(old.map((name) => caches.delete(name)));
      if (member) {
        await storeShell().catch(() => undefined);
      } else {
        await caches.delete(PAGES_CACHE);
      }
    }).then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const port = event.ports && event.ports[0];
  const answer = (value) => port && port.postMessage(value);
  if (data.type === "member") {
    const logos = Array.isArray(data.logos) ? data.logos.slice(0, 4) : [];
    event.waitUntil(
      inTurn(() => storeShell(logos).catch(() => undefined)).then(() => answer(true))
    );
  } else if (data.type === "signed-out") {
    event.waitUntil(inTurn(clearAll).then(() => answer(true)));
  } else if (data.type === "served-offline") {
    const id = event.source && event.source.id;
    answer(Boolean(id && servedOffline.has(id)));
  }
});

function untouched(url) {
  return url.origin !== self.location.origin || UNTOUCHED.some((path) => url.pathname.startsWith(path));
}

async function fromCache(url) {
  const cache = await caches.open(PAGES_CACHE);
  return cache.match(url, { ignoreVary: true });
}

async function offlineAnswer(event, path) {
  const cache = await caches.open(SHELL_CACHE);
  const page = await cache.match(path);
  return page ? servedFromDevice(event, page) : Response.error();
}

function servedFromDevice(event, response) {
  if (event.resultingClientId) {
    servedOffline.add(event.resultingClientId);
  }
  return response;
}

async function navigate(event, url) {
  const request = event.request;
  const emergency = url.pathname === ALERT_FORM;
  if (request.method !== "GET") {
    /* A form is sent once, to the network, and its answer is never kept. */
    try {
      return await fetch(request);
    } catch (error) {
      return offlineAnswer(event, emergency ? OFFLINE_ALERT_PAGE : OFFLINE_PAGE);
    }
  }
  try {
    const response = await fetch(request);
    if (response.ok && response.headers.get(OFFLINE_HEADER) && !url.search) {
      const copy = response.clone();
      event.waitUntil(
        inTurn(async () => {
          /* Only while the shell is there, that is while a member is signed in. */
          if (await caches.has(SHELL_CACHE)) {
            await (await caches.open(PAGES_CACHE)).put(url.href, copy);
          }
        })
      );
    }
    return response;
  } catch (error) {
    if (emergency) {
      return offlineAnswer(event, OFFLINE_ALERT_PAGE);
    }
    const kept = await fromCache(url.href);
    return kept ? servedFromDevice(event, kept) : offlineAnswer(event, OFFLINE_PAGE);
  }
}

async function asset(event, url) {
  try {
    const response = await fetch(event.request);
    /* Static files the pages use are stored as they come; media only when named above. */
    if (response.ok && url.pathname.startsWith(STATIC_PREFIX)) {
      const copy = response.clone();
      event.waitUntil(
        inTurn(async () => {
          if (await caches.has(SHELL_CACHE)) {
            await (await caches.open(SHELL_CACHE)).put(url.href, copy);
          }
        })
      );
    }
    return response;
  } catch (error) {
    const cache = await caches.open(SHELL_CACHE);
    return (await cache.match(url.href, { ignoreSearch: true })) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (untouched(url)) {
    return;
  }
  if (event.request.mode === "navigate") {
    event.respondWith(navigate(event, url));
  } else if (
    event.request.method === "GET" &&
    (url.pathname.startsWith(STATIC_PREFIX) || url.pathname.startsWith(MEDIA_PREFIX))
  ) {
    event.respondWith(asset(event, url));
  }
});

/* Only links to a web page: anything else (javascript:, data:…) opens the home page. */
function safeUrl(url) {
  try {
    const parsed = new URL(url || "/", self.location.origin);
    if (parsed.protocol === "https:" || parsed.protocol === "http:") {
      return parsed.href;
    }
  } catch (error) {
    /* fall through to the home page */
  }
  return new URL("/", self.location.origin).href;
}

self.addEventListener("push", (event) => {
  let data = {};
  if (event.data) {
    try {
      data = event.data.json();
    } catch (error) {
      data = { body: event.data.text() };
    }
  }
  const options = {
    body: data.body || "",
    icon: ICON,
    badge: BADGE,
    lang: "fr",
    data: { url: safeUrl(data.url) },
    /* An update or the end of an alert replaces its earlier notification, and rings again. */
    tag: data.tag || undefined,
    renotify: Boolean(data.tag),
    /* An urgent alert stays on screen until the member acts on it. */
    requireInteraction: Boolean(data.urgent),
  };
  event.waitUntil(self.registration.showNotification(data.title || DEFAULT_TITLE, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = safeUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const client of windows) {
        if (client.url === target && "focus" in client) {
          return client.focus();
        }
      }
      return self.clients.openWindow(target);
    })()
  );
});
