// Formatting numbers, times, spans and phases for the page (the promoter's time zone).

import { $ } from "./state.js";

export const numberFormat = new Intl.NumberFormat();
export const fmtCount = (n) => (typeof n === "number" && Number.isFinite(n) ? numberFormat.format(n) : "–");

export function fmtLocal(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return d.toLocaleString(undefined, {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short",
  });
}

/// A length of time for people: "45 s", "3 min", "2 h 5 min", "3 days".
export function fmtSpan(seconds) {
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

export function relative(iso, now = Date.now()) {
  const diff = (Date.parse(iso) - now) / 1000;
  if (Math.abs(diff) < 1) return "now";
  return diff > 0 ? `in ${fmtSpan(diff)}` : `${fmtSpan(-diff)} ago`;
}

/// "YYYY-MM-DDTHH:MM" in local time, for <input type="datetime-local">.
export function toLocalInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const p = (n) => String(n).padStart(2, "0");
  const secs = d.getSeconds() ? `:${p(d.getSeconds())}` : "";
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}${secs}`;
}

/// A datetime-local value (local time) as RFC 3339 UTC, whole seconds: "2026-05-01T08:00:00Z".
export function localInputToUtc(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  if (!m) return null;
  const d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
  if (Number.isNaN(d.getTime())) return null;
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export const PHASE_LABEL = { scheduled: "Not on sale yet", prequeue: "Pre-queue", open: "Open", paused: "Paused", closed: "Closed" };

export function phaseElement(tag, phase) {
  const el = document.createElement(tag);
  el.className = `phase phase-${/^[a-z]+$/.test(phase) ? phase : "unknown"}`;
  el.textContent = PHASE_LABEL[phase] || String(phase);
  return el;
}

export function setPhaseBadge(el, phase) {
  el.className = `phase-badge phase-${/^[a-z]+$/.test(phase) ? phase : "unknown"}`;
  el.textContent = PHASE_LABEL[phase] || String(phase);
  el.dataset.phase = phase;
}
