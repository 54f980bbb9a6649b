// Verifying an admission pass (docs/api.md, "Admission pass") against the waiting room's JWKS.

import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors as jose,
  jwtVerify,
} from 'jose';
import { PassError } from './errors.js';

/** How long the JWKS is kept (ms): the waiting room's docs promise a key change shows within 5 minutes. */
export const DEFAULT_CACHE_MAX_AGE_MS = 5 * 60 * 1000;
/** The least time between two fetches of the JWKS caused by passes naming an unknown `kid` (ms). */
export const DEFAULT_COOLDOWN_MS = 30 * 1000;
/** How long a JWKS fetch may take (ms). */
export const DEFAULT_TIMEOUT_MS = 5 * 1000;
/** The longest pass we read: a real one is a few hundred bytes. */
const MAX_PASS_LENGTH = 4096;

/**
 * Makes a verifier of admission passes.
 *
 * @param {object} options
 * @param {string} [options.baseUrl] the waiting room's URL (`https://wait.example.com`); the JWKS is
 *   `${baseUrl}/.well-known/jwks.json`
 * @param {string} [options.jwksUrl] the JWKS URL itself, instead of `baseUrl`
 * @param {string | string[]} options.sale the sale id (or ids) whose passes this origin takes: the pass's `aud`
 * @param {string} [options.issuer] the pass's `iss` (the worker's `PASS_ISSUER`; default `waitroom`)
 * @param {number} [options.clockToleranceS] leeway on `exp` and `iat` for clock skew (s, default 5)
 * @param {number} [options.cacheMaxAgeMs] how long the JWKS is kept before it is fetched again
 * @param {number} [options.cooldownMs] the least time between fetches caused by an unknown `kid`
 * @param {number} [options.timeoutMs] how long a JWKS fetch may take
 * @param {() => Date} [options.now] the clock (tests)
 * @returns {{verify: (pass: string) => Promise<PassClaims>}}
 */
export function createPassVerifier(options) {
  const jwksUrl = jwksUrlOf(options);
  const sales = [options.sale].flat();
  if (sales.length === 0 || sales.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError('sale: the sale id (or ids) whose passes to accept');
  }
  const issuer = options.issuer ?? 'waitroom';
  const clockTolerance = options.clockToleranceS ?? 5;
  const now = options.now ?? (() => new Date());
  const keys = createRemoteJWKSet(jwksUrl, {
    cacheMaxAge: options.cacheMaxAgeMs ?? DEFAULT_CACHE_MAX_AGE_MS,
    cooldownDuration: options.cooldownMs ?? DEFAULT_COOLDOWN_MS,
    timeoutDuration: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });

  async function verify(pass) {
    if (typeof pass !== 'string' || pass === '') {
      throw new PassError('pass_required', 'no pass');
    }
    if (pass.length > MAX_PASS_LENGTH) {
      throw new PassError('bad_pass', 'the pass is too long');
    }
    let header;
    try {
      header = decodeProtectedHeader(pass);
    } catch (cause) {
      throw new PassError('bad_pass', 'the pass is not a JWT', { cause });
    }
    // Only our algorithm, named as we sign it: no `none`, no HMAC keyed with a public key.
    if (header.alg !== 'EdDSA' || typeof header.kid !== 'string' || header.kid === '') {
      throw new PassError('bad_pass', 'the pass is not signed with EdDSA under a named key');
    }
    let payload;
    const at = now();
    try {
      ({ payload } = await jwtVerify(pass, keys, {
        algorithms: ['EdDSA'],
        issuer,
        audience: sales,
        requiredClaims: ['iss', 'aud', 'sub', 'exp', 'iat', 'jti', 'seq', 'win'],
        clockTolerance,
        currentDate: at,
      }));
    } catch (cause) {
      throw refusal(cause);
    }
    // jose checks `exp`; a pass from the future is not one of ours either.
    if (payload.iat > at.getTime() / 1000 + clockTolerance) {
      throw new PassError('bad_pass', 'the pass was issued in the future');
    }
    const sale = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
    if (
      typeof payload.aud !== 'string' ||
      !Number.isSafeInteger(payload.seq) ||
      payload.seq < 0 ||
      payload.jti !== `${sale}.${payload.seq}`
    ) {
      throw new PassError('bad_pass', 'the pass names no assignment of one sale');
    }
    return /** @type {PassClaims} */ (payload);
  }

  return { verify };
}

/** The JWKS URL from `jwksUrl` or `baseUrl`. */
export function jwksUrlOf({ baseUrl, jwksUrl }) {
  if (jwksUrl) return new URL(jwksUrl);
  if (!baseUrl) throw new TypeError('baseUrl (or jwksUrl): where the waiting room is');
  return new URL('/.well-known/jwks.json', baseUrl);
}

function refusal(cause) {
  if (cause instanceof jose.JWTExpired) {
    return new PassError('pass_expired', 'the pass has expired', { cause });
  }
  if (cause instanceof jose.JWTClaimValidationFailed) {
    if (cause.claim === 'aud') {
      return new PassError('wrong_sale', 'the pass is for another sale', { cause });
    }
    return new PassError('bad_pass', `the pass's ${cause.claim} is not ours`, { cause });
  }
  if (cause instanceof jose.JWKSNoMatchingKey) {
    return new PassError('bad_pass', "the pass's key is not in the waiting room's JWKS", { cause });
  }
  if (
    cause instanceof jose.JWSSignatureVerificationFailed ||
    cause instanceof jose.JOSEAlgNotAllowed ||
    cause instanceof jose.JWSInvalid ||
    cause instanceof jose.JWTInvalid ||
    cause instanceof jose.JOSENotSupported ||
    cause instanceof jose.JWKSMultipleMatchingKeys
  ) {
    return new PassError('bad_pass', 'the pass does not verify', { cause });
  }
  // The JWKS could not be fetched or read (timeout, network, not 200, not a JWKS).
  return new PassError('jwks_unavailable', "the waiting room's keys could not be fetched", { cause });
}

/**
 * @typedef {object} PassClaims
 * @property {string} iss the issuer
 * @property {string} aud the sale id
 * @property {string} sub the fan id
 * @property {string} win the window that pulled the fan
 * @property {number} seq the fan's arrival number
 * @property {number} iat issued at (Unix s)
 * @property {number} exp the pass runs out (Unix s)
 * @property {string} jti `<sale>.<seq>`, the assignment
 * @property {boolean} [assist] a fan of the assisted lane
 */
