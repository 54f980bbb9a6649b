"""The connector against a JWKS server of the test's own, with keys it makes: delivery in ASGI and
WSGI, every way a pass is refused, and key rotation (an unknown ``kid`` fetched again, at most once
a cooldown; a removed key refused once the cache's life is over). test_worker.py does the same
against the real worker."""

import base64
import hashlib
import json
import re
import time
from urllib.parse import urlencode

import pytest
from helpers import (
    JwksServer, SigningKey, call_asgi, call_wsgi, claims_for, echo_asgi, echo_wsgi,
    hmac_signed, tampered, unb64, unsigned,
)

from waitroom_connector.fragment import FRAGMENT_SCRIPT
from waitroom_connector import (
    JwksCache, MemoryOnceStore, PassError, PassVerifier, WaitroomPassMiddleware,
    WaitroomPassWSGIMiddleware,
)

SALE = "tour"


@pytest.fixture
def key():
    return SigningKey()


@pytest.fixture
def jwks(key):
    server = JwksServer({"keys": [key.jwk]})
    yield server
    server.close()


def refused(verifier, token, code):
    with pytest.raises(PassError) as caught:
        verifier.verify(token)
    assert caught.value.code == code, caught.value.message
    return caught.value


@pytest.mark.parametrize("kind", ["asgi", "wsgi"])
def test_every_delivery_reaches_the_app_with_the_claims_once(kind, key, jwks):
    verifier = PassVerifier(jwks_url=jwks.url, sale=SALE)
    if kind == "asgi":
        app = WaitroomPassMiddleware(echo_asgi(), verifier, paths=["/purchase"])
        call = lambda **kw: call_asgi(app, **kw)  # noqa: E731
    else:
        app = WaitroomPassWSGIMiddleware(echo_wsgi, verifier, paths=["/purchase"])
        call = lambda **kw: call_wsgi(app, **kw)  # noqa: E731
    by_query = key.sign(claims_for(SALE, 1))
    status, _, body = call(query=urlencode({"event": 7, "pass": by_query}))
    assert status == 200, body
    assert body["claims"]["jti"] == f"{SALE}.1"
    if kind == "asgi":
        assert body["state"]["sub"] == "fan-1"
    # form_post (and what a fragment page's script posts): the app still reads the whole form.
    by_form = key.sign(claims_for(SALE, 2))
    status, _, body = call(method="POST", form={"pass": by_form, "note": "kept"})
    assert status == 200, body
    assert body["claims"]["seq"] == 2
    assert "note=kept" in body["body"]
    # A second use: someone else holds a copy.
    for again in [dict(query=urlencode({"pass": by_form})), dict(method="POST", form={"pass": by_query})]:
        status, headers, body = call(**again)
        assert (status, body["error"]) == (409, "pass_used")
        assert headers["Cache-Control".lower() if kind == "asgi" else "Cache-Control"] == "no-store"
    status, _, body = call(method="POST", form={"note": "no pass"})
    assert (status, body["error"]) == (401, "pass_required")
    # Other paths are not guarded, the pages after the purchase URL included.
    for path in ["/about", "/purchase/checkout", "/purchases"]:
        status, _, body = call(path=path)
        assert status == 200 and body["claims"] is None, path


@pytest.mark.parametrize("kind", ["asgi", "wsgi"])
def test_fragment_a_get_without_a_pass_gets_the_page_that_posts_it(kind, key, jwks):
    verifier = PassVerifier(jwks_url=jwks.url, sale=SALE)
    if kind == "asgi":
        app = WaitroomPassMiddleware(echo_asgi(), verifier, paths=["/purchase"], fragment_page=True)
        call = lambda **kw: call_asgi(app, raw=True, **kw)  # noqa: E731
    else:
        app = WaitroomPassWSGIMiddleware(echo_wsgi, verifier, paths=["/purchase"], fragment_page=True)
        call = lambda **kw: call_wsgi(app, raw=True, **kw)  # noqa: E731
    status, headers, html = call(query="event=7")
    headers = {k.lower(): v for k, v in headers.items()}
    assert (status, headers["cache-control"]) == (200, "no-store")
    script = re.search(r"<script>(.*)</script>", html.decode(), re.S).group(1)
    assert script == FRAGMENT_SCRIPT
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}';" in headers["content-security-policy"]
    assert headers["content-security-policy"].startswith("default-src 'none';")
    # What the script posts is a form_post, verified as one; a POST without a pass is refused.
    token = key.sign(claims_for(SALE, 7))
    status, _, body = call(method="POST", form={"pass": token})
    assert status == 200 and json.loads(body)["claims"]["seq"] == 7
    status, _, body = call(method="POST", form={"note": "none"})
    assert (status, json.loads(body)["error"]) == (401, "pass_required")


