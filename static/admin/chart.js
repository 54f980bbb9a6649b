// The selected sale's chart of arrivals and admissions (uPlot, served from /vendor/), and the
// same numbers as a table for screen readers.

import { fmtCount } from "./format.js";
import { $, state } from "./state.js";

/// The chart's series, in fans a minute: the older per-hour statistics (`hours`, kept for the
/// week before the last 24 hours) as one point an hour at their average a minute, then the
/// per-minute ones (`minutes`), missing minutes and hours as 0, up to now while the sale runs.
/// Also the totals (whole counts, hours included) and the number of minutes they span.
export function chartSeries(r) {
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

export function chartWidth() {
  return Math.max(240, $("chart").clientWidth);
}

export function renderChart(r) {
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

export function renderChartText({ data: [xs, arrivals, admissions], totals, minuteFrom }) {
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
