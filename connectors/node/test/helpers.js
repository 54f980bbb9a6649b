// What the tests share: a JWKS server they control, an Express app behind the middleware, and
// the ways a script forges a pass.

import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import vm from 'node:vm';
import express from 'express';
import { exportJWK, calculateJwkThumbprint, generateKeyPair, SignJWT } from 'jose';
import { waitroomPass } from '../src/index.js';

/**
 * A JWKS server on a free port: `serve` sets what it answers (a JWKS object, a function that
 * returns one, or a status number), `fetches` counts the requests.
 */
export async function jwksServer(initial) {
  const state = { answer: initial, fetches: 0 };
  const server = createServer(async (req, res) => {
    state.fetches += 1;
    const answer = typeof state.answer === 'function' ? await state.answer() : state.answer;
    if (typeof answer === 'number') {
      res.statusCode = answer;
      return res.end('{}');
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(answer));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/.well-known/jwks.json`,
    serve(answer) {
      state.answer = answer;
    },
    get fetches() {
      return state.fetches;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** An Ed25519 signing key as the worker makes one: its public JWK with the RFC 7638 `kid`. */
export async function signingKey() {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { privateKey, kid, jwk: { ...jwk, alg: 'EdDSA', use: 'sig', kid } };
}

/** Claims as the worker signs them (docs/api.md, "Admission pass"). */
export function claimsFor(sale, seq, { ttlS = 600, iatS = Math.floor(Date.now() / 1000) } = {}) {
  return {
    iss: 'waitroom',
    aud: sale,
    sub: `fan-${seq}`,
    win: 'w1',
    seq,
    iat: iatS,
    exp: iatS + ttlS,
    jti: `${sale}.${seq}`,
  };
}

/** A pass signed with `key` (header `{alg: EdDSA, typ: JWT, kid}`; `kid` may be overridden). */
export function sign(claims, key, kid = key.kid) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid }).sign(key.privateKey);
}

const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const parts = (pass) => pass.split('.');
export const payloadOf = (pass) => JSON.parse(Buffer.from(parts(pass)[1], 'base64url'));
export const headerOf = (pass) => JSON.parse(Buffer.from(parts(pass)[0], 'base64url'));

/** The pass's claims with `alg: none` and no signature. */
export function unsigned(pass) {
  return `${b64({ alg: 'none', typ: 'JWT', kid: headerOf(pass).kid })}.${parts(pass)[1]}.`;
}

/** The pass's claims under HS256, keyed with `secret` (the public key's bytes, or its JWK). */
export function hmacSigned(pass, secret) {
  const text = `${b64({ alg: 'HS256', typ: 'JWT', kid: headerOf(pass).kid })}.${parts(pass)[1]}`;
  return `${text}.${createHmac('sha256', secret).update(text).digest('base64url')}`;
}

/** The pass with its payload changed and its signature kept. */
export function tampered(pass, change) {
  const [header, , signature] = parts(pass);
  return `${header}.${b64({ ...payloadOf(pass), ...change })}.${signature}`;
}

/** An Express app whose `/purchase` (GET and POST) is behind `waitroomPass(options)`. */
export async function purchaseApp(options, { urlencodedFirst = false } = {}) {
  const app = express();
  if (urlencodedFirst) app.use(express.urlencoded({ extended: false }));
  const guard = waitroomPass(options);
  const answer = (req, res) => res.json({ claims: req.waitroomPass, body: req.body ?? null });
  app.get('/purchase', guard, answer);
  app.post('/purchase', guard, express.urlencoded({ extended: false }), answer);
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    get: (pass) => fetch(`${base}/purchase?${new URLSearchParams({ event: '7', pass })}`),
    post: (fields) =>
      fetch(`${base}/purchase`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
      }),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The answer's status and JSON body. */
export async function outcome(response) {
  return { status: response.status, body: await response.json() };
}


/**
 * Runs the fragment page's script as a browser would at `url` (a `location.hash` with the pass),
 * with just the DOM it touches: what it did (the address it left, the form it submitted).
 */
export function runFragmentScript(script, url) {
  const at = new URL(url);
  const did = { replacedWith: null, submitted: null, note: null };
  const note = {
    set textContent(text) {
      did.note = text;
    },
  };
  const element = (tag) => ({ tag, children: [], appendChild(c) { this.children.push(c); }, submit() { did.submitted = this; } });
  const context = {
    location: { hash: at.hash, pathname: at.pathname, search: at.search },
    history: { replaceState: (_s, _t, to) => { did.replacedWith = to; } },
    document: {
      getElementById: (id) => (id === 'wr-note' ? note : null),
      createElement: element,
      body: element('body'),
    },
  };
  vm.runInNewContext(script, context);
  return did;
}
