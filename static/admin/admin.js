// Promoter dashboard: sales, their settings, open / pause / close, and live numbers.
// Everything the API returns is put on the page with textContent (never innerHTML).
(() => {
  "use strict";

  const KEY_STORAGE = "waitroom.adminKey";
  const REFRESH_MS = 3000;
  const LIST_REFRESH_MS = 15000;
  const DEFAULT_COLOR = "#5b21b6";
  const $ = (id) => document.getElementById(id);

  // Form inputs by the API's field names (the `field` of a 400 invalid_field answer).
  const FIELDS = {
    id: "f-id",
    name: "f-name",
    opens_at: "f-opens-at",
    prequeue_opens_at: "f-prequeue-opens-at",
    purchase_url: "f-purchase-url",
    claim_ttl_s: "f-claim-ttl",
    pass_ttl_s: "f-pass-ttl",
    shards: "f-shards",
    presence_ttl_s: "f-presence-ttl",
    webhook_url: "f-webhook-url",
    "admission.mode": "f-admission-mode",
    "admission.per_minute": "f-per-minute",
    "admission.active": "f-active",
    "admission.session_s": "f-session",
    turnstile_site_key: "f-turnstile-site-key",
    pass_delivery: "f-pass-delivery",
    pow_bits: "f-pow-bits",
    rate_limit_per_min: "f-rate-limit",
    over_budget: "f-over-budget",
    device_binding: "f-device-binding",
    access: "f-access",
    invite_jwks: "f-invite-jwks",
    assist: "f-assist-multiplier",
    "assist.multiplier": "f-assist-multiplier",
    "assist.max_places": "f-assist-places",
    push: "f-push",
    "push.near_front": "f-push-near",
    "push.return_window_s": "f-push-window",
    party_max: "f-party-max",
    protect: "f-protect",
    "protect.origin": "f-protect",
    "protect.hosts": "f-protect",
    "protect.paths": "f-protect",
    "protect.session_s": "f-protect",
    "protect.fail_mode": "f-protect",
    "protect.bypass.paths": "f-protect",
    "protect.bypass.header": "f-protect",
    "protect.bypass.cookie": "f-protect",
    "protect.bypass.secret": "f-protect",
    "protect.bypass.cidrs": "f-protect",
    "protect.queue_when": "f-net-new",
    "protect.queue_when.active_sessions": "f-net-active",
    "protect.queue_when.new_sessions_per_min": "f-net-new",
    "protect.queue_when.quiet_s": "f-net-quiet",
    "branding.color": "f-brand-color",
    "branding.logo_url": "f-logo-url",
    "branding.message": "f-message",
    "branding.messages": "f-messages",
  };
  const ERROR_OF = {
    "f-id": "e-id",
    "f-name": "e-name",
    "f-opens-at": "e-opens-at",
    "f-prequeue-opens-at": "e-prequeue-opens-at",
    "f-purchase-url": "e-purchase-url",
    "f-claim-ttl": "e-claim-ttl",
    "f-pass-ttl": "e-pass-ttl",
    "f-shards": "e-shards",
    "f-presence-ttl": "e-presence-ttl",
    "f-webhook-url": "e-webhook-url",
    "f-admission-mode": "e-admission-mode",
    "f-per-minute": "e-per-minute",
    "f-active": "e-active",
    "f-session": "e-session",
    "f-turnstile-site-key": "e-turnstile-site-key",
    "f-pass-delivery": "e-pass-delivery",
    "f-pow-bits": "e-pow-bits",
    "f-rate-limit": "e-rate-limit",
    "f-over-budget": "e-over-budget",
    "f-device-binding": "e-device-binding",
    "f-access": "e-access",
    "f-invite-jwks": "e-invite-jwks",
    "f-assist-multiplier": "e-assist-multiplier",
    "f-assist-places": "e-assist-places",
    "f-push-near": "e-push-near",
    "f-push-window": "e-push-window",
    "f-party-max": "e-party-max",
    "f-protect": "e-protect",
    "f-net-active": "e-net-active",
    "f-net-new": "e-net-new",
    "f-net-quiet": "e-net-quiet",
    "f-brand-color": "e-brand-color",
    "f-logo-url": "e-logo-url",
    "f-message": "e-message",
    "f-messages": "e-messages",
  };

  const state = {
    key: null,
    sales: new Map(), // id -> latest report
    selected: null, // sale id
    editing: null, // sale id the form edits, or null when creating
    report: null, // latest report of the selected sale
    chart: null,
    refreshTimer: null,
    listTimer: null,
    tickTimer: null,
    monitorTimer: null,
    inFlight: false,
    inks: new Map(), // brand colour -> the text colour the server picked for it
  };

  // ---------------------------------------------------------------------------------------------
  // API
  // ---------------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || `The server answered ${status}`);
      this.status = status;
      this.body = body || {};
    }
  }

  async function api(method, path, body, key = state.key) {
    const headers = { Accept: "application/json", Authorization: `Bearer ${key}` };
    const init = { method, headers, cache: "no-store", credentials: "omit" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const res = await fetch(path, init);
    let data = null;
    try {
      data = await res.json();
    } catch (_) {
      data = null;
    }
    if (!res.ok) throw new ApiError(res.status, data);
    return data;
  }

  const salePath = (id) => `/api/admin/sales/${encodeURIComponent(id)}`;

  // ---------------------------------------------------------------------------------------------
  // Formatting
  // ---------------------------------------------------------------------------------------------

  const numberFormat = new Intl.NumberFormat();
  const fmtCount = (n) => (typeof n === "number" && Number.isFinite(n) ? numberFormat.format(n) : "–");

  function fmtLocal(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return "";
    return d.toLocaleString(undefined, {
      weekday: "short", day: "numeric", month: "short", year: "numeric",
      hour: "2-digit", minute: "2-digit", timeZoneName: "short",
    });
  }

  /// A length of time for people: "45 s", "3 min", "2 h 5 min", "3 days".
  function fmtSpan(seconds) {
    const s = Math.max(0, Math.round(seconds));
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.round(s / 60)} min`;
    if (s < 86400) {
      const h = Math.floor(s / 3600);
      const m = Math.round((s % 3600) / 60);
      return m ? `${h} h ${m} min` : `${h} h`;
    }
    const days = Math.round(s / 86400);
    return `${days} day${days === 1 ? "" : "s"}`;
  }

  function relative(iso, now = Date.now()) {
    const diff = (Date.parse(iso) - now) / 1000;
    if (Math.abs(diff) < 1) return "now";
    return diff > 0 ? `in ${fmtSpan(diff)}` : `${fmtSpan(-diff)} ago`;
  }

  /// "YYYY-MM-DDTHH:MM" in local time, for <input type="datetime-local">.
  function toLocalInput(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return "";
    const p = (n) => String(n).padStart(2, "0");
    const secs = d.getSeconds() ? `:${p(d.getSeconds())}` : "";
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}${secs}`;
  }

  /// A datetime-local value (local time) as RFC 3339 UTC, whole seconds: "2026-05-01T08:00:00Z".
  function localInputToUtc(value) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
    if (!m) return null;
    const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
    if (Number.isNaN(d.getTime())) return null;
    return d.toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  const PHASE_LABEL = { scheduled: "Not on sale yet", prequeue: "Pre-queue", open: "Open", paused: "Paused", closed: "Closed" };

  function phaseElement(tag, phase) {
    const el = document.createElement(tag);
    el.className = `phase phase-${/^[a-z]+$/.test(phase) ? phase : "unknown"}`;
    el.textContent = PHASE_LABEL[phase] || String(phase);
    return el;
  }

  function setPhaseBadge(el, phase) {
    el.className = `phase-badge phase-${/^[a-z]+$/.test(phase) ? phase : "unknown"}`;
    el.textContent = PHASE_LABEL[phase] || String(phase);
    el.dataset.phase = phase;
  }

  // ---------------------------------------------------------------------------------------------
  // Signing in and out
  // ---------------------------------------------------------------------------------------------

  function showKeyError(text) {
    const el = $("key-error");
    el.textContent = text;
    el.hidden = !text;
    $("admin-key").setAttribute("aria-invalid", text ? "true" : "false");
  }

  async function onKeySubmit(event) {
    event.preventDefault();
    const key = $("admin-key").value.trim();
    if (!key) {
      showKeyError("Enter the admin key.");
      $("admin-key").focus();
      return;
    }
    const button = $("key-submit");
    button.disabled = true;
    button.textContent = "Checking…";
    try {
      const list = await api("GET", "/api/admin/sales", undefined, key);
      showKeyError("");
      sessionStorage.setItem(KEY_STORAGE, key);
      $("admin-key").value = "";
      enterApp(key, list);
    } catch (e) {
      sessionStorage.removeItem(KEY_STORAGE);
      if (e instanceof ApiError && e.status === 401) {
        showKeyError("That admin key was refused. Check it and try again.");
      } else if (e instanceof ApiError) {
        showKeyError(`The server could not check the key: ${e.message}`);
      } else {
        showKeyError("The server could not be reached. Check your connection and try again.");
      }
      $("admin-key").focus();
      $("admin-key").select();
    } finally {
      button.disabled = false;
      button.textContent = "Sign in";
    }
  }

  function signOut(message) {
    sessionStorage.removeItem(KEY_STORAGE);
    state.key = null;
    state.sales.clear();
    state.selected = null;
    state.report = null;
    clearInterval(state.refreshTimer);
    clearInterval(state.listTimer);
    clearInterval(state.tickTimer);
    clearInterval(state.monitorTimer);
    state.refreshTimer = state.listTimer = state.tickTimer = null;
    if (state.chart) {
      state.chart.destroy();
      state.chart = null;
    }
    $("sales").replaceChildren();
    $("selected").hidden = true;
    $("app").hidden = true;
    $("sign-out").hidden = true;
    $("signin").hidden = false;
    showKeyError(message || "");
    $("admin-key").focus();
  }

  function enterApp(key, list) {
    state.key = key;
    $("signin").hidden = true;
    $("app").hidden = false;
    $("sign-out").hidden = false;
    resetForm();
    renderSales((list && list.sales) || []);
    state.listTimer = setInterval(() => loadSales().catch(handleBackgroundError), LIST_REFRESH_MS);
    state.refreshTimer = setInterval(() => refreshSelected().catch(handleBackgroundError), REFRESH_MS);
    state.tickTimer = setInterval(renderSchedule, 1000);
    loadMonitor().catch(handleBackgroundError);
    state.monitorTimer = setInterval(() => loadMonitor().catch(handleBackgroundError), LIST_REFRESH_MS);
    $("sales-title").focus({ preventScroll: true });
  }

  /// A 401 while signed in: the key was changed on the server.
  function handleBackgroundError(e) {
    if (e instanceof ApiError && e.status === 401) {
      signOut("The admin key is no longer accepted. Sign in again.");
      return;
    }
    banner(`Could not refresh: ${e.message}`, "bad");
  }

  function banner(text, kind) {
    const el = $("banner");
    el.hidden = !text;
    el.className = `banner ${kind || ""}`;
    el.textContent = text || "";
  }

  // ---------------------------------------------------------------------------------------------
  // The synthetic monitor
  // ---------------------------------------------------------------------------------------------

  const MONITOR_ROWS = 10;

  async function loadMonitor() {
    if (document.hidden) return;
    renderMonitor(await api("GET", "/api/admin/monitor"));
  }

  function renderMonitor(m) {
    const runs = m.runs || [];
    const status = $("monitor-status");
    if (m.incident) {
      status.className = "monitor-status bad";
      status.textContent = `Incident since ${fmtLocal(m.incident.since)}: ${m.incident.reason}`;
    } else if (runs.length) {
      status.className = "monitor-status";
      status.textContent = `Healthy: the last fan came through in ${fmtCount(runs[0].total_ms)} ms (threshold ${fmtCount(m.threshold_ms)} ms).`;
    } else {
      status.className = "monitor-status muted";
      status.textContent = "No runs yet: the Cron Trigger runs one fan a minute.";
    }
    const rows = runs.slice(0, MONITOR_ROWS).map((run) => {
      const tr = document.createElement("tr");
      const when = document.createElement("td");
      when.textContent = relative(run.at);
      when.title = fmtLocal(run.at);
      const outcome = document.createElement("td");
      outcome.textContent = run.outcome;
      outcome.className = `outcome-${run.outcome}`;
      if (run.error) outcome.title = run.error;
      const total = document.createElement("td");
      total.textContent = `${fmtCount(run.total_ms)} ms`;
      tr.append(when, outcome, total);
      return tr;
    });
    $("monitor-runs").replaceChildren(...rows);
    const d = m.deliveries || {};
    $("monitor-deliveries").textContent =
      `Webhooks: ${fmtCount(d.delivered)} delivered, ${fmtCount(d.retried)} retried, ` +
      `${fmtCount(d.dead_lettered)} dead-lettered, ${fmtCount(d.poison)} undecodable.`;
  }

  // ---------------------------------------------------------------------------------------------
  // Sales list
  // ---------------------------------------------------------------------------------------------

  async function loadSales() {
    const list = await api("GET", "/api/admin/sales");
    renderSales(list.sales || []);
    banner("");
  }

  /// Remembers the ink the server picked for a report's brand colour (its only source).
  function learnInk(r) {
    const b = (r && r.branding) || {};
    if (b.ink) state.inks.set((b.color || DEFAULT_COLOR).toLowerCase(), b.ink);
  }

  function renderSales(sales) {
    sales.forEach(learnInk);
    state.sales = new Map(sales.map((s) => [s.id, s]));
    if (state.report && state.sales.has(state.report.id)) {
      // The selected sale's report is refreshed more often; keep the newer one.
      const listed = state.sales.get(state.report.id);
      if (Date.parse(listed.updated_at) <= Date.parse(state.report.updated_at)) {
        state.sales.set(state.report.id, state.report);
      }
    }
    const ul = $("sales");
    const focused = ul.contains(document.activeElement) ? document.activeElement.dataset.sale : null;
    const items = sales.map((s) => saleItem(state.sales.get(s.id)));
    ul.replaceChildren(...items);
    $("sales-empty").hidden = sales.length > 0;
    if (focused) {
      const again = ul.querySelector(`[data-sale="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
  }

  function saleItem(s) {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sale-row";
    button.dataset.sale = s.id;
    button.setAttribute("aria-pressed", String(s.id === state.selected));

    const top = document.createElement("span");
    top.className = "row-top";
    const name = document.createElement("span");
    name.className = "sale-name";
    name.textContent = s.name || s.id;
    top.append(name, phaseElement("span", s.phase));

    const meta = document.createElement("span");
    meta.className = "row-meta";
    const id = document.createElement("span");
    id.className = "sale-id";
    id.textContent = s.id;
    const opens = document.createElement("span");
    opens.className = "opens";
    opens.textContent = s.opens_at ? `Opens ${fmtLocal(s.opens_at)}` : "No schedule";
    meta.append(id, opens);

    const counts = document.createElement("span");
    counts.className = "row-counts";
    const stats = s.stats || {};
    const joined = document.createElement("span");
    joined.className = "joined";
    joined.textContent = s.unavailable ? "unavailable" : `${fmtCount(stats.joined)} joined`;
    const waiting = document.createElement("span");
    waiting.className = "waiting";
    waiting.textContent = `${fmtCount(stats.waiting)} waiting`;
    counts.append(joined, waiting);

    button.append(top, meta, counts);
    button.addEventListener("click", () => select(s.id));
    li.append(button);
    return li;
  }

  function updateSaleItem(report) {
    state.sales.set(report.id, report);
    const old = document.querySelector(`#sales [data-sale="${CSS.escape(report.id)}"]`);
    if (!old) return;
    const hadFocus = document.activeElement === old;
    const fresh = saleItem(report).firstChild;
    old.replaceWith(fresh);
    if (hadFocus) fresh.focus();
  }

  // ---------------------------------------------------------------------------------------------
  // The selected sale
  // ---------------------------------------------------------------------------------------------

  async function select(id) {
    state.selected = id;
    for (const b of document.querySelectorAll("#sales .sale-row")) {
      b.setAttribute("aria-pressed", String(b.dataset.sale === id));
    }
    const known = state.sales.get(id);
    if (known) {
      showReport(known);
      fillForm(known);
    }
    $("selected").hidden = false;
    try {
      const report = await api("GET", salePath(id));
      if (state.selected !== id) return;
      showReport(report);
      if (!known) fillForm(report);
    } catch (e) {
      handleBackgroundError(e);
    }
  }

  async function refreshSelected() {
    if (!state.selected || state.inFlight || document.hidden) return;
    const id = state.selected;
    state.inFlight = true;
    try {
      const report = await api("GET", salePath(id));
      if (state.selected === id) showReport(report);
      banner("");
    } finally {
      state.inFlight = false;
    }
  }

  function showReport(r) {
    learnInk(r);
    state.report = r;
    updateSaleItem(r);
    $("sale-title").textContent = r.name;
    $("sale-id").textContent = r.id;
    $("fan-link").href = `/s/${encodeURIComponent(r.id)}`;
    setPhaseBadge($("phase"), r.phase);
    $("open").disabled = !(r.phase === "scheduled" || r.phase === "paused");
    $("open").textContent = r.phase === "paused" ? "Resume sale" : "Open sale";
    $("pause").disabled = r.phase !== "open";
    $("close").disabled = r.phase === "closed";
    renderSchedule();
    showInvitations(r);
    renderDraw();
    showReportVisibility(r);
    renderNet();

    const s = r.stats || {};
    $("n-joined").textContent = fmtCount(s.joined);
    $("n-waiting").textContent = fmtCount(s.waiting);
    $("n-assigned").textContent = fmtCount(s.assigned);
    $("n-completed").textContent = fmtCount(s.completed);
    $("n-lapsed").textContent = fmtCount(s.lapsed);
    $("n-left").textContent = fmtCount(s.left);
    $("n-expired").textContent = fmtCount(s.expired);
    $("n-assisted").textContent = r.assist ? `${fmtCount(r.assisted)} / ${fmtCount(r.assist.max_places)}` : "off";
    const p = r.pushes || {};
    $("n-pushes").textContent = r.push
      ? [p.waiting, p.sent, p.gone, p.failed].map((n) => fmtCount(n || 0)).join(" · ")
      : "off";
    $("n-bad-records").textContent = fmtCount(r.bad_records);
    const perMinute = Number(s.admission_rate) * 60;
    const rate = Number.isFinite(perMinute) && perMinute > 0 ? perMinute : 0;
    const measured = rate === 0 ? "0" : rate < 10 ? rate.toFixed(1) : String(Math.round(rate));
    const a = r.admission || { mode: "pull" };
    $("n-mode").textContent = admissionText(a, s);
    $("n-rate").textContent = a.mode === "rate" ? `${measured} (target ${fmtCount(a.per_minute)})` : measured;
    // In rate mode the line moves at the target rate; otherwise at the rate measured.
    const pace = a.mode === "rate" ? Number(a.per_minute) : rate;
    $("n-drain").textContent = !(pace > 0) ? "—" : fmtSpan(((s.waiting || 0) / pace) * 60);
    $("updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
    renderChart(r);
  }

  /// The admission mode and its numbers, as the numbers panel shows them.
  function admissionText(a, stats) {
    if (a.mode === "rate") return `Rate: ${fmtCount(a.per_minute)} a minute`;
    if (a.mode === "capacity") {
      return `Capacity: ${fmtCount(stats.assigned)} of ${fmtCount(a.active)} at once, sessions of ${fmtSpan(a.session_s)}`;
    }
    return "Pull: windows pull fans";
  }

  function renderSchedule() {
    const r = state.report;
    if (!r) return;
    const el = $("schedule");
    el.replaceChildren();
    if (!r.opens_at) {
      el.textContent = r.phase === "scheduled"
        ? "No opening time set: the sale opens when you press Open."
        : "No opening time set.";
      return;
    }
    const when = document.createElement("time");
    when.dateTime = r.opens_at;
    when.textContent = fmtLocal(r.opens_at);
    const rel = document.createElement("strong");
    const future = Date.parse(r.opens_at) > Date.now();
    rel.textContent = future ? `opens ${relative(r.opens_at)}` : `opening time was ${relative(r.opens_at)}`;
    el.append(future ? "Opens " : "Scheduled for ", when, " · ", rel);
  }

  /// The safety net of a protected path: up or down, its measures, and when it was up (newest
  /// first, the last ten).
  function renderNet() {
    const r = state.report;
    const el = $("net");
    const n = r && r.net;
    el.hidden = !n;
    el.replaceChildren();
    if (!n) return;
    const status = document.createElement("p");
    status.id = "net-status";
    const word = document.createElement("strong");
    word.textContent = n.up ? "Safety net up: new fans queue" : "Safety net down: fans pass straight through";
    status.append(word, ` · ${fmtCount(n.active_sessions)} active sessions · ${fmtCount(n.new_sessions_per_min)} new in the last minute`);
    el.append(status);
    const periods = (n.periods || []).slice(-10).reverse();
    if (!periods.length) return;
    const list = document.createElement("ul");
    list.id = "net-periods";
    list.setAttribute("aria-label", "When the safety net was up");
    for (const p of periods) {
      const item = document.createElement("li");
      const from = document.createElement("time");
      from.dateTime = p.from;
      from.textContent = fmtLocal(p.from);
      item.append("Up ", from);
      if (p.until) {
        const until = document.createElement("time");
        until.dateTime = p.until;
        until.textContent = fmtLocal(p.until);
        item.append(" to ", until, ` (${fmtSpan((Date.parse(p.until) - Date.parse(p.from)) / 1000)})`);
      } else {
        item.append(" until now");
      }
      item.append(` · peaks: ${fmtCount(p.peak_active_sessions)} active, ${fmtCount(p.peak_new_sessions_per_min)} new a minute`);
      list.append(item);
    }
    el.append(list);
  }

  /// The pre-queue's window and its draw: the commitment, then the revealed key.
  function renderDraw() {
    const r = state.report;
    const el = $("draw");
    if (!r || !r.prequeue_opens_at || !r.draw) {
      el.hidden = true;
      return;
    }
    el.hidden = false;
    el.replaceChildren();
    const from = document.createElement("time");
    from.dateTime = r.prequeue_opens_at;
    from.textContent = fmtLocal(r.prequeue_opens_at);
    const d = r.draw;
    const status = document.createElement("strong");
    status.id = "draw-status";
    status.textContent = d.key ? `drawn: ${d.end} numbers in the pre-queue` : `not drawn yet · ${d.end} numbers so far`;
    const commitment = document.createElement("code");
    commitment.id = "draw-commitment";
    commitment.textContent = d.commitment;
    el.append("Pre-queue from ", from, " · ", status, " · commitment ", commitment);
    if (d.key) {
      const key = document.createElement("code");
      key.id = "draw-key";
      key.textContent = d.key;
      el.append(" · key ", key);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Chart
  // ---------------------------------------------------------------------------------------------

  /// The chart's series, in fans a minute: the older per-hour statistics (`hours`, kept for the
  /// week before the last 24 hours) as one point an hour at their average a minute, then the
  /// per-minute ones (`minutes`), missing minutes and hours as 0, up to now while the sale runs.
  /// Also the totals (whole counts, hours included) and the number of minutes they span.
  function chartSeries(r) {
    const valid = (rows) => (rows || []).filter((m) => Number.isFinite(m.minute));
    const minutes = valid(r.minutes), hours = valid(r.hours);
    const xs = [], arrivals = [], admissions = [];
    const totals = { arrivals: 0, admissions: 0, minutes: 0, peak: 0, hourly: hours.length > 0 };
    if (!minutes.length && !hours.length) return { data: [xs, arrivals, admissions], totals, minuteFrom: 0 };
    if (hours.length) {
      const byHour = new Map(hours.map((h) => [h.minute, h]));
      const first = Math.min(...hours.map((h) => h.minute));
      const last = Math.max(...hours.map((h) => h.minute));
      // At most a week of hours, as the report keeps.
      for (let h = Math.max(first, last - 7 * 24 * 60); h <= last; h += 60) {
        const row = byHour.get(h);
        xs.push(h * 60);
        arrivals.push(row ? (row.arrivals || 0) / 60 : 0);
        admissions.push(row ? (row.admissions || 0) / 60 : 0);
        totals.arrivals += row ? row.arrivals || 0 : 0;
        totals.admissions += row ? row.admissions || 0 : 0;
        totals.minutes += 60;
      }
    }
    const minuteFrom = xs.length;
    if (minutes.length || r.phase === "open" || r.phase === "paused") {
      const byMinute = new Map(minutes.map((m) => [m.minute, m]));
      const afterHours = hours.length ? Math.max(...hours.map((h) => h.minute)) + 60 : Infinity;
      let first = minutes.length ? Math.min(...minutes.map((m) => m.minute)) : afterHours;
      let last = minutes.length ? Math.max(...minutes.map((m) => m.minute)) : first;
      if (r.phase === "open" || r.phase === "paused") last = Math.max(last, Math.floor(Date.now() / 60000));
      // The minutes go on from the last hour, and cover at most a day and an hour.
      first = Math.max(Math.min(first, afterHours), last - 25 * 60);
      for (let m = first; m <= last; m++) {
        const row = byMinute.get(m);
        xs.push(m * 60);
        arrivals.push(row ? row.arrivals || 0 : 0);
        admissions.push(row ? row.admissions || 0 : 0);
        totals.arrivals += row ? row.arrivals || 0 : 0;
        totals.admissions += row ? row.admissions || 0 : 0;
        totals.peak = Math.max(totals.peak, row ? row.arrivals || 0 : 0);
        totals.minutes += 1;
      }
    }
    return { data: [xs, arrivals, admissions], totals, minuteFrom };
  }

  function chartWidth() {
    return Math.max(240, $("chart").clientWidth);
  }

  function renderChart(r) {
    const series = chartSeries(r);
    const data = series.data;
    renderChartText(series);
    // Nothing to draw before the first arrival: the summary says so.
    $("chart").hidden = data[0].length === 0;
    if (typeof window.uPlot !== "function") return;
    const style = getComputedStyle(document.body);
    const arrivalsColor = style.getPropertyValue("--chart-arrivals").trim() || "#2563eb";
    const admissionsColor = style.getPropertyValue("--chart-admissions").trim() || "#047857";
    if (!state.chart) {
      const opts = {
        width: chartWidth(),
        height: 240,
        cursor: { drag: { x: false, y: false } },
        scales: {
          // At least the last 15 minutes, so that a young sale reads in minutes, not seconds.
          // (From the data itself: uPlot widens a single point to a day, or years in seconds mode.)
          x: {
            time: true,
            range: (u) => {
              const xs = u.data[0];
              const hi = xs.length ? xs[xs.length - 1] : Math.floor(Date.now() / 60000) * 60;
              const lo = xs.length ? xs[0] : hi;
              return [Math.min(lo, hi - 15 * 60), hi];
            },
          },
          y: { range: (u, min, max) => [0, Math.max(5, Math.ceil(max * 1.1))] },
        },
        axes: [
          { stroke: "#4b5563", grid: { stroke: "#e5e7eb" }, ticks: { stroke: "#e5e7eb" } },
          { stroke: "#4b5563", grid: { stroke: "#e5e7eb" }, ticks: { stroke: "#e5e7eb" }, label: "fans / min", size: 56 },
        ],
        series: [
          { label: "Time" },
          { label: "Arrivals", stroke: arrivalsColor, width: 2, fill: "rgba(37,99,235,.08)" },
          { label: "Admissions", stroke: admissionsColor, width: 2, dash: [6, 3] },
        ],
      };
      state.chart = new window.uPlot(opts, data, $("chart"));
    } else {
      state.chart.setData(data);
    }
  }

  function renderChartText({ data: [xs, arrivals, admissions], totals, minuteFrom }) {
    const span = totals.minutes >= 120
      ? `${fmtCount(Math.round(totals.minutes / 60))} hours`
      : `${totals.minutes} minute${totals.minutes === 1 ? "" : "s"}`;
    $("chart-summary").textContent = xs.length
      ? `${fmtCount(totals.arrivals)} arrivals and ${fmtCount(totals.admissions)} admissions over ${span}; peak ${fmtCount(totals.peak)} arrivals a minute${totals.hourly ? " in the last day (before it, each hour is drawn at its average a minute)" : ""}.`
      : "No arrivals yet.";
    const body = $("minutes-body");
    const rows = [];
    // The table lists minutes only (the last 15).
    for (let i = Math.max(minuteFrom, xs.length - 15); i < xs.length; i++) {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = new Date(xs[i] * 1000).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
      const a = document.createElement("td");
      a.textContent = fmtCount(arrivals[i]);
      const b = document.createElement("td");
      b.textContent = fmtCount(admissions[i]);
      tr.append(th, a, b);
      rows.push(tr);
    }
    body.replaceChildren(...rows.reverse());
  }

  // ---------------------------------------------------------------------------------------------
  // Open / pause / close, with an accessible confirmation dialog
  // ---------------------------------------------------------------------------------------------

  const ACTIONS = {
    open: {
      title: (r) => (r.phase === "paused" ? "Resume this sale?" : "Open this sale now?"),
      text: (r) => r.phase === "paused"
        ? `Windows start admitting fans from the line of “${r.name}” again.`
        : `Fans of “${r.name}” join the line right away and windows start admitting them.${r.opens_at ? " The scheduled opening time is no longer waited for." : ""}`,
      yes: (r) => (r.phase === "paused" ? "Resume sale" : "Open sale"),
      done: "The sale is open.",
    },
    pause: {
      title: () => "Pause this sale?",
      text: (r) => `Fans of “${r.name}” keep their places and can still join, but nobody is admitted until you resume.`,
      yes: () => "Pause sale",
      done: "The sale is paused.",
    },
    close: {
      title: () => "Close this sale for good?",
      text: (r) => `Nobody else can join “${r.name}” and everyone still waiting is told the sale has closed. This cannot be undone.`,
      yes: () => "Close sale",
      done: "The sale is closed.",
      danger: true,
    },
  };

  function confirmDialog({ title, text, yes, danger }) {
    const dialog = $("confirm");
    $("confirm-title").textContent = title;
    $("confirm-text").textContent = text;
    const yesButton = $("confirm-yes");
    yesButton.textContent = yes;
    yesButton.className = danger ? "danger" : "";
    const opener = document.activeElement;
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => {
        resolve(dialog.returnValue === "yes");
        if (opener && typeof opener.focus === "function") opener.focus();
      }, { once: true });
      dialog.returnValue = "";
      dialog.showModal();
      // The safe choice has the focus; Enter does not close a sale by accident.
      $("confirm-no").focus();
    });
  }

  // The public report (docs/api.md, "The public report"): who may see it, and a link to it.
  const REPORT_WORDS = {
    after_close: "Public once the sale is closed.",
    published: "Published: anyone can read it now.",
    hidden: "Hidden: only you can see it.",
  };

  function showReportVisibility(r) {
    const visibility = r.report_visibility || "after_close";
    const isPublic = visibility === "published" || (visibility === "after_close" && r.phase === "closed");
    const line = $("report-state");
    line.textContent = `${REPORT_WORDS[visibility] || ""} ${isPublic ? "It is public: " : "It is not public yet."}`;
    if (isPublic) {
      const link = document.createElement("a");
      link.href = `/s/${encodeURIComponent(r.id)}/report`;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = "read the report";
      line.append(link);
    }
    for (const v of Object.keys(REPORT_WORDS)) {
      const button = $(`report-${v}`);
      button.disabled = v === visibility;
      button.setAttribute("aria-pressed", String(v === visibility));
    }
  }

  async function showReportTo(visibility) {
    const r = state.report;
    if (!r) return;
    const status = $("report-status");
    status.className = "form-status";
    status.textContent = "Working…";
    try {
      await api("PUT", `${salePath(r.id)}/report`, { visibility });
      status.className = "form-status ok";
      status.textContent = REPORT_WORDS[visibility];
      const report = await api("GET", salePath(r.id));
      if (state.selected === report.id) showReport(report);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return handleBackgroundError(e);
      status.className = "form-status bad";
      status.textContent = e.message;
    }
  }

  async function control(action) {
    const r = state.report;
    if (!r) return;
    const spec = ACTIONS[action];
    const ok = await confirmDialog({ title: spec.title(r), text: spec.text(r), yes: spec.yes(r), danger: spec.danger });
    if (!ok) return;
    const status = $("control-status");
    status.className = "form-status";
    status.textContent = "Working…";
    try {
      const report = await api("POST", `${salePath(r.id)}/${action}`);
      status.className = "form-status ok";
      status.textContent = spec.done;
      if (state.selected === report.id) showReport(report);
      const active = document.activeElement;
      if (!active || active === document.body || active.disabled) {
        const next = ["open", "pause", "close"].map($).find((b) => !b.disabled);
        if (next) next.focus();
      }
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return handleBackgroundError(e);
      status.className = "form-status bad";
      status.textContent = e.message;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Create / edit form
  // ---------------------------------------------------------------------------------------------

  function clearErrors() {
    for (const [input, error] of Object.entries(ERROR_OF)) {
      $(error).hidden = true;
      $(error).textContent = "";
      $(input).removeAttribute("aria-invalid");
    }
    $("form-error").hidden = true;
    $("form-error").textContent = "";
  }

  // The API takes an internationalised host only in its ASCII form (xn--…): the browser's URL
  // parser converts it. Text that is ASCII already, or no URL at all, is sent as typed (the API
  // says what is wrong with it).
  function asciiUrl(text) {
    if (/^[\x00-\x7f]*$/.test(text)) return text;
    try {
      return new URL(text).href;
    } catch {
      return text;
    }
  }

  function fieldError(inputId, message) {
    for (const box of ["advanced", "fairness"]) if ($(box).contains($(inputId))) $(box).open = true;
    const error = $(ERROR_OF[inputId]);
    error.textContent = message;
    error.hidden = false;
    $(inputId).setAttribute("aria-invalid", "true");
  }

  function formError(message) {
    $("form-error").textContent = message;
    $("form-error").hidden = false;
  }

  function setColor(value) {
    const color = /^#[0-9a-f]{6}$/i.test(value || "") ? value.toLowerCase() : DEFAULT_COLOR;
    $("f-brand-color").value = color;
    updatePreview();
  }

  function updatePreview() {
    const color = $("f-brand-color").value;
    $("brand-color-value").textContent = color;
    $("preview-bar").style.backgroundColor = color;
    // The server picks the text colour for a brand colour; until it has seen this one (it does
    // when the sale is saved), the name is drawn with an outline that reads on any colour.
    const ink = state.inks.get(color.toLowerCase());
    $("preview-bar").style.color = ink || "";
    $("preview-bar").classList.toggle("ink-unknown", !ink);
    $("preview-name").textContent = $("f-name").value.trim() || "Sale name";
    $("message-count").textContent = String($("f-message").value.length);
  }

  function resetForm() {
    state.editing = null;
    $("sale-form").reset();
    clearErrors();
    $("f-id").disabled = false;
    $("form-title").textContent = "New sale";
    $("save").textContent = "Create sale";
    $("form-status").textContent = "";
    setColor(DEFAULT_COLOR);
    showAdmissionFields();
  }

  /// Only the numbers of the chosen admission mode are shown (and sent).
  function showAdmissionFields() {
    const mode = $("f-admission-mode").value;
    $("w-per-minute").hidden = mode !== "rate";
    $("w-active").hidden = mode !== "capacity";
    $("w-session").hidden = mode !== "capacity";
  }

  function fillForm(r) {
    learnInk(r);
    resetForm();
    state.editing = r.id;
    $("form-title").textContent = "Edit sale";
    $("save").textContent = "Save changes";
    $("f-id").value = r.id;
    $("f-id").disabled = true;
    $("f-name").value = r.name || "";
    $("f-opens-at").value = r.opens_at ? toLocalInput(r.opens_at) : "";
    $("f-prequeue-opens-at").value = r.prequeue_opens_at ? toLocalInput(r.prequeue_opens_at) : "";
    $("f-purchase-url").value = r.purchase_url || "";
    $("f-claim-ttl").value = r.claim_ttl_s != null ? String(r.claim_ttl_s) : "";
    $("f-pass-ttl").value = r.pass_ttl_s != null ? String(r.pass_ttl_s) : "";
    // PUT replaces every setting: settings the form shows only under Advanced are kept as they are.
    $("f-shards").value = r.shards != null ? String(r.shards) : "";
    $("f-presence-ttl").value = r.presence_ttl_s != null ? String(r.presence_ttl_s) : "";
    $("f-webhook-url").value = r.webhook_url || "";
    const a = r.admission || { mode: "pull" };
    $("f-admission-mode").value = a.mode;
    $("f-per-minute").value = a.per_minute != null ? String(a.per_minute) : "";
    $("f-active").value = a.active != null ? String(a.active) : "";
    $("f-session").value = a.session_s != null ? String(a.session_s) : "";
    showAdmissionFields();
    $("f-turnstile-site-key").value = r.turnstile_site_key || "";
    $("f-pass-delivery").value = r.pass_delivery || "query";
    $("f-pow-bits").value = r.pow_bits ? String(r.pow_bits) : "";
    $("f-rate-limit").value = r.rate_limit_per_min != null ? String(r.rate_limit_per_min) : "";
    $("f-over-budget").value = r.over_budget === "refuse" ? "refuse" : "price";
    $("f-device-binding").value = r.device_binding ? "on" : "off";
    $("f-access").value = r.access === "invite" ? "invite" : "open";
    $("f-invite-jwks").value = r.invite_jwks ? JSON.stringify(r.invite_jwks, null, 1) : "";
    $("f-assist-multiplier").value = r.assist ? String(r.assist.multiplier) : "";
    $("f-assist-places").value = r.assist ? String(r.assist.max_places) : "";
    $("f-push").checked = !!r.push;
    $("f-push-near").value = r.push ? String(r.push.near_front) : "";
    $("f-push-window").value = r.push ? String(r.push.return_window_s) : "";
    $("f-party-max").value = r.party_max ? String(r.party_max) : "";
    // The safety net has fields of its own; the JSON field holds the rest of `protect`.
    const { queue_when: net, ...protect } = r.protect || {};
    $("f-protect").value = r.protect ? JSON.stringify(protect, null, 1) : "";
    $("f-net-active").value = net && net.active_sessions != null ? net.active_sessions : "";
    $("f-net-new").value = net && net.new_sessions_per_min != null ? net.new_sessions_per_min : "";
    $("f-net-quiet").value = net ? net.quiet_s : "";
    const b = r.branding || {};
    setColor(b.color);
    $("f-logo-url").value = b.logo_url || "";
    $("f-message").value = b.message || "";
    $("f-messages").value = b.messages && Object.keys(b.messages).length ? JSON.stringify(b.messages, null, 1) : "";
    updatePreview();
  }

  /// The PUT body, or null after showing what is wrong.
  function formBody() {
    clearErrors();
    let ok = true;
    const id = $("f-id").value.trim();
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(id)) {
      fieldError("f-id", "Use 1–64 lower-case letters, digits or dashes, starting with a letter or digit.");
      ok = false;
    }
    const name = $("f-name").value.trim();
    if (!name) {
      fieldError("f-name", "Give the sale a name.");
      ok = false;
    }
    const purchaseUrl = asciiUrl($("f-purchase-url").value.trim());
    if (!purchaseUrl) {
      fieldError("f-purchase-url", "Enter the purchase page URL.");
      ok = false;
    }
    const body = { name, purchase_url: purchaseUrl };
    const opensAt = $("f-opens-at").value;
    if (opensAt) {
      const utc = localInputToUtc(opensAt);
      if (!utc) {
        fieldError("f-opens-at", "Enter a date and time, or leave it empty.");
        ok = false;
      } else {
        body.opens_at = utc;
      }
    } else if ($("f-opens-at").validity.badInput) {
      fieldError("f-opens-at", "Enter a complete date and time, or leave it empty.");
      ok = false;
    }
    const prequeueAt = $("f-prequeue-opens-at").value;
    if (prequeueAt) {
      const utc = localInputToUtc(prequeueAt);
      if (!utc) {
        fieldError("f-prequeue-opens-at", "Enter a date and time, or leave it empty.");
        ok = false;
      } else {
        body.prequeue_opens_at = utc;
      }
    } else if ($("f-prequeue-opens-at").validity.badInput) {
      fieldError("f-prequeue-opens-at", "Enter a complete date and time, or leave it empty.");
      ok = false;
    }
    const numbers = [
      ["f-claim-ttl", "claim_ttl_s"],
      ["f-pass-ttl", "pass_ttl_s"],
      ["f-shards", "shards"],
      ["f-presence-ttl", "presence_ttl_s"],
      ["f-pow-bits", "pow_bits"],
      ["f-rate-limit", "rate_limit_per_min"],
    ];
    const counts = new Set(["shards", "pow_bits", "rate_limit_per_min"]);
    for (const [input, key] of numbers) {
      const raw = $(input).value.trim();
      if ($(input).validity.badInput) {
        fieldError(input, counts.has(key) ? "Enter a whole number." : "Enter a whole number of seconds.");
        ok = false;
      } else if (raw) {
        const n = Number(raw);
        if (!Number.isInteger(n) || n < 0) {
          fieldError(input, counts.has(key) ? "Enter a whole number." : "Enter a whole number of seconds.");
          ok = false;
        } else {
          body[key] = n;
        }
      }
    }
    const webhookUrl = asciiUrl($("f-webhook-url").value.trim());
    if (webhookUrl) body.webhook_url = webhookUrl;
    const admission = { mode: $("f-admission-mode").value };
    const modeNumbers = {
      rate: [["f-per-minute", "per_minute"]],
      capacity: [["f-active", "active"], ["f-session", "session_s"]],
    }[admission.mode] || [];
    for (const [input, key] of modeNumbers) {
      const n = Number($(input).value.trim());
      if (!$(input).value.trim() || $(input).validity.badInput || !Number.isInteger(n) || n < 1) {
        fieldError(input, "Enter a whole number.");
        ok = false;
      } else {
        admission[key] = n;
      }
    }
    body.admission = admission;
    const siteKey = $("f-turnstile-site-key").value.trim();
    if (siteKey) body.turnstile_site_key = siteKey;
    body.pass_delivery = $("f-pass-delivery").value;
    body.over_budget = $("f-over-budget").value;
    body.device_binding = $("f-device-binding").value === "on";
    body.access = $("f-access").value;
    const jwks = $("f-invite-jwks").value.trim();
    if (jwks) {
      try {
        body.invite_jwks = JSON.parse(jwks);
      } catch (_) {
        fieldError("f-invite-jwks", "This is not JSON: paste the JWKS, {\"keys\": [...]}.");
        ok = false;
      }
    }
    const multiplier = $("f-assist-multiplier").value.trim();
    const places = $("f-assist-places").value.trim();
    if (multiplier || places) {
      const m = Number(multiplier);
      const n = places ? Number(places) : null;
      if (!multiplier || !Number.isInteger(m) || m < 2 || m > 10) {
        fieldError("f-assist-multiplier", "Enter a whole number from 2 to 10, or leave both fields empty.");
        ok = false;
      } else if (n !== null && (!Number.isInteger(n) || n < 1 || n > 10000)) {
        fieldError("f-assist-places", "Enter a whole number from 1 to 10000, or leave it empty.");
        ok = false;
      } else {
        body.assist = n === null ? { multiplier: m } : { multiplier: m, max_places: n };
      }
    }
    if ($("f-push").checked) {
      const near = $("f-push-near").value.trim();
      const window_s = $("f-push-window").value.trim();
      const push = {};
      if (near) {
        const n = Number(near);
        if (!Number.isInteger(n) || n < 1 || n > 100000) {
          fieldError("f-push-near", "Enter a whole number from 1 to 100000, or leave it empty.");
          ok = false;
        }
        push.near_front = n;
      }
      if (window_s) {
        const w = Number(window_s);
        if (!Number.isInteger(w) || w < 60 || w > 1800) {
          fieldError("f-push-window", "Enter a whole number of seconds from 60 to 1800, or leave it empty.");
          ok = false;
        }
        push.return_window_s = w;
      }
      body.push = push;
    }
    const partyMax = $("f-party-max").value.trim();
    if (partyMax) {
      const n = Number(partyMax);
      if ($("f-party-max").validity.badInput || !Number.isInteger(n) || n < 2 || n > 10) {
        fieldError("f-party-max", "Enter a whole number from 2 to 10, or leave it empty.");
        ok = false;
      } else {
        body.party_max = n;
      }
    } else {
      body.party_max = 0;
    }
    const protect = $("f-protect").value.trim();
    if (protect) {
      try {
        body.protect = JSON.parse(protect);
      } catch (_) {
        fieldError("f-protect", "This is not JSON: see the example, {\"origin\": ..., \"hosts\": [...], \"paths\": [...]}.");
        ok = false;
      }
    }
    const net = {};
    for (const [id, key] of [["f-net-active", "active_sessions"], ["f-net-new", "new_sessions_per_min"], ["f-net-quiet", "quiet_s"]]) {
      const text = $(id).value.trim();
      if (text) net[key] = Number(text);
    }
    if (net.active_sessions != null || net.new_sessions_per_min != null) {
      if (!body.protect) {
        fieldError("f-net-new", "A safety net guards a protected path: set path protection first.");
        ok = false;
      } else {
        body.protect.queue_when = net;
      }
    } else if (net.quiet_s != null) {
      fieldError("f-net-new", "Set a threshold (or clear the quiet period): without one every fan queues.");
      ok = false;
    } else if (body.protect) {
      delete body.protect.queue_when;
    }
    const branding = { color: $("f-brand-color").value.toLowerCase() };
    const logo = asciiUrl($("f-logo-url").value.trim());
    if (logo) branding.logo_url = logo;
    const message = $("f-message").value.trim();
    if (message) branding.message = message;
    if (message.length > 1000) {
      fieldError("f-message", "At most 1000 characters.");
      ok = false;
    }
    const messages = $("f-messages").value.trim();
    if (messages) {
      try {
        branding.messages = JSON.parse(messages);
      } catch (_) {
        fieldError("f-messages", "This is not JSON: {\"de\": \"...\", \"ar\": \"...\"}.");
        ok = false;
      }
    }
    body.branding = branding;
    if (!ok) {
      const first = document.querySelector("#sale-form [aria-invalid='true']");
      if (first) first.focus();
      return null;
    }
    return { id, body };
  }

  async function onSave(event) {
    event.preventDefault();
    const parsed = formBody();
    if (!parsed) return;
    const save = $("save");
    const status = $("form-status");
    save.disabled = true;
    status.className = "form-status";
    status.textContent = "Saving…";
    try {
      const creating = state.editing === null;
      const report = await api("PUT", salePath(parsed.id), parsed.body);
      status.className = "form-status ok";
      status.textContent = creating ? `Sale “${report.name}” created.` : "Changes saved.";
      await loadSales().catch(() => {});
      state.sales.set(report.id, report);
      await select(report.id);
      fillForm(report);
      status.className = "form-status ok";
      status.textContent = creating ? `Sale “${report.name}” created.` : "Changes saved.";
    } catch (e) {
      status.textContent = "";
      if (!(e instanceof ApiError)) {
        formError("The server could not be reached. Nothing was saved.");
      } else if (e.status === 401) {
        handleBackgroundError(e);
      } else {
        const field = e.body.field || (e.body.error === "bad_sale_id" ? "id" : null);
        const input = field && FIELDS[field];
        if (input) {
          // "claim_ttl_s must be between …": the field is named by where the message shows.
          let text = e.message;
          if (field && text.startsWith(`${field} `)) text = text.slice(field.length + 1);
          fieldError(input, text.charAt(0).toUpperCase() + text.slice(1));
          $(input).focus();
        } else {
          formError(`Not saved: ${e.message}`);
        }
      }
    } finally {
      save.disabled = false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Invitation links (invitation-only sales)
  // ---------------------------------------------------------------------------------------------

  function showInvitations(r) {
    const shown = r.access === "invite";
    if (!shown || $("invitations").dataset.sale !== r.id) {
      $("invite-rows").textContent = "";
      $("invite-table").hidden = true;
      $("e-invite").hidden = true;
    }
    $("invitations").dataset.sale = r.id;
    $("invitations").hidden = !shown;
  }

  async function onInvite(event) {
    event.preventDefault();
    const error = $("e-invite");
    error.hidden = true;
    const members = $("f-invite-members").value.split("\n").map((m) => m.trim()).filter(Boolean);
    const count = Number($("f-invite-count").value.trim() || "0");
    const body = members.length ? { members } : { count };
    try {
      const answer = await api("POST", `${salePath(state.selected)}/invitations`, body);
      const rows = $("invite-rows");
      rows.textContent = "";
      for (const inv of answer.invitations) {
        const tr = document.createElement("tr");
        const member = document.createElement("td");
        member.textContent = inv.member;
        const link = document.createElement("td");
        const input = document.createElement("input");
        input.readOnly = true;
        input.value = inv.url;
        input.className = "invite-url";
        input.setAttribute("aria-label", `Invitation link for ${inv.member}`);
        link.append(input);
        tr.append(member, link);
        rows.append(tr);
      }
      $("invite-table").hidden = false;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return handleBackgroundError(e);
      error.textContent = e.message;
      error.hidden = false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Start
  // ---------------------------------------------------------------------------------------------

  function start() {
    $("tz").textContent = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
    $("key-form").addEventListener("submit", onKeySubmit);
    $("sign-out").addEventListener("click", () => signOut(""));
    $("new-sale").addEventListener("click", () => {
      resetForm();
      $("f-id").focus();
    });
    $("sale-form").addEventListener("submit", onSave);
    $("invite-form").addEventListener("submit", onInvite);
    $("f-brand-color").addEventListener("input", updatePreview);
    $("f-admission-mode").addEventListener("change", showAdmissionFields);
    $("f-name").addEventListener("input", updatePreview);
    $("f-message").addEventListener("input", updatePreview);
    for (const visibility of Object.keys(REPORT_WORDS)) {
      $(`report-${visibility}`).addEventListener("click", () => showReportTo(visibility));
    }
    for (const action of ["open", "pause", "close"]) {
      $(action).addEventListener("click", () => control(action));
    }
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && state.key) refreshSelected().catch(handleBackgroundError);
    });
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(() => {
        if (state.chart) state.chart.setSize({ width: chartWidth(), height: 240 });
      }).observe($("chart"));
    }

    const saved = sessionStorage.getItem(KEY_STORAGE);
    if (!saved) {
      $("admin-key").focus();
      return;
    }
    // Check the kept key again: it may have been changed since.
    api("GET", "/api/admin/sales", undefined, saved)
      .then((list) => enterApp(saved, list))
      .catch((e) => {
        if (e instanceof ApiError && e.status === 401) {
          signOut("The saved admin key is no longer accepted. Sign in again.");
        } else {
          showKeyError("The server could not be reached. Try again in a moment.");
        }
      });
  }

  start();
})();
