// The waiting page's service worker for "Close the tab, be called back" (docs/api.md, "Called
// back"; registered by push.js, one per sale). A push is the coordinator's JSON, decrypted by the
// browser: {"kind": "near_front" | "turn", "sale", "name", "url", "ahead" | "claim_by"}. It is
// shown as a notification in the page's language (the words come in this script's URL:
// `lang`, `near`, `turn`, patterns with {$ahead} and {$time}); a click opens `url`, a path of
// this site, or brings a tab already on it to the front.
"use strict";

const words = new URL(self.location.href).searchParams;
const lang = words.get("lang") || "en";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function fill(pattern, name, value) {
  return (pattern || "").split(`{$${name}}`).join(value);
}

// Only a path of this site is opened: a push names our own page.
function ownUrl(url) {
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//")
    ? new URL(url, self.location.origin).href
    : new URL(`/s/${encodeURIComponent(words.get("sale") || "")}`, self.location.origin).href;
}

self.addEventListener("push", (event) => {
  let push = {};
  try {
    push = event.data ? event.data.json() : {};
  } catch (_) {
    // Not ours to read: still shown (a push must show something), as the turn's page link.
  }
  let body;
  if (push.kind === "near_front") {
    body = fill(words.get("near"), "ahead", new Intl.NumberFormat(lang).format(Number(push.ahead) || 0));
  } else {
    const by = Date.parse(push.claim_by);
    const time = Number.isNaN(by) ? "" : new Intl.DateTimeFormat(lang, { hour: "numeric", minute: "2-digit" }).format(new Date(by));
    body = fill(words.get("turn"), "time", time);
  }
  event.waitUntil(self.registration.showNotification(String(push.name || ""), {
    body,
    lang,
    tag: `waitroom-${push.sale || words.get("sale")}`,
    renotify: true,
    requireInteraction: push.kind === "turn",
    data: { url: ownUrl(push.url) },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || ownUrl(null);
  event.waitUntil((async () => {
    const open = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const tab = open.find((client) => new URL(client.url).pathname === new URL(url).pathname);
    if (tab) {
      await tab.focus();
      return;
    }
    await self.clients.openWindow(url);
  })());
});
