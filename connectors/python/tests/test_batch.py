"""``complete_many`` and ``release_many`` against a stand-in for the waiting room's batch route:
what they send (the origin key, the ids in order, at most ``MAX_BATCH`` a request), how they split
and join a long list, and what they refuse before sending anything. test_worker.py runs them
against the real worker."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from waitroom_connector import OriginApiError, OriginClient
from waitroom_connector.origin import MAX_BATCH


@pytest.fixture()
def api():
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            auth = self.headers["Authorization"]
            requests.append((self.path, auth, self.headers["Content-Type"], body))
            if auth != "Bearer origin-key":
                answer, status = {"error": "unauthorized", "message": "no"}, 401
            else:
                results = [{"id": i, "error": "already_completed", "message": "done"} if i.endswith(".9")
                           else {"id": i, "state": "completed"} for i in body["assignments"]]
                refused = sum(1 for r in results if "error" in r)
                answer, status = {"results": results, "finished": len(results) - refused, "refused": refused}, 200
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()


def test_sends_the_claims_jtis_in_order_splits_past_the_bound_and_joins_the_answers(api):
    url, requests = api
    origin = OriginClient(url, "origin-key")
    claims = [{"aud": "tour", "jti": f"tour.{i + 1}"} for i in range(MAX_BATCH + 5)]
    done = origin.complete_many(claims)
    assert [(p, a, t) for p, a, t, _ in requests] == [
        ("/api/origin/sales/tour/assignments/batch/complete", "Bearer origin-key", "application/json")] * 2
    assert len(requests[0][3]["assignments"]) == MAX_BATCH
    assert [r["id"] for r in done["results"]] == [c["jti"] for c in claims]
    assert (done["finished"], done["refused"]) == (MAX_BATCH + 4, 1)
    requests.clear()
    origin.release_many("tour", ["tour.3", "fan_0123456789abcdef0123"])
    assert requests[0][0] == "/api/origin/sales/tour/assignments/batch/release"
    assert requests[0][3] == {"assignments": ["tour.3", "fan_0123456789abcdef0123"]}


def test_refuses_a_mixed_empty_or_malformed_list_before_sending_and_maps_errors(api):
    url, requests = api
    origin = OriginClient(url, "origin-key")
    for args in [
        ([{"aud": "tour", "jti": "tour.1"}, {"aud": "other", "jti": "other.1"}],),
        ([],),
        ("tour", []),
        ("tour", [7]),
        ("tour",),
        ([{"jti": "tour.1"}],),
        (["tour.1"],),
    ]:
        with pytest.raises(ValueError):
            origin.complete_many(*args)
    assert requests == []
    with pytest.raises(OriginApiError) as caught:
        OriginClient(url, "wrong").complete_many("tour", ["tour.1"])
    assert (caught.value.status, caught.value.code) == (401, "unauthorized")
