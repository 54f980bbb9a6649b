// `completeMany` and `releaseMany` against a stand-in for the waiting room's batch route: what
// they send (the origin key, the ids in order, at most MAX_BATCH a request), how they split and
// join a long list, and what they refuse before sending anything. worker.test.js runs them
// against the real worker.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createOriginClient, MAX_BATCH, OriginApiError } from '../src/index.js';

describe('batches against a stand-in origin API', () => {
  let server, url;
  const requests = [];
  before(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => {
        requests.push({ method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body: JSON.parse(text || 'null') });
        res.setHeader('content-type', 'application/json');
        if (req.headers.authorization !== 'Bearer origin-key') {
          res.statusCode = 401;
          return res.end(JSON.stringify({ error: 'unauthorized', message: 'no' }));
        }
        const ids = JSON.parse(text).assignments;
        const results = ids.map((id) => (id.endsWith('.9') ? { id, error: 'already_completed', message: 'done' } : { id, state: 'completed' }));
        const refused = results.filter((r) => r.error).length;
        res.end(JSON.stringify({ results, finished: results.length - refused, refused }));
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${server.address().port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  it('sends the claims’ jtis in order, splits past MAX_BATCH, and joins the answers', async () => {
    const origin = createOriginClient({ baseUrl: url, originKey: 'origin-key' });
    requests.length = 0;
    const claims = Array.from({ length: MAX_BATCH + 5 }, (_, i) => ({ aud: 'tour', jti: `tour.${i + 1}` }));
    const done = await origin.completeMany(claims);
    assert.equal(requests.length, 2);
    assert.deepEqual(requests.map((r) => [r.method, r.url, r.auth, r.type]), [
      ['POST', '/api/origin/sales/tour/assignments/batch/complete', 'Bearer origin-key', 'application/json'],
      ['POST', '/api/origin/sales/tour/assignments/batch/complete', 'Bearer origin-key', 'application/json'],
    ]);
    assert.equal(requests[0].body.assignments.length, MAX_BATCH);
    assert.deepEqual(done.results.map((r) => r.id), claims.map((c) => c.jti));
    assert.equal(done.refused, 1, 'tour.9 was refused alone');
    assert.equal(done.finished, MAX_BATCH + 4);

    requests.length = 0;
    await origin.releaseMany('tour', ['tour.3', 'fan_0123456789abcdef0123']);
    assert.equal(requests[0].url, '/api/origin/sales/tour/assignments/batch/release');
    assert.deepEqual(requests[0].body, { assignments: ['tour.3', 'fan_0123456789abcdef0123'] });
  });

  it('refuses a mixed, empty or malformed list before sending anything, and maps errors', async () => {
    const origin = createOriginClient({ baseUrl: url, originKey: 'origin-key' });
    requests.length = 0;
    for (const bad of [
      () => origin.completeMany([{ aud: 'tour', jti: 'tour.1' }, { aud: 'other', jti: 'other.1' }]),
      () => origin.completeMany([]),
      () => origin.completeMany('tour', []),
      () => origin.completeMany('tour', [7]),
      () => origin.completeMany('tour'),
      () => origin.releaseMany([{ jti: 'tour.1' }]),
    ]) {
      await assert.rejects(bad, TypeError);
    }
    assert.equal(requests.length, 0);
    const impostor = createOriginClient({ baseUrl: url, originKey: 'wrong' });
    await assert.rejects(impostor.completeMany('tour', ['tour.1']), (e) => e instanceof OriginApiError && e.status === 401 && e.code === 'unauthorized');
  });
});