def test_refuses_forged_foreign_expired_unsigned_hmac_and_tampered_passes(key, jwks):
    verifier = PassVerifier(jwks_url=jwks.url, sale=SALE)
    good = key.sign(claims_for(SALE, 3))
    assert verifier.verify(good)["seq"] == 3
    stranger = SigningKey()
    refused(verifier, stranger.sign(claims_for(SALE, 3), kid=key.kid), "bad_pass")
    refused(verifier, stranger.sign(claims_for(SALE, 3)), "bad_pass")
    refused(verifier, key.sign(claims_for("other-sale", 3)), "wrong_sale")
    refused(verifier, key.sign({**claims_for(SALE, 3), "iss": "someone"}), "bad_pass")
    refused(verifier, key.sign(claims_for(SALE, 4, iat=int(time.time()) - 700)), "pass_expired")
    refused(verifier, key.sign(claims_for(SALE, 4, iat=int(time.time()) + 60)), "bad_pass")
    refused(verifier, unsigned(good), "bad_pass")
    refused(verifier, hmac_signed(good, unb64(key.jwk["x"])), "bad_pass")
    refused(verifier, hmac_signed(good, json.dumps(key.jwk).encode()), "bad_pass")
    refused(verifier, tampered(good, seq=2, jti=f"{SALE}.2"), "bad_pass")
    refused(verifier, tampered(good, exp=4102444800), "bad_pass")
    refused(verifier, key.sign({**claims_for(SALE, 5), "jti": "x"}), "bad_pass")
    refused(verifier, key.sign({k: v for k, v in claims_for(SALE, 5).items() if k != "win"}), "bad_pass")
    refused(verifier, "not.a.jwt", "bad_pass")
    refused(verifier, "", "pass_required")
    refused(verifier, "a" * 5000, "bad_pass")
    late = PassVerifier(jwks_url=jwks.url, sale=SALE, now=lambda: claims_for(SALE, 3)["exp"] + 6)
    refused(late, good, "pass_expired")


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_answers_503_while_the_jwks_cannot_be_fetched(key):
    down = JwksServer(500)
    try:
        clock = Clock()
        verifier = PassVerifier(jwks=JwksCache(down.url, cooldown=0, clock=clock), sale=SALE)
        app = WaitroomPassWSGIMiddleware(echo_wsgi, verifier)
        token = key.sign(claims_for(SALE, 6))
        status, headers, body = call_wsgi(app, query=urlencode({"pass": token}))
        assert (status, body["error"], headers["Retry-After"]) == (503, "jwks_unavailable", "5")
        # Refused at once for a second after a failure: no fetch per request.
        fetches = down.fetches
        refused(verifier, token, "jwks_unavailable")
        assert down.fetches == fetches
        down.answer = {"keys": [key.jwk]}
        clock.t += 1
        status, _, body = call_wsgi(app, query=urlencode({"pass": token}))
        assert status == 200, "the refused pass was not spent"
    finally:
        down.close()


def test_an_unknown_kid_fetches_again_at_most_once_a_cooldown():
    old, new = SigningKey(), SigningKey()
    server = JwksServer({"keys": [old.jwk]})
    clock = Clock()
    try:
        verifier = PassVerifier(jwks=JwksCache(server.url, cooldown=30, clock=clock), sale=SALE)
        assert verifier.verify(old.sign(claims_for(SALE, 1)))["seq"] == 1
        assert server.fetches == 1
        server.answer = {"keys": [new.jwk, old.jwk]}
        rotated = new.sign(claims_for(SALE, 2))
        clock.t += 10
        refused(verifier, rotated, "bad_pass")
        assert server.fetches == 1, "no fetch within the cooldown"
        clock.t += 21
        assert verifier.verify(rotated)["seq"] == 2
        assert server.fetches == 2
        stranger = SigningKey()
        for i in range(50):
            refused(verifier, stranger.sign(claims_for(SALE, 9), kid=f"forged-{i}"), "bad_pass")
        assert server.fetches == 2, "forged kids within the cooldown fetch nothing"
    finally:
        server.close()


def test_a_removed_key_stops_verifying_once_the_cache_runs_out():
    old, new = SigningKey(), SigningKey()
    server = JwksServer({"keys": [new.jwk, old.jwk]})
    clock = Clock()
    try:
        verifier = PassVerifier(jwks=JwksCache(server.url, max_age=300, clock=clock), sale=SALE)
        old_pass = old.sign(claims_for(SALE, 1))
        assert verifier.verify(old_pass)["seq"] == 1
        server.answer = {"keys": [new.jwk]}
        clock.t += 299
        assert verifier.verify(old_pass)["seq"] == 1, "still cached"
        clock.t += 2
        refused(verifier, old_pass, "bad_pass")
        assert verifier.verify(new.sign(claims_for(SALE, 2)))["seq"] == 2
    finally:
        server.close()


def test_a_jwks_with_private_or_foreign_keys_yields_only_public_ed25519_keys(key):
    private = dict(key.jwk, d="AAAA")
    server = JwksServer({"keys": [private, {"kty": "RSA", "kid": "r", "n": "x", "e": "AQAB"}, "junk"]})
    try:
        verifier = PassVerifier(jwks=JwksCache(server.url, cooldown=0), sale=SALE)
        refused(verifier, key.sign(claims_for(SALE, 1)), "bad_pass")
    finally:
        server.close()


def test_once_store_keeps_a_jti_until_its_pass_runs_out_and_stays_bounded():
    store = MemoryOnceStore(max_entries=2)
    assert store.check_in("s.1", 100, 50)
    assert not store.check_in("s.1", 100, 60)
    assert store.check_in("s.1", 100, 101)
    assert store.check_in("s.2", 100, 60)
    assert store.check_in("s.3", 100, 60)
    assert len(store.used) == 2
