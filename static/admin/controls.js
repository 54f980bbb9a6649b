// Open / pause / close, with an accessible confirmation dialog.

import { api, ApiError, salePath } from "./api.js";
import { showReport } from "./selected.js";
import { handleBackgroundError } from "./session.js";
import { $, state } from "./state.js";

export const ACTIONS = {
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

export function confirmDialog({ title, text, yes, danger }) {
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

export async function control(action) {
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
