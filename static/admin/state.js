// The dashboard's shared state: its timings, the element lookup `$`, and what it holds
// (the admin key, the sales' latest reports, the selected sale, its chart and timers).

export const KEY_STORAGE = "waitroom.adminKey";
export const REFRESH_MS = 3000;
export const LIST_REFRESH_MS = 15000;
export const DEFAULT_COLOR = "#5b21b6";
export const $ = (id) => document.getElementById(id);

export const state = {
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
