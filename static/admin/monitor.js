// The synthetic monitor's runs and incidents.

import { api } from "./api.js";
import { fmtCount, fmtLocal, relative } from "./format.js";
import { $ } from "./state.js";

export const MONITOR_ROWS = 10;

export async function loadMonitor() {
  if (document.hidden) return;
  renderMonitor(await api("GET", "/api/admin/monitor"));
}

export function renderMonitor(m) {
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
