// Waiting page: polls the fan's status at the pace the server asks for and goes to the purchase
// page the moment it is the fan's turn.
(() => {
  "use strict";
  const sale = document.body.dataset.sale;
  const $ = (id) => document.getElementById(id);
  const I = window.waitroomI18n;
  const startKey = `waitroom:${sale}:start`;
  // A sale binding places to devices: the turn is handed only to a proof made with this
  // device's key (device-key.js). A poll carries one only when the turn may be near (the first
  // poll, near the front, nobody ahead, or the server asked for one): far back a proof is not
  // read, and each costs a signature and ~400 bytes.
  const device = document.body.dataset.bound ? window.waitroomDevice : null;
  let proofRefusals = 0;
  let proofDue = true;
  // A bound place's move link, and its party link, need a proof of purpose "move" made with this
  // device's key: the form carries it (device_proof), made when the fan asks (docs/api.md, "Move
  // my place", "Come as a party").
  for (const form of [$("move-link"), $("party-link")]) {
    if (!device || !form) continue;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const seq = device.seq(sale);
      let field = form.querySelector("input[name=device_proof]");
      if (!field) {
        field = document.createElement("input");
        field.type = "hidden";
        field.name = "device_proof";
        form.append(field);
      }
      field.value = seq ? await device.proof(sale, seq, "move") : "";
      form.submit();
    });
  }
  let failures = 0;
  let keepAlive = false;
  let timer = null;

  // Writes text only when it changed: rewriting the same words into a live region (the notice
  // is role=status) makes some screen readers say them again at every poll.
  function setText(el, text) {
    if (el && el.textContent !== text) el.textContent = text;
  }

  function notice(text, kind) {
    const el = $("notice");
    el.hidden = !text;
    const cls = `notice ${kind || ""}`;
    if (el.className !== cls) el.className = cls;
    setText(el, text || "");
  }

  // What a screen reader hears of the place (the polite region #sr-place): the first place
  // shown, then only a change that matters: in the last ten places every step, otherwise when
  // the place has moved by a tenth since it was last said, or a minute has passed since. The
  // same words are never said twice in a row.
  const spoken = { position: null, at: 0, text: "" };
  function say(text) {
    if (text === spoken.text) return;
    spoken.text = text;
    setText($("sr-place"), text);
  }
  function announcePlace(position, eta) {
    const last = spoken.position;
    const now = Date.now();
    const matters = last === null
      || (position !== last && (position <= 10
        || Math.abs(last - position) >= Math.max(1, Math.round(last / 10))
        || now - spoken.at >= 60000));
    if (!matters) return;
    spoken.position = position;
    spoken.at = now;
    say(I.t("js-place-announce", { position: I.num(position), wait: eta }));
  }

  function progress(position) {
    let start = Number(sessionStorage.getItem(startKey));
    if (!start || position > start) {
      start = position;
      sessionStorage.setItem(startKey, String(start));
    }
    const done = start <= 1 ? 100 : Math.round(((start - position) / (start - 1)) * 100);
    $("bar").style.width = `${done}%`;
    document.querySelector(".progress").setAttribute("aria-valuenow", String(done));
  }

  function showDraw(drawAt) {
    const el = $("draw");
    el.hidden = !drawAt;
    if (drawAt) setText($("draw-at"), I.time(new Date(Date.parse(drawAt))));
  }

  function show(s) {
    setText($("phase"), I.t(`phase-${s.phase}`));
    // "Continue on another device" (the move-link form): while the place is in line.
    const move = $("move-link");
    if (move) move.hidden = !(s.state === "waiting" || s.state === "prequeue");
    showDraw(s.state === "prequeue" ? s.draw_at : null);
    switch (s.state) {
      case "prequeue":
        setText($("position"), I.t("place-in-prequeue"));
        setText($("ahead"), "–");
        setText($("eta"), "–");
        say(I.t("js-prequeue-announce"));
        notice("");
        return s.poll_after_ms;
      case "waiting":
        keepAlive = Boolean(s.keep_alive);
        setText($("position"), I.num(s.position));
        setText($("ahead"), I.num(s.ahead));
        // The wait in the page's language (Intl), from the server's eta_s.
        setText($("eta"), I.wait(s.eta_s));
        progress(s.position);
        announcePlace(s.position, I.wait(s.eta_s));
        notice(s.phase === "paused" ? I.t("js-paused") : "");
        return s.poll_after_ms;
      case "your_turn":
        setText($("position"), I.t("place-your-turn"));
        $("bar").style.width = "100%";
        // Assertive (role=alert): said at once, over whatever else is being read.
        setText($("sr-turn"), I.t("js-turn-alert"));
        notice(I.t("js-taking-you"), "ok");
        // form_post: the page of the turn POSTs the pass (never in a URL); query and fragment:
        // the purchase URL holds it.
        if (s.pass_delivery === "form_post") location.replace(`/s/${encodeURIComponent(sale)}`);
        else location.assign(s.purchase_url);
        return null;
      case "lapsed": {
        // Why the turn ended, in the words the server's page uses (the same catalogue
        // messages: src/routes/fan/place_words.rs, turn_ended_words and turn_ended_title).
        const why = ["expired", "released", "left"].includes(s.reason) ? s.reason : "missed";
        const ended = [I.t(`turn-${why}-title`), I.t(`turn-${why}`)];
        setText($("position"), ended[0]);
        setText($("title"), I.t("turn-ended-heading"));
        sessionStorage.removeItem(startKey);
        // An invitation-only sale's page has no "join again" form: the invitation was for one place.
        const rejoin = $("rejoin");
        if (rejoin) {
          notice(`${ended[1]} ${I.t("turn-rejoin")}`, "bad");
          rejoin.hidden = false;
        } else {
          notice(`${ended[1]} ${I.t("invitation-once")}`, "bad");
        }
        return null;
      }
      case "moved":
        // The same words as the server's page (src/routes/fan/place_words.rs).
        setText($("position"), I.t("place-moved"));
        setText($("title"), I.t("place-moved-heading"));
        // "Keep this page open…" no longer applies.
        const keep = document.querySelector("#title + p.muted");
        if (keep) keep.hidden = true;
        sessionStorage.removeItem(startKey);
        notice(I.t("place-moved-body"), "bad");
        document.dispatchEvent(new CustomEvent("waitroom:moved"));
        return null;
      case "closed":
        setText($("position"), I.t("place-sale-closed"));
        notice(I.t("js-closed"), "bad");
        return null;
      default:
        return 5000;
    }
  }

  async function poll() {
    timer = null;
    let wait;
    try {
      const headers = {};
      const seq = device && device.seq(sale);
      const proved = Boolean(seq && proofDue);
      if (proved) headers["Device-Proof"] = await device.proof(sale, seq, "claim");
      const res = await fetch(`/api/sales/${encodeURIComponent(sale)}/status`, { credentials: "same-origin", cache: "no-store", headers });
      if (device) device.heard(res);
      const refused = res.status === 401 && device
        ? String((await res.clone().json().catch(() => ({}))).error || "") : "";
      if (refused === "device_proof_required" && !proved && seq) {
        // Reached between two polls: again at once, with the proof.
        proofDue = true;
        timer = setTimeout(poll, 0);
        return;
      }
      if (refused.startsWith("device_proof")) {
        // The turn is handed only to the device the place was taken on. A proof this device
        // made by a clock the server does not share: again, by the server's (heard above).
        proofRefusals += 1;
        if (seq && proofRefusals < 3) {
          timer = setTimeout(poll, 1000);
          return;
        }
        document.body.dataset.state = "bound_elsewhere";
        // Nothing here to move: the place is another device's (a link would be refused anyway).
        const move = $("move-link");
        if (move) move.hidden = true;
        $("position").textContent = I.t("js-bound-elsewhere-position");
        $("title").textContent = I.t("js-bound-elsewhere-title");
        notice(I.t("js-bound-elsewhere"), "bad");
        return;
      }
      if (res.status === 401) {
        // No valid place on this device (cookie lost or expired): the page itself hands one out.
        location.reload();
        return;
      }
      const lost = res.status === 404
        && (await res.clone().json().catch(() => ({}))).error === "assignment_not_found";
      if (lost) {
        // The record of this fan's place could not be read (the page says so when it loads):
        // nothing to poll for; the "join again" form takes a new place.
        const rejoin = $("rejoin");
        setText($("position"), I.t("place-not-found"));
        if (rejoin) rejoin.hidden = false;
        notice(`${I.t("place-lost")} ${I.t(rejoin ? "turn-rejoin" : "place-lost-invitation")}`, "bad");
        return;
      }
      if (!res.ok) throw new Error(`status ${res.status}`);
      failures = 0;
      const status = await res.json();
      if (device) device.setSeq(sale, status.seq);
      proofRefusals = 0;
      proofDue = !["waiting", "prequeue"].includes(status.state) || Boolean(status.keep_alive)
        || status.ahead === 0;
      // turn-socket.js opens the fan's socket near the front (and notifies a hidden tab).
      document.dispatchEvent(new CustomEvent("waitroom:status", { detail: status }));
      wait = show(status);
      if (wait === null) return;
    } catch (_) {
      failures += 1;
      wait = Math.min(30000, 1000 * 2 ** failures);
      notice(I.t("js-connection-trouble"));
    }
    // A hidden tab polls four times slower and catches up when shown again; but near the front
    // the server needs to hear from the fan to keep their place (keep_alive), so it keeps pace.
    if (document.hidden && !keepAlive) wait *= 4;
    // An open socket (turn-socket.js) is the fan's presence and brings the turn: poll only to
    // refresh the numbers shown.
    if (document.body.dataset.socket === "open") wait = Math.max(wait, 10000);
    timer = setTimeout(poll, wait);
  }

  // The socket closed or was refused: back to polling at the server's pace, now.
  document.addEventListener("waitroom:poll-now", () => {
    if (timer !== null) {
      clearTimeout(timer);
      poll();
    }
  });

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && timer !== null) {
      clearTimeout(timer);
      poll();
    }
  });
  poll();
})();
