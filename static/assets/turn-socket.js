// The turn, pushed (docs/api.md, "The turn, pushed"). Near the front the status answer carries a
// socket_url: the page opens a WebSocket there and the coordinator sends `your_turn` with the
// pass the moment a window admits the fan, so the page goes to the purchase page at once. While
// the socket is open it is the fan's presence and waiting.js polls only now and then; if the
// socket is refused or fails, waiting.js polls as before and nothing is lost (the status answers
// the same turn with the same pass).
// Near the front, a hidden tab can also show a browser notification when the turn comes, if the
// fan allows it: permission is asked only when they press the button.
(() => {
  "use strict";
  const body = document.body;
  let socket = null;
  let failures = 0;
  let retryAt = 0;
  let ping = null;
  let turnTaken = false;

  // Tells waiting.js to poll now (it listens for this).
  const pollNow = () => document.dispatchEvent(new CustomEvent("waitroom:poll-now"));

  function notifyTurn() {
    if (!document.hidden || !("Notification" in window) || Notification.permission !== "granted") return;
    try {
      const I = window.waitroomI18n;
      const n = new Notification(I.t("js-notify-title"), { body: I.t("js-notify-body"), tag: "waitroom-turn", lang: I.lang });
      n.onclick = () => window.focus();
    } catch (_) {
      // Some browsers allow notifications only from a service worker: the page still moves on.
    }
  }

  // The same rule as waiting.js: form_post's pass is posted by the sale's own page (never in a
  // URL); query and fragment: the purchase URL holds it.
  function yourTurn(turn) {
    if (turnTaken) return;
    turnTaken = true;
    notifyTurn();
    // Said at once to a screen reader (role=alert), as waiting.js does for a turn it polled.
    const alert = document.getElementById("sr-turn");
    if (alert && window.waitroomI18n) alert.textContent = window.waitroomI18n.t("js-turn-alert");
    if (turn.pass_delivery === "form_post") {
      location.replace(`/s/${encodeURIComponent(document.body.dataset.sale)}`);
    } else {
      location.assign(turn.purchase_url);
    }
  }

  function offerNotification() {
    const button = document.getElementById("notify");
    if (!button || !("Notification" in window) || Notification.permission !== "default") return;
    button.hidden = false;
    button.onclick = () => {
      button.hidden = true;
      Notification.requestPermission().catch(() => {});
    };
  }

  function closed(code) {
    socket = null;
    body.dataset.socket = "closed";
    clearInterval(ping);
    if (turnTaken) return;
    // 4002: the turn came: poll now. 4001: not near the front by the coordinator's count (the
    // edge's snapshot was a moment behind): poll, and ask again in a while. 4009: see below.
    // Anything else (the
    // object is full, a test refused it, the network failed): poll, and try again later still.
    if (code === 4001) {
      retryAt = Date.now() + 10000;
    } else if (code === 4010) {
      // The place moved to another device: this page holds nothing now; its poll says so.
      retryAt = Infinity;
    } else if (code === 4009) {
      // Replaced: this fan's place opened a newer socket (another tab or device), which now holds
      // the turn's push; this page polls, and takes no socket back from it.
      retryAt = Infinity;
    } else if (code !== 4002) {
      failures += 1;
      retryAt = Date.now() + Math.min(60000, 5000 * 2 ** failures);
    }
    pollNow();
  }

  function open(path) {
    if (socket || turnTaken || Date.now() < retryAt || !("WebSocket" in window)) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    let ws;
    try {
      // The token travels in the fan's cookie, never in the URL.
      ws = new WebSocket(`${scheme}//${location.host}${path}`);
    } catch (_) {
      closed(0);
      return;
    }
    socket = ws;
    body.dataset.socket = "opening";
    ws.onmessage = (event) => {
      let m;
      try {
        m = JSON.parse(event.data);
      } catch (_) {
        return; // "pong"
      }
      if (m.type === "watching") {
        failures = 0;
        body.dataset.socket = "open";
        clearInterval(ping);
        ping = setInterval(() => ws.readyState === 1 && ws.send("ping"), 30000);
      } else if (m.type === "your_turn") {
        yourTurn(m);
      }
    };
    ws.onclose = (event) => closed(event.code);
  }

  // waiting.js hands over every status it gets.
  document.addEventListener("waitroom:status", (event) => {
    const s = event.detail;
    if (s.state === "your_turn") {
      // Reached by polling (no socket, or it failed): the notification all the same.
      if (!turnTaken) notifyTurn();
      return;
    }
    if (s.state === "waiting" && s.socket_url) {
      offerNotification();
      open(s.socket_url);
    }
  });
})();
