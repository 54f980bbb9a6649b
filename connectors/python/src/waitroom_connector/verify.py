"""Verifying an admission pass (docs/api.md, "Admission pass") against the waiting room's JWKS."""

import time
from typing import Iterable, Optional, Union
from urllib.parse import urljoin

import jwt

from .errors import PassError
from .jwks import DEFAULT_COOLDOWN_S, DEFAULT_MAX_AGE_S, DEFAULT_TIMEOUT_S, JwksCache

MAX_PASS_LENGTH = 4096
_REQUIRED = ["iss", "aud", "sub", "exp", "iat", "jti", "seq", "win"]


class PassVerifier:
    """Verifies passes of one or more sales.

    ``base_url`` is the waiting room (the JWKS is ``/.well-known/jwks.json`` there), or give
    ``jwks_url``. ``sale`` is the sale id (or ids) whose passes to accept: the pass's ``aud``.
    ``issuer`` is the worker's ``PASS_ISSUER`` (default ``waitroom``); ``leeway`` seconds of clock
    skew on ``exp``/``iat``; ``now`` the clock (Unix seconds; tests).
    """

    def __init__(
        self,
        *,
        sale: Union[str, Iterable[str]],
        base_url: Optional[str] = None,
        jwks_url: Optional[str] = None,
        issuer: str = "waitroom",
        leeway: float = 5.0,
        cache_max_age: float = DEFAULT_MAX_AGE_S,
        cooldown: float = DEFAULT_COOLDOWN_S,
        timeout: float = DEFAULT_TIMEOUT_S,
        now=time.time,
        jwks: Optional[JwksCache] = None,
    ):
        self.sales = [sale] if isinstance(sale, str) else list(sale)
        if not self.sales or not all(isinstance(s, str) and s for s in self.sales):
            raise ValueError("sale: the sale id (or ids) whose passes to accept")
        if jwks is None:
            if not jwks_url:
                if not base_url:
                    raise ValueError("base_url (or jwks_url): where the waiting room is")
                jwks_url = urljoin(base_url, "/.well-known/jwks.json")
            jwks = JwksCache(jwks_url, max_age=cache_max_age, cooldown=cooldown, timeout=timeout)
        self.jwks = jwks
        self.issuer = issuer
        self.leeway = leeway
        self.now = now

    def verify(self, token: Optional[str]) -> dict:
        """The pass's claims, or ``PassError``. Blocking: it may fetch the JWKS."""
        if not token:
            raise PassError("pass_required", "no pass")
        if len(token) > MAX_PASS_LENGTH:
            raise PassError("bad_pass", "the pass is too long")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise PassError("bad_pass", "the pass is not a JWT") from None
        # Only our algorithm, named as we sign it: no `none`, no HMAC keyed with a public key.
        kid = header.get("kid")
        if header.get("alg") != "EdDSA" or not isinstance(kid, str) or not kid:
            raise PassError("bad_pass", "the pass is not signed with EdDSA under a named key")
        key = self.jwks.key_for(kid)
        if key is None:
            raise PassError("bad_pass", "the pass's key is not in the waiting room's JWKS")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=["EdDSA"],
                audience=self.sales,
                issuer=self.issuer,
                # Times are checked below, against our clock.
                options={"require": _REQUIRED, "verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.InvalidAudienceError:
            raise PassError("wrong_sale", "the pass is for another sale") from None
        except jwt.PyJWTError as error:
            raise PassError("bad_pass", f"the pass does not verify ({type(error).__name__})") from None
        self._check_times(claims)
        sale, seq = claims["aud"], claims["seq"]
        if (
            not isinstance(sale, str)
            or not isinstance(seq, int)
            or isinstance(seq, bool)
            or seq < 0
            or claims["jti"] != f"{sale}.{seq}"
        ):
            raise PassError("bad_pass", "the pass names no assignment of one sale")
        return claims

    def _check_times(self, claims: dict) -> None:
        exp, iat = claims["exp"], claims["iat"]
        if not all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in (exp, iat)):
            raise PassError("bad_pass", "the pass's times are not numbers")
        now = self.now()
        if now >= exp + self.leeway:
            raise PassError("pass_expired", "the pass has expired")
        if iat > now + self.leeway:
            raise PassError("bad_pass", "the pass was issued in the future")
