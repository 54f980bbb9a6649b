// Waiting page: polls the fan's status at the pace the server asks for and goes to the purchase
// page the moment it is the fan's turn.
(() => {
  "use strict";
  const sale = document.body.dataset.sale;
  const $ = (id) => document.getElementById(id);
  const startKey = `waitroom:${sale}:start`;
  // A sale binding places to devices: each poll carries a proof made with this device's key
  // (device-key.js), which the turn is handed to only.
  const device = document.body.dataset.bound ? window.waitroomDevice : null;
  let proofRefusals = 0;
  // A bound place's move link needs a proof of purpose "move" made with this device's key: the
  // form carries it (device_proof), made when the fan asks (docs/api.md, "Move my place").
  const moveForm = $("move-link");
  if (device && moveForm) {
    moveForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const seq = device.seq(sale);
      let field = moveForm.querySelector("input[name=device_proof]");
      if (!field) {
        field = document.createElement("input");
        field.type = "hidden";
        field.name = "device_proof";
        moveForm.append(field);
      }
      field.value = seq ? await device.proof(sale, seq, "move") : "";
      moveForm.submit();
    });
  }
  let failures = 0;
  let keepAlive = false;
  let timer = null;

  function notice(text, kind) {
    const el = $("notice");
    el.hidden = !text;
    el.className = `notice ${kind || ""}`;
    el.textContent = text || "";
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
    if (drawAt) $("draw-at").textContent = new Date(Date.parse(drawAt)).toLocaleTimeString();
  }

  function show(s) {
    $("phase").textContent = s.phase;
    // "Continue on another device" (the move-link form): while the place is in line.
    const move = $("move-link");
    if (move) move.hidden = !(s.state === "waiting" || s.state === "prequeue");
    showDraw(s.state === "prequeue" ? s.draw_at : null);
    switch (s.state) {
      case "prequeue":
        $("position").textContent = "In the pre-queue";
        $("ahead").textContent = "–";
        $("eta").textContent = "–";
        notice("");
        return s.poll_after_ms;
      case "waiting":
        keepAlive = Boolean(s.keep_alive);
        $("position").textContent = s.position.toLocaleString();
        $("ahead").textContent = s.ahead.toLocaleString();
        // The server's words for eta_s, so the page and the server never round differently.
        $("eta").textContent = s.eta_text || "–";
        progress(s.position);
        notice(s.phase === "paused" ? "The sale is paused for a moment. You keep your place." : "");
        return s.poll_after_ms;
      case "your_turn":
        $("position").textContent = "It's your turn!";
        $("bar").style.width = "100%";
        notice("Taking you to the purchase page…", "ok");
        // form_post: the page of the turn POSTs the pass (never in a URL); query and fragment:
        // the purchase URL holds it.
        if (s.pass_delivery === "form_post") location.replace(`/s/${encodeURIComponent(sale)}`);
        else location.assign(s.purchase_url);
        return null;
      case "lapsed": {
        // Why the turn ended, in the words the server's page uses (src/routes/fan.rs,
        // turn_ended_words and turn_ended_title).
        const ended = {
          expired: ["Pass expired", "Your turn came, and your pass expired before the purchase was finished."],
          released: ["Turn ended", "The ticket site ended your turn without a purchase."],
          left: ["Place given up", "Your place was given up: this page stopped checking in before your turn came."],
        }[s.reason] || ["Turn missed", "Your turn came, but it was not claimed in time."];
        $("position").textContent = ended[0];
        $("title").textContent = "Your turn has ended";
        sessionStorage.removeItem(startKey);
        // An invitation-only sale's page has no "join again" form: the invitation was for one place.
        const rejoin = $("rejoin");
        if (rejoin) {
          notice(`${ended[1]} You can join the line again at the back.`, "bad");
          rejoin.hidden = false;
        } else {
          notice(`${ended[1]} Your invitation was for one place, so it cannot be used again.`, "bad");
        }
        return null;
      }
      case "moved":
        // The same words as the server's page (src/routes/fan/page.rs, MOVED_WORDS).
        $("position").textContent = "Place moved";
        $("title").textContent = "Your place moved to another device";
        // "Keep this page open…" no longer applies.
        const keep = document.querySelector("#title + p.muted");
        if (keep) keep.hidden = true;
        sessionStorage.removeItem(startKey);
        notice("Your place moved to another device, which holds it now. This device no longer has a place in this line.", "bad");
        document.dispatchEvent(new CustomEvent("waitroom:moved"));
        return null;
      case "closed":
        $("position").textContent = "Sale closed";
        notice("This sale has closed. Thank you for waiting.", "bad");
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
      if (seq) headers["Device-Proof"] = await device.proof(sale, seq, "claim");
      const res = await fetch(`/api/sales/${encodeURIComponent(sale)}/status`, { credentials: "same-origin", cache: "no-store", headers });
      if (device) device.heard(res);
      const refused = res.status === 401 && device
        ? String((await res.clone().json().catch(() => ({}))).error || "") : "";
      if (refused.startsWith("device_proof")) {
        // The turn is handed only to the device the place was taken on. A proof this device
        // made by a clock the server does not share: again, by the server's (heard above).
        proofRefusals += 1;
        if (seq && proofRefusals < 3) {
          timer = setTimeout(poll, 1000);
          return;
        }
        document.body.dataset.state = "bound_elsewhere";
        $("position").textContent = "Kept for another device";
        $("title").textContent = "Not this device's place";
        notice("This place was taken on another device, and only that device can use it.", "bad");
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
        $("position").textContent = "Place not found";
        if (rejoin) rejoin.hidden = false;
        notice(rejoin
          ? "We could not find the record of your place. You can join the line again at the back."
          : "We could not find the record of your place. Your invitation was for one place; please contact the organiser.", "bad");
        return;
      }
      if (!res.ok) throw new Error(`status ${res.status}`);
      failures = 0;
      const status = await res.json();
      if (device) device.setSeq(sale, status.seq);
      proofRefusals = 0;
      // turn-socket.js opens the fan's socket near the front (and notifies a hidden tab).
      document.dispatchEvent(new CustomEvent("waitroom:status", { detail: status }));
      wait = show(status);
      if (wait === null) return;
    } catch (_) {
      failures += 1;
      wait = Math.min(30000, 1000 * 2 ** failures);
      notice("Connection trouble; retrying. You keep your place.");
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
