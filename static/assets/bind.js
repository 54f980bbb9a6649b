// "Getting your place" in a sale that binds places to devices: joins with this device's public
// key (device-key.js), and a proof for the place that ended if this device had one, then reloads
// into the waiting page (the join set the place's cookie).
(() => {
  "use strict";
  const body = document.body;
  const sale = body.dataset.sale;
  const device = window.waitroomDevice;
  const I = window.waitroomI18n;
  const $ = (id) => document.getElementById(id);

  function notice(text, kind) {
    const el = $("notice");
    el.hidden = !text;
    el.className = `notice ${kind || ""}`;
    el.textContent = text || "";
  }

  async function join(withProof) {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    const seq = device.seq(sale);
    if (withProof && seq) headers["Device-Proof"] = await device.proof(sale, seq, "claim");
    const reply = await fetch(`/api/sales/${encodeURIComponent(sale)}/join`, {
      method: "POST",
      credentials: "same-origin",
      headers,
      body: JSON.stringify({
        device_key: await device.publicJwk(sale),
        ...(body.dataset.turnstileToken ? { turnstile_token: body.dataset.turnstileToken } : {}),
      }),
    });
    device.heard(reply);
    const answer = await reply.json().catch(() => ({}));
    if (reply.ok) {
      device.setSeq(sale, answer.seq);
      body.dataset.state = "joined";
      // The waiting page: the sale's, or, at a protected path's door, the page it guards (the
      // door shows the waiting page there).
      location.replace(location.pathname.startsWith("/s/") ? `/s/${encodeURIComponent(sale)}` : location.href);
      return;
    }
    // A proof made by a clock the server does not share: once more, by the server's clock.
    if (withProof && answer.error === "device_proof_invalid") return join(false);
    if (answer.pow) {
      // Proof of work first: the sale page solves it (pow.js joins with this device's key).
      location.replace(`/s/${encodeURIComponent(sale)}`);
      return;
    }
    if (answer.error === "device_proof_required") {
      body.dataset.state = "bound_elsewhere";
      notice(I.t("js-bind-taken-elsewhere"), "bad");
      return;
    }
    const wait = Number(reply.headers.get("Retry-After")) || 5;
    notice(`${answer.message || "Something went wrong"}. Trying again in ${wait} seconds…`, "bad");
    setTimeout(() => location.reload(), wait * 1000);
  }

  join(true).catch(() => {
    notice(I.t("js-pow-failed"), "bad");
    setTimeout(() => location.reload(), 5000);
  });
})();
