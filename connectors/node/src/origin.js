// Ending a fan's assignment (docs/api.md, "Origin"): `complete` when the purchase went through,
// `release` when the fan abandoned it, named by the pass's `jti`, with the origin's key.

import { OriginApiError } from './errors.js';

/**
 * A client of the waiting room's origin API.
 *
 * @param {object} options
 * @param {string} options.baseUrl the waiting room's URL
 * @param {string} options.originKey the origin's key (`ORIGIN_KEY`), sent as `Authorization: Bearer`
 * @param {number} [options.timeoutMs] per request (default 10 s)
 */
export function createOriginClient({ baseUrl, originKey, timeoutMs = 10_000 }) {
  if (!baseUrl) throw new TypeError('baseUrl: where the waiting room is');
  if (!originKey) throw new TypeError('originKey: the origin key (ORIGIN_KEY)');

  async function call(method, path) {
    let response;
    try {
      response = await fetch(new URL(path, baseUrl), {
        method,
        headers: { authorization: `Bearer ${originKey}`, accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
    } catch (cause) {
      throw new OriginApiError(0, 'unreachable', 'the waiting room could not be reached', { cause });
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new OriginApiError(
        response.status,
        body.error ?? 'http_' + response.status,
        body.message ?? `the waiting room answered ${response.status}`,
      );
      error.retryAfterS = Number(response.headers.get('retry-after')) || undefined;
      throw error;
    }
    return body;
  }

  /** `POST .../assignments/{jti}/{action}` for the pass's claims (or a sale and a jti). */
  function finish(action, claimsOrSale, jti) {
    const [sale, id] =
      typeof claimsOrSale === 'string' ? [claimsOrSale, jti] : [claimsOrSale?.aud, claimsOrSale?.jti];
    if (typeof sale !== 'string' || typeof id !== 'string') {
      throw new TypeError('the verified claims (aud and jti), or a sale and a jti');
    }
    return call(
      'POST',
      `/api/origin/sales/${encodeURIComponent(sale)}/assignments/${encodeURIComponent(id)}/${action}`,
    );
  }

  return {
    /** The purchase went through: the assignment ends `completed`. Resolves to the assignment. */
    complete: (claimsOrSale, jti) => finish('complete', claimsOrSale, jti),
    /** The fan abandoned the purchase: the assignment ends `released`, the window is free. */
    release: (claimsOrSale, jti) => finish('release', claimsOrSale, jti),
    /** The sale's assignments, newest first (`GET .../assignments?window=&state=&limit=`). */
    assignments: (sale, query = {}) =>
      call(
        'GET',
        `/api/origin/sales/${encodeURIComponent(sale)}/assignments?${new URLSearchParams(query)}`,
      ).then((body) => body.assignments),
  };
}
