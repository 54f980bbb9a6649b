// The selected sale: its report, schedule, safety net and draw, refreshed while it is shown.

import { api, salePath } from "./api.js";
import { renderChart } from "./chart.js";
import { fillForm } from "./form.js";
import { fmtCount, fmtLocal, fmtSpan, relative, setPhaseBadge } from "./format.js";
import { showInvitations } from "./invitations.js";
import { showReportVisibility } from "./public_report.js";
import { learnInk, updateSaleItem } from "./sales.js";
import { banner, handleBackgroundError } from "./session.js";
import { $, state } from "./state.js";

export async function select(id) {
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

export async function refreshSelected() {
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

export function showReport(r) {
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
export function admissionText(a, stats) {
  if (a.mode === "rate") return `Rate: ${fmtCount(a.per_minute)} a minute`;
  if (a.mode === "capacity") {
    return `Capacity: ${fmtCount(stats.assigned)} of ${fmtCount(a.active)} at once, sessions of ${fmtSpan(a.session_s)}`;
  }
  return "Pull: windows pull fans";
}

export function renderSchedule() {
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
export function renderNet() {
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
export function renderDraw() {
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
