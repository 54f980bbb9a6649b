"""What the ASGI and WSGI middleware share: where the pass is (docs/api.md, "Pass delivery"),
checking it and its ``jti`` once, and the answer to a refused one."""

import json
from typing import Iterable, Optional
from urllib.parse import parse_qs

from .errors import PassError
from .once import MemoryOnceStore
from .verify import PassVerifier

MAX_FORM_BYTES = 16 * 1024
FORM_TYPE = "application/x-www-form-urlencoded"


class PassGuard:
    """A verifier, the store of used ``jti``s and the paths guarded.

    ``once``: where used ``jti``s are kept (default: this process's memory), ``False`` to accept
    a pass again. ``paths``: the paths to guard, exactly (the purchase URL's path, where the pass
    arrives; not the pages after it), default every path. ``fragment_page`` (delivery
    ``fragment``): a GET without a pass answers the page whose script posts the pass from the
    URL's fragment to the same URL (``fragment.FRAGMENT_PAGE``).
    """

    def __init__(
        self,
        verifier: PassVerifier,
        *,
        once=None,
        paths: Optional[Iterable[str]] = None,
        fragment_page: bool = False,
    ):
        self.verifier = verifier
        self.fragment_page = fragment_page
        self.once = None if once is False else (once or MemoryOnceStore())
        self.paths = tuple(paths) if paths is not None else None

    def guards(self, path: str) -> bool:
        return self.paths is None or path in self.paths

    def admit(self, token: Optional[str]) -> dict:
        """The verified claims, checked in once; or ``PassError``."""
        claims = self.verifier.verify(token)
        if self.once is not None and not self.once.check_in(claims["jti"], claims["exp"], self.verifier.now()):
            raise PassError("pass_used", "this pass was used already")
        return claims


def pass_from(query_string: str, method: str, content_type: str, body: Optional[bytes]) -> Optional[str]:
    """The pass of ``?pass=`` (delivery ``query``) or of a form's ``pass`` field (``form_post``, and
    what a ``fragment`` page's script posts)."""
    found = parse_qs(query_string, max_num_fields=64).get("pass")
    if found:
        return found[0]
    if method == "POST" and is_form(content_type) and body:
        try:
            found = parse_qs(body.decode("utf-8"), max_num_fields=64).get("pass")
        except (UnicodeDecodeError, ValueError):
            return None
        if found:
            return found[0]
    return None


def is_form(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == FORM_TYPE


def refusal_body(error: PassError) -> bytes:
    return json.dumps({"error": error.code, "message": error.message}).encode()


def refusal_headers(error: PassError) -> list:
    headers = [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Cache-Control", "no-store"),
        ("Referrer-Policy", "no-referrer"),
    ]
    if error.status == 503:
        headers.append(("Retry-After", "5"))
    return headers


def wants_fragment_page(guard: PassGuard, method: str, token: Optional[str]) -> bool:
    return guard.fragment_page and not token and method in ("GET", "HEAD")
