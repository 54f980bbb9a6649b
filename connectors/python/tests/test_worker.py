"""The connector against the real worker: passes it signed (before and after a rotation of its
signing key), its JWKS and its origin API. tests/api/connectors.rs starts the worker, makes the
passes and runs pytest with them in the environment (see ENV); without them (a plain ``pytest``)
these tests are skipped, unless WAITROOM_REQUIRE_WORKER=1 says they must run."""

import json
import os
import urllib.request
from urllib.parse import urlencode, urljoin

import pytest
from helpers import (
    JwksServer, SigningKey, call_asgi, call_wsgi, echo_asgi, echo_wsgi, header_of, hmac_signed,
    payload_of, tampered, unb64, unsigned,
)

from waitroom_connector import (
    JwksCache, OriginApiError, OriginClient, PassError, PassVerifier, WaitroomPassMiddleware,
    WaitroomPassWSGIMiddleware,
)

ENV = {
    name: os.environ.get(f"WAITROOM_{name.upper()}")
    for name in ["url", "origin_key", "sale", "other_sale_pass", "old_key_pass",
                 "jwks_before_rotation", "pass_to_complete", "pass_to_release",
                 "passes_to_complete_many"]
}
MISSING = [name for name, value in ENV.items() if not value]
if MISSING and os.environ.get("WAITROOM_REQUIRE_WORKER") == "1":
    raise RuntimeError(f"WAITROOM_REQUIRE_WORKER=1 but the worker's {MISSING} are not set")
pytestmark = pytest.mark.skipif(bool(MISSING), reason="no worker (run by tests/api/connectors.rs)")


def worker_jwks() -> dict:
    with urllib.request.urlopen(urljoin(ENV["url"], "/.well-known/jwks.json"), timeout=10) as r:
        return json.loads(r.read())


def refused(verifier, token, code):
    with pytest.raises(PassError) as caught:
        verifier.verify(token)
    assert caught.value.code == code, caught.value.message


def verifier():
    return PassVerifier(base_url=ENV["url"], sale=ENV["sale"])


def test_its_passes_old_key_and_new_pass_each_middleware_once():
    jwks = worker_jwks()
    assert header_of(ENV["pass_to_complete"])["kid"] == jwks["keys"][0]["kid"], "the first key signs"
    assert header_of(ENV["old_key_pass"])["kid"] == jwks["keys"][1]["kid"], "the old key still published"
    asgi = WaitroomPassMiddleware(echo_asgi(), verifier(), paths=["/purchase"])
    status, _, body = call_asgi(asgi, query=urlencode({"event": 7, "pass": ENV["pass_to_complete"]}))
    assert status == 200, body
    claims = body["claims"]
    assert (claims["aud"], claims["iss"]) == (ENV["sale"], "waitroom")
    assert claims["jti"] == f"{ENV['sale']}.{claims['seq']}"
    status, _, body = call_asgi(asgi, method="POST", form={"pass": ENV["old_key_pass"]})
    assert status == 200, f"signed before the rotation: {body}"
    status, _, body = call_asgi(asgi, method="POST", form={"pass": ENV["pass_to_complete"]})
    assert (status, body["error"]) == (409, "pass_used")

    wsgi = WaitroomPassWSGIMiddleware(echo_wsgi, verifier())
    status, _, body = call_wsgi(wsgi, method="POST", form={"pass": ENV["pass_to_release"]})
    assert status == 200, body
    status, _, body = call_wsgi(wsgi, query=urlencode({"pass": ENV["pass_to_release"]}))
    assert (status, body["error"]) == (409, "pass_used")


