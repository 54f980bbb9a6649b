"""The waiting room's JWKS, fetched and kept: a key change shows within ``max_age``, and a pass
naming an unknown ``kid`` fetches the set again at most once per ``cooldown`` (docs/operations.md,
"Rotating a key")."""

import json
import threading
import time
import urllib.request

from jwt import PyJWK

from .errors import PassError

DEFAULT_MAX_AGE_S = 300.0
DEFAULT_COOLDOWN_S = 30.0
DEFAULT_TIMEOUT_S = 5.0
# After a failed fetch, callers are refused at once for this long rather than each waiting on a
# waiting room that is down.
FAILURE_BACKOFF_S = 1.0
MAX_JWKS_BYTES = 256 * 1024


def fetch_jwks(url: str, timeout: float) -> dict:
    """GET the JWKS document (200 and JSON, else ``OSError``/``ValueError``)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (the operator's URL)
        if response.status != 200:
            raise OSError(f"JWKS answered {response.status}")
        body = response.read(MAX_JWKS_BYTES + 1)
    if len(body) > MAX_JWKS_BYTES:
        raise ValueError("JWKS too large")
    return json.loads(body)


class JwksCache:
    """The Ed25519 keys of a JWKS, by ``kid``; thread-safe."""

    def __init__(
        self,
        url: str,
        *,
        max_age: float = DEFAULT_MAX_AGE_S,
        cooldown: float = DEFAULT_COOLDOWN_S,
        timeout: float = DEFAULT_TIMEOUT_S,
        fetch=None,
        clock=time.monotonic,
    ):
        self.url = url
        self.max_age = max_age
        self.cooldown = cooldown
        self.timeout = timeout
        self._fetch = fetch or fetch_jwks
        self._clock = clock
        self._lock = threading.Lock()
        self._keys = None
        self._fetched_at = None
        self._failed_at = None
        self.fetches = 0

    def key_for(self, kid: str):
        """The public key named ``kid``, or None if the (fresh enough) JWKS has none."""
        with self._lock:
            now = self._clock()
            if self._keys is None or now - self._fetched_at >= self.max_age:
                self._refresh(now)
            key = self._keys.get(kid)
            if key is None and now - self._fetched_at >= self.cooldown:
                self._refresh(now)
                key = self._keys.get(kid)
            return key

    def _refresh(self, now: float) -> None:
        if self._failed_at is not None and now - self._failed_at < FAILURE_BACKOFF_S:
            raise PassError("jwks_unavailable", "the waiting room's keys could not be fetched")
        self.fetches += 1
        try:
            document = self._fetch(self.url, self.timeout)
            keys = _usable_keys(document)
        except (OSError, ValueError) as error:
            self._failed_at = now
            raise PassError(
                "jwks_unavailable", f"the waiting room's keys could not be fetched ({type(error).__name__})"
            ) from error
        self._keys, self._fetched_at, self._failed_at = keys, now, None


def _usable_keys(document) -> dict:
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS")
    keys = {}
    for jwk in document["keys"]:
        if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            continue
        if "d" in jwk or not isinstance(jwk.get("kid"), str) or jwk.get("use", "sig") != "sig":
            continue
        try:
            keys[jwk["kid"]] = PyJWK(jwk, algorithm="EdDSA").key
        except Exception:  # a malformed key is skipped, as a JWKS reader must
            continue
    return keys
