// The admin API: one call (`api`), its error (`ApiError`) and a sale's path.

import { state } from "./state.js";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `The server answered ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

export async function api(method, path, body, key = state.key) {
  const headers = { Accept: "application/json", Authorization: `Bearer ${key}` };
  const init = { method, headers, cache: "no-store", credentials: "omit" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let data = null;
  try {
    data = await res.json();
  } catch (_) {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export const salePath = (id) => `/api/admin/sales/${encodeURIComponent(id)}`;
