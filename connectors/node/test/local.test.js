// The connector against a JWKS server of the test's own, with keys it makes: delivery, every way
// a pass is refused, and key rotation (an unknown `kid` fetched again, at most once a cooldown; a
// removed key refused once the cache's life is over). worker.test.js does the same against the
// real worker.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createPassVerifier, FRAGMENT_SCRIPT, MemoryOnceStore, PassError } from '../src/index.js';
import {
  claimsFor,
  hmacSigned,
  jwksServer,
  outcome,
  purchaseApp,
  runFragmentScript,
  sign,
  signingKey,
  tampered,
  unsigned,
} from './helpers.js';

const SALE = 'tour';

describe('a pass verified against a local JWKS', () => {
  let key, jwks;
  before(async () => {
    key = await signingKey();
    jwks = await jwksServer({ keys: [key.jwk] });
  });
  after(() => jwks.close());

  async function refusedWith(verifier, pass, code) {
    await assert.rejects(verifier.verify(pass), (e) => e instanceof PassError && e.code === code);
  }

  it('every delivery reaches the handler with the claims; each pass once', async () => {
    for (const urlencodedFirst of [false, true]) {
      const app = await purchaseApp({ jwksUrl: jwks.url, sale: SALE }, { urlencodedFirst });
      try {
        const byQuery = await sign(claimsFor(SALE, 1), key);
        const got = await outcome(await app.get(byQuery));
        assert.equal(got.status, 200, JSON.stringify(got.body));
        assert.equal(got.body.claims.jti, `${SALE}.1`);
        assert.equal(got.body.claims.sub, 'fan-1');
        // form_post (and what a fragment page posts): the form stays readable after us.
        const byForm = await sign(claimsFor(SALE, 2), key);
        const posted = await outcome(await app.post({ pass: byForm, note: 'kept' }));
        assert.equal(posted.status, 200, JSON.stringify(posted.body));
        assert.equal(posted.body.claims.seq, 2);
        assert.equal(posted.body.body.note, 'kept');
        // A second use of either pass: someone else holds a copy.
        assert.deepEqual((await outcome(await app.get(byForm))).body.error, 'pass_used');
        const again = await outcome(await app.post({ pass: byQuery }));
        assert.equal(again.status, 409);
        assert.equal(again.body.error, 'pass_used');
        // No pass at all.
        const none = await outcome(await app.post({ note: 'no pass' }));
        assert.equal(none.status, 401);
        assert.equal(none.body.error, 'pass_required');
      } finally {
        await app.close();
      }
    }
  });

  it('fragment: a GET without a pass gets the page whose script posts the pass', async () => {
    const app = await purchaseApp({ jwksUrl: jwks.url, sale: SALE, fragmentPage: true });
    try {
      const page = await fetch(`${app.base}/purchase?event=7`);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('cache-control'), 'no-store');
      const html = await page.text();
      const script = /<script>(.*)<\/script>/s.exec(html)[1];
      assert.equal(script, FRAGMENT_SCRIPT);
      // Its one script is allowed by its hash, nothing else is.
      const hash = createHash('sha256').update(script).digest('base64');
      assert.equal(
        page.headers.get('content-security-policy'),
        `default-src 'none'; script-src 'sha256-${hash}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
      );
      // As a browser runs it: the pass leaves the address and is posted to the same URL.
      const pass = await sign(claimsFor(SALE, 7), key);
      const did = runFragmentScript(script, `${app.base}/purchase?event=7#pass=${pass}`);
      assert.equal(did.replacedWith, '/purchase?event=7');
      assert.equal(did.submitted.method, 'post');
      assert.equal(did.submitted.action, '/purchase?event=7');
      assert.deepEqual(
        did.submitted.children.map((i) => [i.type, i.name, i.value]),
        [['hidden', 'pass', pass]],
      );
      const posted = await outcome(await app.post({ pass: did.submitted.children[0].value }));
      assert.equal(posted.status, 200, JSON.stringify(posted.body));
      assert.equal(posted.body.claims.seq, 7);
      // A link without a pass: the page says so and posts nothing.
      const none = runFragmentScript(script, `${app.base}/purchase#other=1`);
      assert.equal(none.submitted, null);
      assert.match(none.note, /no admission pass/);
      // A POST without a pass is still refused.
      assert.equal((await app.post({ note: 'no pass' })).status, 401);
    } finally {
      await app.close();
    }
  });

  it('refuses forged, foreign, expired, unsigned, HMAC-confused and tampered passes', async () => {
    const verifier = createPassVerifier({ jwksUrl: jwks.url, sale: SALE });
    const good = await sign(claimsFor(SALE, 3), key);
    assert.equal((await verifier.verify(good)).seq, 3);

    const stranger = await signingKey();
    await refusedWith(verifier, await sign(claimsFor(SALE, 3), stranger, key.kid), 'bad_pass');
    await refusedWith(verifier, await sign(claimsFor(SALE, 3), stranger), 'bad_pass');
    await refusedWith(verifier, await sign(claimsFor('other-sale', 3), key), 'wrong_sale');
    await refusedWith(verifier, await sign({ ...claimsFor(SALE, 3), iss: 'someone' }, key), 'bad_pass');
    const expired = claimsFor(SALE, 4, { iatS: Math.floor(Date.now() / 1000) - 700 });
    await refusedWith(verifier, await sign(expired, key), 'pass_expired');
    const future = claimsFor(SALE, 4, { iatS: Math.floor(Date.now() / 1000) + 60 });
    await refusedWith(verifier, await sign(future, key), 'bad_pass');
    await refusedWith(verifier, unsigned(good), 'bad_pass');
    await refusedWith(verifier, hmacSigned(good, Buffer.from(key.jwk.x, 'base64url')), 'bad_pass');
    await refusedWith(verifier, hmacSigned(good, JSON.stringify(key.jwk)), 'bad_pass');
    await refusedWith(verifier, tampered(good, { seq: 2, jti: `${SALE}.2` }), 'bad_pass');
    await refusedWith(verifier, tampered(good, { exp: 4102444800 }), 'bad_pass');
    // Signed by us, but naming no assignment: jti is not <sale>.<seq>.
    await refusedWith(verifier, await sign({ ...claimsFor(SALE, 5), jti: 'x' }, key), 'bad_pass');
    const { win, ...noWindow } = claimsFor(SALE, 5);
    assert.equal(win, 'w1');
    await refusedWith(verifier, await sign(noWindow, key), 'bad_pass');
    await refusedWith(verifier, 'not.a.jwt', 'bad_pass');
    await refusedWith(verifier, '', 'pass_required');
    await refusedWith(verifier, 'a'.repeat(5000), 'bad_pass');
    // A clock past the pass's end (with the 5 s tolerance).
    const late = createPassVerifier({
      jwksUrl: jwks.url,
      sale: SALE,
      now: () => new Date((claimsFor(SALE, 3).exp + 6) * 1000),
    });
    await refusedWith(late, good, 'pass_expired');
  });

  it('answers 503 when the JWKS cannot be fetched, and verifies once it can', async () => {
    const down = await jwksServer(500);
    try {
      const app = await purchaseApp({ jwksUrl: down.url, sale: SALE, cooldownMs: 0 });
      const pass = await sign(claimsFor(SALE, 6), key);
      const refused = await app.get(pass);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '5');
      assert.equal((await refused.json()).error, 'jwks_unavailable');
      down.serve({ keys: [key.jwk] });
      assert.equal((await app.get(pass)).status, 200, 'the refused pass was not spent');
      await app.close();
    } finally {
      await down.close();
    }
  });
});

