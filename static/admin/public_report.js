// The public report (docs/api.md, "The public report"): who may see it, and a link to it.

import { api, ApiError, salePath } from "./api.js";
import { showReport } from "./selected.js";
import { handleBackgroundError } from "./session.js";
import { $, state } from "./state.js";

export const REPORT_WORDS = {
  after_close: "Public once the sale is closed.",
  published: "Published: anyone can read it now.",
  hidden: "Hidden: only you can see it.",
};

export function showReportVisibility(r) {
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

export async function showReportTo(visibility) {
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