def test_refuses_another_sale_expired_forged_unsigned_hmac_and_tampered():
    v, token = verifier(), ENV["pass_to_release"]
    assert v.verify(token)["aud"] == ENV["sale"]
    refused(v, ENV["other_sale_pass"], "wrong_sale")
    other_sale = payload_of(ENV["other_sale_pass"])["aud"]
    assert PassVerifier(base_url=ENV["url"], sale=other_sale).verify(ENV["other_sale_pass"])

    claims = payload_of(token)
    later = PassVerifier(base_url=ENV["url"], sale=ENV["sale"], now=lambda: claims["exp"] + 6)
    refused(later, token, "pass_expired")

    stranger = SigningKey()
    refused(v, stranger.sign(claims, kid=header_of(token)["kid"]), "bad_pass")
    refused(v, stranger.sign(claims), "bad_pass")
    refused(v, unsigned(token), "bad_pass")
    jwks = worker_jwks()
    public = next(k for k in jwks["keys"] if k["kid"] == header_of(token)["kid"])
    refused(v, hmac_signed(token, unb64(public["x"])), "bad_pass")
    refused(v, hmac_signed(token, json.dumps(public).encode()), "bad_pass")
    refused(v, hmac_signed(token, json.dumps(jwks).encode()), "bad_pass")
    seq = claims["seq"]
    refused(v, tampered(token, seq=seq + 1, jti=f"{ENV['sale']}.{seq + 1}"), "bad_pass")
    refused(v, tampered(token, exp=claims["exp"] + 86400), "bad_pass")
    refused(v, tampered(token, aud="another"), "bad_pass")
    assert v.verify(token)["seq"] == seq, "the real pass still verifies"


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_a_rotation_seen_by_an_origin_that_cached_the_old_jwks():
    """A JWKS server in front of the worker's: first what the worker published before the
    rotation (the old key alone), then the worker's own, then the worker's without the old key."""
    before = json.loads(ENV["jwks_before_rotation"])
    old_kids = {k["kid"] for k in before["keys"]}
    stage = {"now": "before"}

    def answer():
        if stage["now"] == "before":
            return before
        keys = worker_jwks()["keys"]
        return {"keys": [k for k in keys if stage["now"] == "rotated" or k["kid"] not in old_kids]}

    proxy, clock = JwksServer(answer), Clock()
    try:
        v = PassVerifier(jwks=JwksCache(proxy.url, max_age=300, cooldown=30, clock=clock), sale=ENV["sale"])
        assert v.verify(ENV["old_key_pass"])
        stage["now"] = "rotated"
        clock.t += 10
        refused(v, ENV["pass_to_release"], "bad_pass")
        assert proxy.fetches == 1, "no fetch within the cooldown"
        clock.t += 21
        assert v.verify(ENV["pass_to_release"])["aud"] == ENV["sale"], "the unknown kid fetched the JWKS"
        assert proxy.fetches == 2
        stranger = SigningKey()
        for i in range(30):
            refused(v, stranger.sign(payload_of(ENV["pass_to_release"]), kid=f"forged-{i}"), "bad_pass")
        assert proxy.fetches == 2, "forged kids within the cooldown fetch nothing"
        stage["now"] = "dropped"
        clock.t += 299  # 5 minutes after the last fetch, less a second
        assert v.verify(ENV["old_key_pass"]), "still cached"
        clock.t += 1
        refused(v, ENV["old_key_pass"], "bad_pass")
        assert proxy.fetches == 3
        assert v.verify(ENV["pass_to_release"]), "the new key still verifies"
    finally:
        proxy.close()


def test_ends_the_assignment_and_the_workers_list_shows_it_once():
    v = verifier()
    origin = OriginClient(ENV["url"], ENV["origin_key"])
    done, abandoned = v.verify(ENV["pass_to_complete"]), v.verify(ENV["pass_to_release"])
    completed = origin.complete(done)
    assert (completed["state"], completed["fan_id"]) == ("completed", done["sub"])
    assert origin.release(abandoned)["state"] == "released"

    listed = {a["seq"]: a["state"] for a in origin.assignments(ENV["sale"], limit=1000)}
    assert (listed[done["seq"]], listed[abandoned["seq"]]) == ("completed", "released")
    assert any(a["seq"] == done["seq"] for a in origin.assignments(ENV["sale"], state="completed"))

    for claims, code in [(done, "already_completed"), (abandoned, "already_released")]:
        with pytest.raises(OriginApiError) as caught:
            origin.complete(claims)
        assert (caught.value.status, caught.value.code) == (409, code)
    with pytest.raises(OriginApiError) as caught:
        origin.release(ENV["sale"], f"{ENV['sale']}.999999")
    assert (caught.value.status, caught.value.code) == (404, "assignment_not_found")
    with pytest.raises(OriginApiError) as caught:
        OriginClient(ENV["url"], "not-the-origin-key").complete(done)
    assert caught.value.status == 401
    listed = {a["seq"]: a["state"] for a in origin.assignments(ENV["sale"], limit=1000)}
    assert listed[done["seq"]] == "completed", "a refused call changed nothing"


def test_completes_many_in_one_request_each_on_its_own_and_a_replay_changes_nothing():
    v = verifier()
    origin = OriginClient(ENV["url"], ENV["origin_key"])
    claims = [v.verify(p) for p in ENV["passes_to_complete_many"].split(",")]
    done = origin.complete_many(claims + [claims[0]])
    outcomes = [r.get("state") or r.get("error") for r in done["results"]]
    assert outcomes == ["completed", "completed", "already_completed"]
    assert [r["id"] for r in done["results"]] == [c["jti"] for c in claims + [claims[0]]]
    assert done["results"][0]["fan_id"] == claims[0]["sub"]
    assert (done["finished"], done["refused"]) == (2, 1)
    again = origin.complete_many(ENV["sale"], [c["jti"] for c in claims] + [f"{ENV['sale']}.999999"])
    assert [r["error"] for r in again["results"]] == [
        "already_completed", "already_completed", "assignment_not_found"]
    with pytest.raises(OriginApiError) as caught:
        origin.complete_many(ENV["sale"], ["another-sale.1"])
    assert (caught.value.status, caught.value.code) == (400, "invalid_field")
    with pytest.raises(OriginApiError) as caught:
        OriginClient(ENV["url"], "not-the-origin-key").complete_many(claims)
    assert caught.value.status == 401
    listed = {a["seq"]: a["state"] for a in origin.assignments(ENV["sale"], state="completed", limit=1000)}
    assert all(listed.get(c["seq"]) == "completed" for c in claims)