describe('key rotation', () => {
  // The JWKS cache's clock (jose reads Date.now()) is moved by the tests instead of sleeping.
  it('an unknown kid fetches the JWKS again, at most once a cooldown', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const [oldKey, newKey] = [await signingKey(), await signingKey()];
    const jwks = await jwksServer({ keys: [oldKey.jwk] });
    try {
      const verifier = createPassVerifier({ jwksUrl: jwks.url, sale: SALE });
      assert.equal((await verifier.verify(await sign(claimsFor(SALE, 1), oldKey))).seq, 1);
      assert.equal(jwks.fetches, 1);
      // Rotated: the new key signs, both are published. The cached set lacks the new kid.
      jwks.serve({ keys: [newKey.jwk, oldKey.jwk] });
      const rotatedPass = await sign(claimsFor(SALE, 2), newKey);
      t.mock.timers.tick(29_000);
      await assert.rejects(verifier.verify(rotatedPass), (e) => e.code === 'bad_pass');
      assert.equal(jwks.fetches, 1, 'no fetch within the 30 s cooldown');
      t.mock.timers.tick(1_000);
      assert.equal((await verifier.verify(rotatedPass)).seq, 2);
      assert.equal(jwks.fetches, 2, 'the unknown kid fetched the JWKS once');
      const stranger = await signingKey();
      for (let i = 0; i < 50; i++) {
        await assert.rejects(
          verifier.verify(await sign(claimsFor(SALE, 9), stranger, `forged-${i}`)),
          (e) => e.code === 'bad_pass',
        );
      }
      assert.equal(jwks.fetches, 2, '50 forged kids within the cooldown fetch nothing');
      t.mock.timers.tick(30_000);
      await assert.rejects(verifier.verify(await sign(claimsFor(SALE, 9), stranger, 'forged')));
      assert.equal(jwks.fetches, 3, 'one fetch per cooldown at most');
    } finally {
      await jwks.close();
    }
  });

  it('a removed key stops verifying once the cache has run out, not before', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
    const [oldKey, newKey] = [await signingKey(), await signingKey()];
    const jwks = await jwksServer({ keys: [newKey.jwk, oldKey.jwk] });
    try {
      const verifier = createPassVerifier({ jwksUrl: jwks.url, sale: SALE });
      const oldPass = await sign(claimsFor(SALE, 1), oldKey);
      assert.equal((await verifier.verify(oldPass)).seq, 1);
      jwks.serve({ keys: [newKey.jwk] });
      t.mock.timers.tick(299_000);
      assert.equal((await verifier.verify(oldPass)).seq, 1, 'still cached (5 minutes)');
      t.mock.timers.tick(1_000);
      await assert.rejects(verifier.verify(oldPass), (e) => e.code === 'bad_pass');
      assert.equal((await verifier.verify(await sign(claimsFor(SALE, 2), newKey))).seq, 2);
    } finally {
      await jwks.close();
    }
  });
});

describe('MemoryOnceStore', () => {
  it('keeps a jti until its pass runs out, and stays bounded', () => {
    const store = new MemoryOnceStore({ maxEntries: 2 });
    assert.equal(store.checkIn('s.1', 100, 50), true);
    assert.equal(store.checkIn('s.1', 100, 60), false);
    assert.equal(store.checkIn('s.1', 100, 101), true, 'a run-out pass is refused by exp anyway');
    assert.equal(store.checkIn('s.2', 100, 60), true);
    assert.equal(store.checkIn('s.3', 100, 60), true);
    assert.equal(store.used.size, 2);
  });
});
