// Not-on-sale page: a live countdown to opens_at, then into the line by itself.
(() => {
  "use strict";
  const sale = document.body.dataset.sale;
  const $ = (id) => document.getElementById(id);
  let opensAt = Date.parse(document.body.dataset.opensAt) || null;
  let skew = 0; // server time minus local time, so a wrong device clock does not matter
  let entering = false;

  // Everyone's countdown ends in the same second: spread the reloads over up to two seconds.
  function enter() {
    if (entering) return;
    entering = true;
    $("announce").textContent = "The sale is open! Taking you to the line…";
    setTimeout(() => location.reload(), Math.random() * 2000);
  }

  function tick() {
    if (!opensAt) return;
    const left = Math.max(0, opensAt - (Date.now() + skew));
    $("countdown").hidden = false;
    const s = Math.floor(left / 1000);
    $("cd-days").textContent = Math.floor(s / 86400);
    $("cd-hours").textContent = Math.floor(s / 3600) % 24;
    $("cd-minutes").textContent = Math.floor(s / 60) % 60;
    $("cd-seconds").textContent = s % 60;
    if (left === 0) enter();
  }

  async function refresh() {
    try {
      const res = await fetch(`/api/sales/${encodeURIComponent(sale)}`, { headers: { Accept: "application/json" } });
      if (res.ok) {
        const info = await res.json();
        if (info.server_time) skew = Date.parse(info.server_time) - Date.now();
        // A sale with a pre-queue lets fans in when the pre-queue opens.
        const doors = info.prequeue_opens_at || info.opens_at;
        opensAt = doors ? Date.parse(doors) : null;
        if (opensAt) {
          $("opens").textContent = info.prequeue_opens_at
            ? `The pre-queue opens ${new Date(opensAt).toLocaleString()}; its order is drawn at random when the sale opens, ${new Date(Date.parse(info.opens_at)).toLocaleString()}. Keep this page open: it lets you in by itself.`
            : `Tickets go on sale ${new Date(opensAt).toLocaleString()}. Keep this page open: it lets you in by itself.`;
        }
        if (info.phase !== "scheduled") return enter();
      }
    } catch (_) { /* offline for a moment: try again later */ }
    // Ask again now and then in case the promoter opens early; jittered so the crowd spreads out.
    setTimeout(refresh, 10000 + Math.random() * 5000);
  }

  setInterval(tick, 250);
  tick();
  refresh();
})();
