// The connector against the real worker: passes it signed (before and after a rotation of its
// signing key), its JWKS, and its origin API. tests/api/connectors.rs starts the worker, makes
// the passes and runs this file with them in the environment (see env below); without them (a
// plain `npm test`) these tests are skipped, unless WAITROOM_REQUIRE_WORKER=1 says they must run.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  createOriginClient,
  createPassVerifier,
  OriginApiError,
  PassError,
} from '../src/index.js';
import {
  headerOf,
  hmacSigned,
  outcome,
  payloadOf,
  purchaseApp,
  signingKey,
  tampered,
  unsigned,
} from './helpers.js';
import { SignJWT } from 'jose';

const env = {
  url: process.env.WAITROOM_URL,
  originKey: process.env.WAITROOM_ORIGIN_KEY,
  sale: process.env.WAITROOM_SALE,
  otherSalePass: process.env.WAITROOM_OTHER_SALE_PASS,
  oldKeyPass: process.env.WAITROOM_OLD_KEY_PASS,
  jwksBeforeRotation: process.env.WAITROOM_JWKS_BEFORE_ROTATION,
  toComplete: process.env.WAITROOM_PASS_TO_COMPLETE,
  toRelease: process.env.WAITROOM_PASS_TO_RELEASE,
  toCompleteMany: process.env.WAITROOM_PASSES_TO_COMPLETE_MANY,
};
const missing = Object.entries(env).filter(([, v]) => !v).map(([k]) => k);
if (missing.length && process.env.WAITROOM_REQUIRE_WORKER === '1') {
  throw new Error(`WAITROOM_REQUIRE_WORKER=1 but the worker's ${missing.join(', ')} are not set`);
}
const skip = missing.length ? 'no worker (run by tests/api/connectors.rs)' : false;

const rejectsWith = (promise, code) =>
  assert.rejects(promise, (e) => e instanceof PassError && e.code === code);

