// Promoter dashboard: sales, their settings, open / pause / close, and live numbers.
// Everything the API returns is put on the page with textContent (never innerHTML).
// An ES module (index.html loads it with type="module"): each concept is a module of its own
// beside it (state, api, format, session, monitor, sales, selected, chart, controls,
// public_report, form, invitations); this one starts the page.

import { api, ApiError } from "./api.js";
import { chartWidth } from "./chart.js";
import { control } from "./controls.js";
import { onSave, resetForm, showAdmissionFields, updatePreview } from "./form.js";
import { onInvite } from "./invitations.js";
import { REPORT_WORDS, showReportTo } from "./public_report.js";
import { refreshSelected } from "./selected.js";
import { enterApp, handleBackgroundError, onKeySubmit, showKeyError, signOut } from "./session.js";
import { $, KEY_STORAGE, state } from "./state.js";

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
