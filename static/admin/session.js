// Signing in and out with the admin key, and the page's banner for errors in the background.

import { api, ApiError } from "./api.js";
import { resetForm } from "./form.js";
import { loadMonitor } from "./monitor.js";
import { loadSales, renderSales } from "./sales.js";
import { refreshSelected, renderSchedule } from "./selected.js";
import { $, KEY_STORAGE, LIST_REFRESH_MS, REFRESH_MS, state } from "./state.js";

export function showKeyError(text) {
  const el = $("key-error");
  el.textContent = text;
  el.hidden = !text;
  $("admin-key").setAttribute("aria-invalid", text ? "true" : "false");
}

export async function onKeySubmit(event) {
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

export function signOut(message) {
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

export function enterApp(key, list) {
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
export function handleBackgroundError(e) {
  if (e instanceof ApiError && e.status === 401) {
    signOut("The admin key is no longer accepted. Sign in again.");
    return;
  }
  banner(`Could not refresh: ${e.message}`, "bad");
}

export function banner(text, kind) {
  const el = $("banner");
  el.hidden = !text;
  el.className = `banner ${kind || ""}`;
  el.textContent = text || "";
}
