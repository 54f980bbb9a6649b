// Ending a fan's assignment (docs/api.md, "Origin"): `complete` when the purchase went through,
// `release` when the fan abandoned it, named by the pass's `jti`, with the origin's key; or many
// at once (`completeMany`, `releaseMany`: docs/api.md, "Complete in batches"), up to
// MAX_BATCH per request.

import { OriginApiError } from './errors.js';

/** The most assignments the waiting room finishes in one request; longer lists are split. */
export const MAX_BATCH = 100;

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

  async function call(method, path, payload) {
    let response;
    const headers = { authorization: `Bearer ${originKey}`, accept: 'application/json' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    try {
      response = await fetch(new URL(path, baseUrl), {
        method,
        headers,
        body: payload === undefined ? undefined : JSON.stringify(payload),
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

  /**
   * `POST .../assignments/batch/{action}` for many passes' claims (all of one sale), or a sale and a
   * list of `jti`s (or fan ids): in requests of up to MAX_BATCH, one after the other. Resolves to
   * `{ results, finished, refused }`, `results` in the order given, each the assignment (with
   * `id`, as sent) or `{ id, error, message }` for one the waiting room refused alone.
   */
  async function finishMany(action, claimsOrSale, ids) {
    let sale;
    if (typeof claimsOrSale === 'string') {
      sale = claimsOrSale;
    } else if (Array.isArray(claimsOrSale)) {
      sale = claimsOrSale[0]?.aud;
      ids = claimsOrSale.map((claims) => claims?.jti);
      if (claimsOrSale.some((claims) => claims?.aud !== sale)) {
        throw new TypeError('claims of one sale: a batch finishes assignments of one sale');
      }
    }
    if (typeof sale !== 'string' || !Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
      throw new TypeError('a list of verified claims (aud and jti), or a sale and a list of jtis');
    }
    if (ids.length === 0) throw new TypeError('at least one assignment');
    const path = `/api/origin/sales/${encodeURIComponent(sale)}/assignments/batch/${action}`;
    const answer = { results: [], finished: 0, refused: 0 };
    for (let at = 0; at < ids.length; at += MAX_BATCH) {
      const part = await call('POST', path, { assignments: ids.slice(at, at + MAX_BATCH) });
      answer.results.push(...part.results);
      answer.finished += part.finished;
      answer.refused += part.refused;
    }
    return answer;
  }

  return {
    /**
     * Many purchases went through: each assignment ends `completed`, each on its own (one
     * refused, already finished or unknown, never fails the others).
     */
    completeMany: (claimsOrSale, ids) => finishMany('complete', claimsOrSale, ids),
    /** Many fans abandoned their purchase: each assignment ends `released`, each on its own. */
    releaseMany: (claimsOrSale, ids) => finishMany('release', claimsOrSale, ids),
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
