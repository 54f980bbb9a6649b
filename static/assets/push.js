// "Close the tab, be called back" (docs/api.md, "Called back"): on the waiting page of a sale
// that calls back by Web Push, the fan may ask to be notified when they are near the front and
// when it is their turn. This script registers the service worker (push-sw.js, one registration
// per sale: its own scope), subscribes with the deployment's VAPID key (`public_key` of
// GET /api/sales/{sale}/push) and hands the subscription to POST /api/sales/{sale}/push; "turn
// off" sends DELETE and unsubscribes. Nothing is asked of the server until the fan presses the
// button, or, on a later visit, a subscription this browser kept for the sale is handed over
// again (its place may be new; the same endpoint replaces itself).
(() => {
  "use strict";
  const sale = document.body.dataset.sale;
  const I = window.waitroomI18n;
  const $ = (id) => document.getElementById(id);
  const box = $("push");
  const state = $("push-state");
  const on = $("push-on");
  const off = $("push-off");
  if (!box || !sale) return;
  const api = `/api/sales/${encodeURIComponent(sale)}/push`;
  // One registration per sale, so that turning one sale's notifications off leaves another's.
  const scope = `/assets/push-sw/${encodeURIComponent(sale)}/`;
  const supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  // Offered while the place is in line (a pre-queue place has no position to be called at yet).
  let inLine = false;
  let subscribed = false;
  let busy = false;

  function show(text, kind) {
    state.textContent = text;
    state.className = kind ? `notice ${kind}` : "";
  }

  function render() {
    box.hidden = !inLine;
    on.hidden = subscribed || !supported || Notification.permission === "denied";
    off.hidden = !subscribed;
    on.disabled = off.disabled = busy;
  }

  // The notifications' words travel in the service worker's URL (it has no page to read them
  // from): the sale, the page's language and the two patterns.
  function workerUrl() {
    const q = new URLSearchParams({
      sale,
      lang: I.lang,
      near: I.t("js-push-near", { ahead: "{$ahead}" }),
      turn: I.t("js-push-turn", { time: "{$time}" }),
    });
    return `/assets/push-sw.js?${q}`;
  }

  async function activeRegistration() {
    const reg = await navigator.serviceWorker.register(workerUrl(), { scope });
    if (reg.active) return reg;
    const worker = reg.installing || reg.waiting;
    await new Promise((resolve, reject) => {
      worker.addEventListener("statechange", () => {
        if (worker.state === "activated") resolve();
        if (worker.state === "redundant") reject(new Error("service worker redundant"));
      });
    });
    return reg;
  }

  function keyBytes(base64url) {
    const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(text, (c) => c.charCodeAt(0));
  }

  function keyText(buffer) {
    const text = String.fromCharCode(...new Uint8Array(buffer));
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function send(method, body) {
    const res = await fetch(api, {
      method,
      credentials: "same-origin",
      cache: "no-store",
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const answer = await res.json().catch(() => ({}));
    if (!res.ok) throw Object.assign(new Error(answer.error || `status ${res.status}`), { code: answer.error });
    return answer;
  }

  // Hands `sub` to the server for this fan's place. Returns false where the server will not
  // call this place (the turn came, the place moved or ended, the sale stopped calling back).
  async function hand(sub) {
    const body = sub.toJSON();
    const key = sub.options && sub.options.applicationServerKey;
    if (key) body.application_server_key = keyText(key);
    try {
      await send("POST", body);
      return true;
    } catch (e) {
      if (e.code === "application_server_key") {
        // Subscribed with a key the deployment no longer has: subscribe again.
        await sub.unsubscribe();
        return false;
      }
      throw e;
    }
  }

  async function turnOn() {
    busy = true;
    render();
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        show(I.t(permission === "denied" ? "js-push-denied" : "js-push-off"), permission === "denied" ? "bad" : "");
        return;
      }
      const { public_key: publicKey } = await send("GET");
      const reg = await activeRegistration();
      let sub = await reg.pushManager.getSubscription();
      if (sub && sub.options && sub.options.applicationServerKey
        && keyText(sub.options.applicationServerKey) !== publicKey) {
        await sub.unsubscribe();
        sub = null;
      }
      // A browser that cannot reach its push service may never answer: give up after 20 s.
      sub = sub || await Promise.race([
        reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }),
        new Promise((_, reject) => setTimeout(() => reject(new Error("push service timeout")), 20000)),
      ]);
      await send("POST", sub.toJSON());
      subscribed = true;
      show(I.t("js-push-on"), "ok");
    } catch (e) {
      show(I.t(e.code === "push_too_late" ? "js-push-off" : "js-push-failed"), "bad");
    } finally {
      busy = false;
      render();
    }
  }

  async function turnOff() {
    busy = true;
    render();
    try {
      const reg = await navigator.serviceWorker.getRegistration(scope);
      const sub = reg && await reg.pushManager.getSubscription();
      await send("DELETE", sub ? { endpoint: sub.endpoint } : null);
      if (sub) await sub.unsubscribe();
      subscribed = false;
      show(I.t("js-push-off"));
    } catch (_) {
      show(I.t("js-push-failed"), "bad");
    } finally {
      busy = false;
      render();
    }
  }

  // A later visit: the subscription this browser kept for the sale, handed over again.
  async function resume() {
    if (Notification.permission !== "granted") return;
    const reg = await navigator.serviceWorker.getRegistration(scope);
    const sub = reg && await reg.pushManager.getSubscription();
    if (!sub) return;
    try {
      subscribed = await hand(sub);
      if (subscribed) show(I.t("js-push-on"), "ok");
    } catch (_) {
      // The turn came, the place ended or moved: nothing to call; the page's poll says why.
    }
    render();
  }

  if (!supported) {
    show(I.t("js-push-unsupported"));
  } else if (Notification.permission === "denied") {
    show(I.t("js-push-denied"), "bad");
  }
  on.addEventListener("click", turnOn);
  off.addEventListener("click", turnOff);
  // waiting.js tells every status it polled.
  document.addEventListener("waitroom:status", (event) => {
    const was = inLine;
    inLine = event.detail.state === "waiting";
    if (inLine && !was && supported && !subscribed) resume().catch(() => {});
    render();
  });
})();
