// The list of sales, kept up to date.

import { api } from "./api.js";
import { fmtCount, fmtLocal, phaseElement } from "./format.js";
import { select } from "./selected.js";
import { banner } from "./session.js";
import { $, DEFAULT_COLOR, state } from "./state.js";

export async function loadSales() {
  const list = await api("GET", "/api/admin/sales");
  renderSales(list.sales || []);
  banner("");
}

/// Remembers the ink the server picked for a report's brand colour (its only source).
export function learnInk(r) {
  const b = (r && r.branding) || {};
  if (b.ink) state.inks.set((b.color || DEFAULT_COLOR).toLowerCase(), b.ink);
}

export function renderSales(sales) {
  sales.forEach(learnInk);
  state.sales = new Map(sales.map((s) => [s.id, s]));
  if (state.report && state.sales.has(state.report.id)) {
    // The selected sale's report is refreshed more often; keep the newer one.
    const listed = state.sales.get(state.report.id);
    if (Date.parse(listed.updated_at) <= Date.parse(state.report.updated_at)) {
      state.sales.set(state.report.id, state.report);
    }
  }
  const ul = $("sales");
  const focused = ul.contains(document.activeElement) ? document.activeElement.dataset.sale : null;
  const items = sales.map((s) => saleItem(state.sales.get(s.id)));
  ul.replaceChildren(...items);
  $("sales-empty").hidden = sales.length > 0;
  if (focused) {
    const again = ul.querySelector(`[data-sale="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
}

export function saleItem(s) {
  const li = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "sale-row";
  button.dataset.sale = s.id;
  button.setAttribute("aria-pressed", String(s.id === state.selected));

  const top = document.createElement("span");
  top.className = "row-top";
  const name = document.createElement("span");
  name.className = "sale-name";
  name.textContent = s.name || s.id;
  top.append(name, phaseElement("span", s.phase));

  const meta = document.createElement("span");
  meta.className = "row-meta";
  const id = document.createElement("span");
  id.className = "sale-id";
  id.textContent = s.id;
  const opens = document.createElement("span");
  opens.className = "opens";
  opens.textContent = s.opens_at ? `Opens ${fmtLocal(s.opens_at)}` : "No schedule";
  meta.append(id, opens);

  const counts = document.createElement("span");
  counts.className = "row-counts";
  const stats = s.stats || {};
  const joined = document.createElement("span");
  joined.className = "joined";
  joined.textContent = s.unavailable ? "unavailable" : `${fmtCount(stats.joined)} joined`;
  const waiting = document.createElement("span");
  waiting.className = "waiting";
  waiting.textContent = `${fmtCount(stats.waiting)} waiting`;
  counts.append(joined, waiting);

  button.append(top, meta, counts);
  button.addEventListener("click", () => select(s.id));
  li.append(button);
  return li;
}

export function updateSaleItem(report) {
  state.sales.set(report.id, report);
  const old = document.querySelector(`#sales [data-sale="${CSS.escape(report.id)}"]`);
  if (!old) return;
  const hadFocus = document.activeElement === old;
  const fresh = saleItem(report).firstChild;
  old.replaceWith(fresh);
  if (hadFocus) fresh.focus();
}
