// A protected path's door, for a place bound to this device whose turn came (docs/api.md, "Path
// protection" and "Bound to this device"). A page load carries no Device-Proof, so this page
// makes one with this device's key (device-key.js) and asks for the same URL again with it: the
// door claims the turn and starts the session (its cookie set on that answer), and the page then
// loads through. A browser holding a copied cookie has another key: its proofs are refused, and
// the page says so in the waiting page's words (waiting.js).
(() => {
  "use strict";
  const body = document.body;
  const sale = body.dataset.sale;
  const seq = Number(body.dataset.seq);
  const device = window.waitroomDevice;
  const I = window.waitroomI18n;
  const $ = (id) => document.getElementById(id);
  // When this page last went through, and how many times in a row within a minute: a browser that
  // keeps no cookie would come back here each time; after three the page waits half a minute.
  const triesKey = `waitroom:${sale}:door`;

  function notice(text, kind) {
    const el = $("notice");
    el.hidden = !text;
    el.className = `notice ${kind || ""}`;
    el.textContent = text || "";
  }

  function refused() {
    body.dataset.state = "bound_elsewhere";
    $("position").textContent = I.t("js-bound-elsewhere-position");
    $("title").textContent = I.t("js-bound-elsewhere-title");
    notice(I.t("js-bound-elsewhere"), "bad");
  }

  function again() {
    const [at, tries] = (sessionStorage.getItem(triesKey) || "0:0").split(":").map(Number);
    const recent = Date.now() - at < 60000 ? tries : 0;
    if (recent >= 3) {
      sessionStorage.removeItem(triesKey);
      notice(I.t("js-connection-trouble"), "bad");
      setTimeout(() => location.reload(), 30000);
      return;
    }
    sessionStorage.setItem(triesKey, `${Date.now()}:${recent + 1}`);
    body.dataset.state = "through";
    location.replace(location.href);
  }

  async function through(refusals) {
    const reply = await fetch(location.href, {
      credentials: "same-origin",
      cache: "no-store",
      // The origin's redirect is for the page itself, once through.
      redirect: "manual",
      headers: { "Device-Proof": await device.proof(sale, seq, "claim") },
    });
    device.heard(reply);
    if (reply.status === 401) {
      const error = String((await reply.json().catch(() => ({}))).error || "");
      if (error.startsWith("device_proof")) {
        // A proof made by a clock the server does not share: again, by the server's (heard
        // above). Then this is not the device the place was taken on.
        if (refusals < 2) return through(refusals + 1);
        return refused();
      }
    }
    if (reply.status === 503) {
      const wait = Number(reply.headers.get("Retry-After")) || 5;
      notice(I.t("js-connection-trouble"));
      setTimeout(() => through(refusals).catch(trouble), wait * 1000);
      return;
    }
    // The session's cookie is set: the page itself now passes the door.
    again();
  }

  function trouble() {
    notice(I.t("js-connection-trouble"), "bad");
    setTimeout(() => through(0).catch(trouble), 5000);
  }

  // "Confirming this device…", in the page's words.
  $("notice").hidden = false;
  if (!seq) refused();
  else through(0).catch(trouble);
})();
