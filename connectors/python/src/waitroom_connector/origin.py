"""Ending a fan's assignment (docs/api.md, "Origin"): ``complete`` when the purchase went through,
``release`` when the fan abandoned it, named by the pass's ``jti``, with the origin's key; or many
at once (``complete_many``, ``release_many``: docs/api.md, "Complete in batches"), up to
``MAX_BATCH`` per request."""

import json
import urllib.error
import urllib.request
from urllib.parse import quote, urlencode, urljoin

from .errors import OriginApiError

#: The most assignments the waiting room finishes in one request; longer lists are split.
MAX_BATCH = 100


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

    def complete_many(self, claims_or_sale, ids=None) -> dict:
        """Many purchases went through: each assignment ends ``completed`` on its own (one
        refused, already finished or unknown, never fails the others). ``claims_or_sale``: a
        list of verified claims (all of one sale), or a sale with ``ids`` (``jti``s or fan ids).
        Returns ``{"results", "finished", "refused"}``, ``results`` in the order given, each the
        assignment (with ``id`` as sent) or ``{"id", "error", "message"}``."""
        return self._finish_many("complete", claims_or_sale, ids)

    def release_many(self, claims_or_sale, ids=None) -> dict:
        """Many fans abandoned their purchase: each assignment ends ``released`` on its own."""
        return self._finish_many("release", claims_or_sale, ids)

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

    def _finish_many(self, action, claims_or_sale, ids):
        if isinstance(claims_or_sale, str):
            sale = claims_or_sale
        elif isinstance(claims_or_sale, (list, tuple)) and ids is None:
            claims = claims_or_sale
            if not all(isinstance(c, dict) for c in claims):
                raise ValueError("a list of verified claims (aud and jti), or a sale and a list of jtis")
            sale = claims[0].get("aud") if claims else None
            if any(c.get("aud") != sale for c in claims):
                raise ValueError("claims of one sale: a batch finishes assignments of one sale")
            ids = [c.get("jti") for c in claims]
        else:
            sale = None
        if (
            not isinstance(sale, str)
            or not isinstance(ids, (list, tuple))
            or not all(isinstance(i, str) for i in ids)
        ):
            raise ValueError("a list of verified claims (aud and jti), or a sale and a list of jtis")
        if not ids:
            raise ValueError("at least one assignment")
        path = f"/api/origin/sales/{quote(sale, safe='')}/assignments/batch/{action}"
        answer = {"results": [], "finished": 0, "refused": 0}
        for at in range(0, len(ids), MAX_BATCH):
            part = self._call("POST", path, {"assignments": list(ids[at : at + MAX_BATCH])})
            answer["results"].extend(part["results"])
            answer["finished"] += part["finished"]
            answer["refused"] += part["refused"]
        return answer

    def _call(self, method: str, path: str, payload=None) -> dict:
        headers = {"Authorization": f"Bearer {self.origin_key}", "Accept": "application/json"}
        data = b"" if method == "POST" else None
        if payload is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(payload).encode()
        request = urllib.request.Request(
            urljoin(self.base_url, path),
            method=method,
            data=data,
            headers=headers,
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