describe('against the real worker', { skip }, () => {
  let verifier, jwks;
  before(async () => {
    verifier = createPassVerifier({ baseUrl: env.url, sale: env.sale });
    jwks = await (await fetch(new URL('/.well-known/jwks.json', env.url))).json();
  });

  it('verifies its passes, old key and new, where each delivery puts them', async () => {
    const app = await purchaseApp({ baseUrl: env.url, sale: env.sale });
    try {
      const byQuery = await outcome(await app.get(env.toComplete));
      assert.equal(byQuery.status, 200, JSON.stringify(byQuery.body));
      const claims = byQuery.body.claims;
      assert.equal(claims.aud, env.sale);
      assert.equal(claims.iss, 'waitroom');
      assert.equal(claims.jti, `${env.sale}.${claims.seq}`);
      assert.equal(headerOf(env.toComplete).kid, jwks.keys[0].kid, 'the first key signs');
      const byForm = await outcome(await app.post({ pass: env.oldKeyPass }));
      assert.equal(byForm.status, 200, 'signed before the rotation: ' + JSON.stringify(byForm.body));
      assert.equal(headerOf(env.oldKeyPass).kid, jwks.keys[1].kid, 'the old key is still published');
      const replayed = await outcome(await app.post({ pass: env.toComplete }));
      assert.equal(replayed.status, 409);
      assert.equal(replayed.body.error, 'pass_used');
    } finally {
      await app.close();
    }
  });

  it('refuses a pass of another sale, expired, forged, unsigned, HMAC-confused or tampered', async () => {
    const pass = env.toRelease;
    assert.equal((await verifier.verify(pass)).aud, env.sale);
    await rejectsWith(verifier.verify(env.otherSalePass), 'wrong_sale');
    const other = createPassVerifier({ baseUrl: env.url, sale: payloadOf(env.otherSalePass).aud });
    assert.ok(await other.verify(env.otherSalePass), 'a good pass of its own sale');

    const { exp } = payloadOf(pass);
    const later = createPassVerifier({ baseUrl: env.url, sale: env.sale, now: () => new Date((exp + 6) * 1000) });
    await rejectsWith(later.verify(pass), 'pass_expired');

    // The same claims signed by a key of ours, under the worker's kid and under its own.
    const stranger = await signingKey();
    const forge = (kid) =>
      new SignJWT(payloadOf(pass)).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid }).sign(stranger.privateKey);
    await rejectsWith(verifier.verify(await forge(headerOf(pass).kid)), 'bad_pass');
    await rejectsWith(verifier.verify(await forge(stranger.kid)), 'bad_pass');

    await rejectsWith(verifier.verify(unsigned(pass)), 'bad_pass');
    const publicKey = jwks.keys.find((k) => k.kid === headerOf(pass).kid);
    await rejectsWith(verifier.verify(hmacSigned(pass, Buffer.from(publicKey.x, 'base64url'))), 'bad_pass');
    await rejectsWith(verifier.verify(hmacSigned(pass, JSON.stringify(publicKey))), 'bad_pass');
    await rejectsWith(verifier.verify(hmacSigned(pass, JSON.stringify(jwks))), 'bad_pass');

    const { seq } = payloadOf(pass);
    await rejectsWith(verifier.verify(tampered(pass, { seq: seq + 1, jti: `${env.sale}.${seq + 1}` })), 'bad_pass');
    await rejectsWith(verifier.verify(tampered(pass, { exp: exp + 86400 })), 'bad_pass');
    await rejectsWith(verifier.verify(tampered(pass, { aud: 'another' })), 'bad_pass');
    assert.equal((await verifier.verify(pass)).seq, seq, 'the real pass still verifies');
  });

  describe('its key rotated while an origin had cached the old JWKS', () => {
    // A JWKS server in front of the worker's: first the set the worker published before the
    // rotation (only the old key), then the worker's own, then the worker's without the old key.
    let proxy;
    before(async () => {
      proxy = await rotationProxy(JSON.parse(env.jwksBeforeRotation), env.url);
    });
    after(() => proxy.close());

    it('a new kid fetches the JWKS again; a dropped key stops once the cache runs out', async (t) => {
      // The JWKS cache's clock (jose reads Date.now()) moved by the test instead of sleeping.
      t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
      const cached = createPassVerifier({ jwksUrl: proxy.url, sale: env.sale });
      assert.ok(await cached.verify(env.oldKeyPass));
      assert.equal(proxy.fetches, 1);
      // A pass from the new key within the 30 s cooldown of the last fetch: refused, nothing fetched.
      proxy.stage = 'rotated';
      t.mock.timers.tick(10_000);
      await rejectsWith(cached.verify(env.toRelease), 'bad_pass');
      assert.equal(proxy.fetches, 1);
      t.mock.timers.tick(20_000);
      assert.equal((await cached.verify(env.toRelease)).aud, env.sale, 'the unknown kid fetched the JWKS');
      assert.equal(proxy.fetches, 2);
      // A flood of forged kids within the cooldown fetches nothing.
      const stranger = await signingKey();
      for (let i = 0; i < 30; i++) {
        const forged = await new SignJWT(payloadOf(env.toRelease))
          .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: `forged-${i}` })
          .sign(stranger.privateKey);
        await rejectsWith(cached.verify(forged), 'bad_pass');
      }
      assert.equal(proxy.fetches, 2, '30 forged kids within the cooldown');
      // The old key dropped: still good while the cache lives (5 minutes), refused after.
      proxy.stage = 'dropped';
      t.mock.timers.tick(299_000);
      assert.ok(await cached.verify(env.oldKeyPass), 'still cached');
      t.mock.timers.tick(1_000);
      await rejectsWith(cached.verify(env.oldKeyPass), 'bad_pass');
      assert.equal(proxy.fetches, 3);
      assert.ok(await cached.verify(env.toRelease), 'the new key still verifies');
    });
  });

  it('ends the assignment: completed and released show in the worker’s list, once', async () => {
    const origin = createOriginClient({ baseUrl: env.url, originKey: env.originKey });
    const done = await verifier.verify(env.toComplete);
    const completed = await origin.complete(done);
    assert.equal(completed.state, 'completed');
    assert.equal(completed.fan_id, done.sub);
    const abandoned = await verifier.verify(env.toRelease);
    assert.equal((await origin.release(abandoned)).state, 'released');

    const listed = await origin.assignments(env.sale, { limit: 1000 });
    const stateOf = (claims) => listed.find((a) => a.seq === claims.seq)?.state;
    assert.equal(stateOf(done), 'completed');
    assert.equal(stateOf(abandoned), 'released');
    assert.ok((await origin.assignments(env.sale, { state: 'completed' })).some((a) => a.seq === done.seq));

    await assert.rejects(origin.complete(done), (e) => e instanceof OriginApiError && e.status === 409 && e.code === 'already_completed');
    await assert.rejects(origin.complete(abandoned), (e) => e.status === 409 && e.code === 'already_released');
    await assert.rejects(origin.complete(env.sale, `${env.sale}.999999`), (e) => e.status === 404 && e.code === 'assignment_not_found');
    const impostor = createOriginClient({ baseUrl: env.url, originKey: 'not-the-origin-key' });
    await assert.rejects(impostor.complete(done), (e) => e.status === 401);
    // A refused call changed nothing.
    const again = await origin.assignments(env.sale, { limit: 1000 });
    assert.equal(again.find((a) => a.seq === done.seq)?.state, 'completed');
  });

  it('completes many in one request, each on its own, and a replay changes nothing', async () => {
    const origin = createOriginClient({ baseUrl: env.url, originKey: env.originKey });
    const claims = await Promise.all(env.toCompleteMany.split(',').map((pass) => verifier.verify(pass)));
    const done = await origin.completeMany([...claims, claims[0]]);
    assert.deepEqual(done.results.map((r) => r.state ?? r.error), ['completed', 'completed', 'already_completed']);
    assert.deepEqual(done.results.map((r) => r.id), [...claims, claims[0]].map((c) => c.jti));
    assert.equal(done.results[0].fan_id, claims[0].sub);
    assert.deepEqual([done.finished, done.refused], [2, 1]);
    const again = await origin.completeMany(env.sale, [...claims.map((c) => c.jti), `${env.sale}.999999`]);
    assert.deepEqual(again.results.map((r) => r.error), ['already_completed', 'already_completed', 'assignment_not_found']);
    await assert.rejects(origin.completeMany(env.sale, ['another-sale.1']), (e) => e instanceof OriginApiError && e.status === 400 && e.code === 'invalid_field');
    const impostor = createOriginClient({ baseUrl: env.url, originKey: 'not-the-origin-key' });
    await assert.rejects(impostor.completeMany(claims), (e) => e.status === 401);
    const listed = await origin.assignments(env.sale, { state: 'completed', limit: 1000 });
    assert.ok(claims.every((c) => listed.some((a) => a.seq === c.seq)));
  });
});

/** A JWKS server serving `before`, then (`stage = 'rotated'`) the worker's JWKS, then (`'dropped'`) the worker's without `before`'s keys. */
async function rotationProxy(before, workerUrl) {
  const state = { stage: 'before', fetches: 0 };
  const oldKids = new Set(before.keys.map((k) => k.kid));
  const server = createServer(async (req, res) => {
    state.fetches += 1;
    let body = before;
    if (state.stage !== 'before') {
      body = await (await fetch(new URL('/.well-known/jwks.json', workerUrl))).json();
      if (state.stage === 'dropped') body = { keys: body.keys.filter((k) => !oldKids.has(k.kid)) };
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/.well-known/jwks.json`,
    get fetches() {
      return state.fetches;
    },
    set stage(value) {
      state.stage = value;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
