"""Ending a fan's assignment (docs/api.md, "Origin"): ``complete`` when the purchase went through,
``release`` when the fan abandoned it, named by the pass's ``jti``, with the origin's key."""

import json
import urllib.error
import urllib.request
from urllib.parse import quote, urlencode, urljoin

from .errors import OriginApiError


class OriginClient:
    """``OriginClient(base_url, origin_key)``: the origin key (``ORIGIN_KEY``) is sent as
    ``Authorization: Bearer``. Blocking (urllib): from async code, call it in a thread."""

    def __init__(self, base_url: str, origin_key: str, *, timeout: float = 10.0):
        if not base_url or not origin_key:
            raise ValueError("base_url and origin_key")
        self.base_url = base_url
        self.origin_key = origin_key
        self.timeout = timeout

    def complete(self, claims_or_sale, jti=None) -> dict:
        """The purchase went through: the assignment ends ``completed``. Returns the assignment."""
        return self._finish("complete", claims_or_sale, jti)

    def release(self, claims_or_sale, jti=None) -> dict:
        """The fan abandoned the purchase: the assignment ends ``released``, the window is free."""
        return self._finish("release", claims_or_sale, jti)

    def assignments(self, sale: str, **query) -> list:
        """The sale's assignments, newest first (``window``, ``state``, ``limit``)."""
        path = f"/api/origin/sales/{quote(sale, safe='')}/assignments?{urlencode(query)}"
        return self._call("GET", path)["assignments"]

    def _finish(self, action, claims_or_sale, jti):
        if isinstance(claims_or_sale, dict):
            sale, jti = claims_or_sale.get("aud"), claims_or_sale.get("jti")
        else:
            sale = claims_or_sale
        if not isinstance(sale, str) or not isinstance(jti, str):
            raise ValueError("the verified claims (aud and jti), or a sale and a jti")
        path = f"/api/origin/sales/{quote(sale, safe='')}/assignments/{quote(jti, safe='')}/{action}"
        return self._call("POST", path)

    def _call(self, method: str, path: str) -> dict:
        request = urllib.request.Request(
            urljoin(self.base_url, path),
            method=method,
            data=b"" if method == "POST" else None,
            headers={"Authorization": f"Bearer {self.origin_key}", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            try:
                body = json.loads(error.read() or b"{}")
            except ValueError:
                body = {}
            retry = error.headers.get("Retry-After")
            raise OriginApiError(
                error.code,
                body.get("error", f"http_{error.code}"),
                body.get("message", f"the waiting room answered {error.code}"),
                int(retry) if retry and retry.isdigit() else None,
            ) from None
        except (OSError, ValueError) as error:
            raise OriginApiError(0, "unreachable", f"the waiting room could not be reached ({error})") from None
