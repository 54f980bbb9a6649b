// "Continue on another device", the receiving end (docs/api.md, "Move my place"): the link's code
// is in its fragment (never sent to a server); the page takes it into the form and posts it, once,
// and forgets the fragment so a reload does not post a used code again. A sale that binds places
// to devices: the place is taken with this device's key (device-key.js, as bind.js joins), so
// its turn is handed only to this device's proofs; the page posts the code and the public key to
// the JSON route and goes on to the sale page.
(() => {
  "use strict";
  const code = decodeURIComponent(location.hash.slice(1));
  if (!code) return;
  history.replaceState(null, "", location.pathname);
  const body = document.body;
  const sale = body.dataset.sale;
  const form = document.getElementById("move");
  document.getElementById("code").value = code;
  const notice = document.getElementById("notice");
  const say = (text, bad) => {
    notice.hidden = false;
    notice.className = `notice ${bad ? "bad" : ""}`;
    notice.textContent = text;
  };
  const I = window.waitroomI18n;
  say(I ? I.t("js-moving") : "…");
  const device = body.dataset.bound ? window.waitroomDevice : null;
  if (!device) {
    form.submit();
    return;
  }
  (async () => {
    const reply = await fetch(`/api/sales/${encodeURIComponent(sale)}/move`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ code, device_key: await device.publicJwk(sale) }),
    });
    device.heard(reply);
    const answer = await reply.json().catch(() => ({}));
    if (reply.ok) {
      device.setSeq(sale, answer.seq);
      body.dataset.state = "moved_here";
      location.replace(`/s/${encodeURIComponent(sale)}`);
      return;
    }
    body.dataset.state = "refused";
    say(I ? I.t("js-move-failed") : "…", true);
  })().catch(() => say(I ? I.t("js-move-retry") : "…", true));
})();
