{% load i18n %}"use strict";
/* Voisinage service worker: shows the alerts the platform pushes, opens them on click.
   There is deliberately no "fetch" handler: no page, private or public, is ever cached
   on the device, and every request goes to the network as if there were no worker. */

const DEFAULT_TITLE = "{% translate 'Alerte de votre quartier'|escapejs %}";
const ICON = "{{ icon|escapejs }}";
const BADGE = "{{ badge|escapejs }}";

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
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
