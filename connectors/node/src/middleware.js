// Express (or plain `node:http`) middleware: takes the pass where the sale's `pass_delivery` puts it
// (docs/api.md, "Pass delivery"), verifies it, and hands the claims to the next handler.

import { PassError } from './errors.js';
import { FRAGMENT_PAGE, FRAGMENT_PAGE_HEADERS } from './fragment.js';
import { MemoryOnceStore } from './once.js';
import { createPassVerifier } from './verifier.js';

/** The largest form body read for a `pass` (bytes); a pass is a few hundred. */
const MAX_FORM_BYTES = 16 * 1024;

/**
 * Express middleware that admits a request only with a valid admission pass.
 *
 * The pass is read from the query (`?pass=`, delivery `query`) or from a form body
 * (`application/x-www-form-urlencoded` `pass=`: delivery `form_post`, and what a `fragment` page's
 * script posts). A JSON body `{"pass": ...}` parsed by `express.json()` is read too. On success
 * `req.waitroomPass` (and `res.locals.waitroomPass`) holds the verified claims and `next()` runs;
 * otherwise the answer is a JSON error (`401`, `409 pass_used`, `503 jwks_unavailable`) unless
 * `onRefused` answers instead.
 *
 * @param {object} options everything `createPassVerifier` takes, and:
 * @param {{checkIn: (jti: string, exp: number, nowS: number) => boolean | Promise<boolean>} | false} [options.once]
 *   where used `jti`s are kept (default: this process's memory); `false` to accept a pass again
 * @param {boolean} [options.fragmentPage] delivery `fragment`: a `GET` without a pass answers a page
 *   whose script moves the pass from the URL's fragment into a form `POST` to the same URL
 * @param {(error: PassError, req, res, next) => void} [options.onRefused] answers a refused pass
 * @param {{verify: Function}} [options.verifier] a verifier to share between middlewares
 */
export function waitroomPass(options) {
  const verifier = options.verifier ?? createPassVerifier(options);
  const once = options.once === false ? null : (options.once ?? new MemoryOnceStore());
  const now = options.now ?? (() => new Date());
  const onRefused = options.onRefused ?? refuse;

  return async function waitroomPassMiddleware(req, res, next) {
    let claims;
    try {
      const pass = await passOf(req);
      if (!pass && options.fragmentPage && (req.method === 'GET' || req.method === 'HEAD')) {
        res.writeHead(200, FRAGMENT_PAGE_HEADERS);
        return res.end(req.method === 'HEAD' ? undefined : FRAGMENT_PAGE);
      }
      claims = await verifier.verify(pass);
      if (once && !(await once.checkIn(claims.jti, claims.exp, Math.floor(now().getTime() / 1000)))) {
        throw new PassError('pass_used', 'this pass was used already');
      }
    } catch (error) {
      if (!(error instanceof PassError)) return next(error);
      return onRefused(error, req, res, next);
    }
    req.waitroomPass = claims;
    if (res.locals) res.locals.waitroomPass = claims;
    next();
  };
}

/** The pass a request carries, or undefined. */
export async function passOf(req) {
  const fromQuery = queryOf(req).get('pass');
  if (fromQuery) return fromQuery;
  if (req.method !== 'POST') return undefined;
  if (req.body && typeof req.body === 'object') {
    return typeof req.body.pass === 'string' ? req.body.pass : undefined;
  }
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded' || req.readableEnded) return undefined;
  const text = await readBody(req);
  const form = new URLSearchParams(text);
  // As express.urlencoded() would leave it, so a body parser after us does not wait for a body.
  req.body = Object.fromEntries(form);
  req._body = true;
  return form.get('pass') ?? undefined;
}

function queryOf(req) {
  const url = req.originalUrl ?? req.url ?? '';
  const at = url.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : url.slice(at + 1));
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        req.destroy();
        reject(new PassError('bad_pass', 'the form is too large to hold a pass'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The default answer to a refused pass: JSON, no-store, never echoing the pass. */
function refuse(error, req, res) {
  res.statusCode = error.status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  if (error.status === 503) res.setHeader('Retry-After', '5');
  res.end(JSON.stringify({ error: error.code, message: error.message }));
}
