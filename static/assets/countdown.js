// Not-on-sale page: a live countdown to opens_at, then into the line by itself.
(() => {
  "use strict";
  const sale = document.body.dataset.sale;
  const $ = (id) => document.getElementById(id);
  const I = window.waitroomI18n;
  let opensAt = Date.parse(document.body.dataset.opensAt) || null;
  let skew = 0; // server time minus local time, so a wrong device clock does not matter
  let entering = false;

  // Everyone's countdown ends in the same second: spread the reloads over up to two seconds.
  function enter() {
    if (entering) return;
    entering = true;
    $("announce").textContent = I.t("js-sale-open");
    setTimeout(() => location.reload(), Math.random() * 2000);
  }

  function tick() {
    if (!opensAt) return;
    const left = Math.max(0, opensAt - (Date.now() + skew));
    $("countdown").hidden = false;
    const s = Math.floor(left / 1000);
    $("cd-days").textContent = I.num(Math.floor(s / 86400));
    $("cd-hours").textContent = I.num(Math.floor(s / 3600) % 24);
    $("cd-minutes").textContent = I.num(Math.floor(s / 60) % 60);
    $("cd-seconds").textContent = I.num(s % 60);
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
          const words = info.prequeue_opens_at
            ? I.t("js-prequeue-opens", { prequeue: I.dateTime(new Date(opensAt)), opens: I.dateTime(new Date(Date.parse(info.opens_at))) })
            : I.t("js-sale-opens", { opens: I.dateTime(new Date(opensAt)) });
          if ($("opens").textContent !== words) $("opens").textContent = words;
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
