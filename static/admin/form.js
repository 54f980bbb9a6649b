// The create / edit form: the sale's settings, each API field's input and error, the preview,
// and saving.

import { api, ApiError, salePath } from "./api.js";
import { localInputToUtc, toLocalInput } from "./format.js";
import { learnInk, loadSales } from "./sales.js";
import { select } from "./selected.js";
import { handleBackgroundError } from "./session.js";
import { $, DEFAULT_COLOR, state } from "./state.js";

// Form inputs by the API's field names (the `field` of a 400 invalid_field answer).
export const FIELDS = {
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
export const ERROR_OF = {
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


export function clearErrors() {
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
export function asciiUrl(text) {
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  try {
    return new URL(text).href;
  } catch {
    return text;
  }
}

export function fieldError(inputId, message) {
  for (const box of ["advanced", "fairness"]) if ($(box).contains($(inputId))) $(box).open = true;
  const error = $(ERROR_OF[inputId]);
  error.textContent = message;
  error.hidden = false;
  $(inputId).setAttribute("aria-invalid", "true");
}

export function formError(message) {
  $("form-error").textContent = message;
  $("form-error").hidden = false;
}

export function setColor(value) {
  const color = /^#[0-9a-f]{6}$/i.test(value || "") ? value.toLowerCase() : DEFAULT_COLOR;
  $("f-brand-color").value = color;
  updatePreview();
}

export function updatePreview() {
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

export function resetForm() {
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
export function showAdmissionFields() {
  const mode = $("f-admission-mode").value;
  $("w-per-minute").hidden = mode !== "rate";
  $("w-active").hidden = mode !== "capacity";
  $("w-session").hidden = mode !== "capacity";
}

export function fillForm(r) {
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
export function formBody() {
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

export async function onSave(event) {
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
