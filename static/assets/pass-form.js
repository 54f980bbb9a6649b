// The fan's turn with pass_delivery form_post: the pass goes to the purchase page in a POST,
// never in a URL. Submits the page's form at once, except when the fan came back to this page
// with the Back button (the pass was sent already; the button is still there). Without
// JavaScript the fan presses the button.
// WCAG 2.2.1: when the page stays (Back), it says when the turn ends in the fan's own time and
// counts down, and a minute before the end it warns (role=alert, said at once).
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const form = $("pass-form");
  const nav = performance.getEntriesByType("navigation")[0];
  if (form && !(nav && nav.type === "back_forward")) {
    form.submit();
    return;
  }
  const at = $("expires-at");
  const end = at ? Date.parse(at.getAttribute("datetime")) : NaN;
  if (Number.isNaN(end)) return;
  const I = window.waitroomI18n;
  at.textContent = I.time(new Date(end));
  const left = $("time-left");
  let warned = false;
  function tick() {
    const s = Math.max(0, Math.round((end - Date.now()) / 1000));
    const m = Math.floor(s / 60);
    const text = s === 0
      ? I.t("js-time-over")
      : I.t("js-time-left", { minutes: I.num(m), seconds: I.num(s % 60) });
    left.hidden = false;
    if (s <= 60 && s > 0 && !warned) {
      warned = true;
      left.setAttribute("role", "alert");
      left.className = "notice bad";
      left.textContent = I.t("js-time-warning", { seconds: I.num(s) });
    } else if (s > 60 || s === 0) {
      // Updated once a minute while there is time, so a screen reader is not told every second.
      if (s === 0 || s % 60 === 0 || left.textContent === "") left.textContent = text;
    }
    if (s > 0) setTimeout(tick, 1000);
  }
  tick();
})();
