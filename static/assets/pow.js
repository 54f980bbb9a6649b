// "Getting your place": solves the sale's proof-of-work challenge in a Web Worker, joins with the
// solution, and reloads into the waiting page (the join set the place's cookie).
(() => {
  "use strict";
  const body = document.body;
  const sale = body.dataset.sale;
  const $ = (id) => document.getElementById(id);
  const I = window.waitroomI18n;
  let attempts = 0;

  function notice(text, kind) {
    const el = $("notice");
    el.hidden = !text;
    el.className = `notice ${kind || ""}`;
    el.textContent = text || "";
  }

  function work(challenge, bits) {
    return new Promise((resolve, reject) => {
      const worker = new Worker("/assets/pow-worker.js");
      worker.onerror = (e) => { worker.terminate(); reject(e); };
      worker.onmessage = (e) => {
        if (e.data.nonce === undefined) {
          $("work").textContent = I.t("js-pow-tries", { tries: I.num(e.data.tried) });
          return;
        }
        worker.terminate();
        resolve(e.data);
      };
      worker.postMessage({ challenge, bits, start: Math.floor(Math.random() * 1e9) });
    });
  }

  async function getPlace(challenge, bits) {
    attempts += 1;
    body.dataset.state = "getting_place";
    const started = performance.now();
    const solved = await work(challenge, bits);
    body.dataset.solveMs = String(Math.round(performance.now() - started));
    const reply = await fetch(`/api/sales/${encodeURIComponent(sale)}/join`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      // A Turnstile sale's form brought the widget's token: the join carries it (it is checked
      // after the proof of work, so it was not spent yet).
      body: JSON.stringify({
        pow: { challenge, nonce: solved.nonce },
        ...(body.dataset.turnstileToken ? { turnstile_token: body.dataset.turnstileToken } : {}),
      }),
    });
    if (reply.ok) {
      body.dataset.state = "joined";
      location.replace(`/s/${encodeURIComponent(sale)}`);
      return;
    }
    const answer = await reply.json().catch(() => ({}));
    if (answer.pow && attempts < 5) {
      // The challenge expired or the difficulty changed: solve the fresh one.
      return getPlace(answer.pow.challenge, answer.pow.bits);
    }
    const wait = Number(reply.headers.get("Retry-After")) || 5;
    notice(reply.status === 429
      ? I.t("js-pow-rate-limited", { seconds: I.num(wait) })
      : I.t("js-pow-refused", { reason: answer.error || reply.status, seconds: I.num(wait) }), "bad");
    setTimeout(() => location.reload(), wait * 1000);
  }

  getPlace(body.dataset.challenge, Number(body.dataset.bits)).catch(() => {
    notice(I.t("js-pow-failed"), "bad");
    setTimeout(() => location.reload(), 5000);
  });
})();
