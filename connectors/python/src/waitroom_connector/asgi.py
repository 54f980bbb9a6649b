"""ASGI middleware (Starlette, FastAPI, Django's ASGI, ...): admits a request to the guarded paths
only with a valid admission pass, and puts its claims in ``scope["waitroom_pass"]`` (and
``scope["state"]["waitroom_pass"]``, Starlette's ``request.state.waitroom_pass``)."""

import asyncio

from .errors import PassError
from .fragment import FRAGMENT_PAGE, FRAGMENT_PAGE_HEADERS
from .guard import (
    MAX_FORM_BYTES, PassGuard, is_form, pass_from, refusal_body, refusal_headers, wants_fragment_page,
)


class WaitroomPassMiddleware:
    """``WaitroomPassMiddleware(app, verifier, paths=["/purchase"])``; see ``PassGuard`` for
    ``once``, ``paths`` and ``fragment_page``, and ``on_refused(error, scope, receive, send)`` to
    answer a refused pass yourself (default: JSON with the error's status)."""

    def __init__(self, app, verifier, *, paths=None, once=None, fragment_page=False, on_refused=None):
        self.app = app
        self.guard = PassGuard(verifier, once=once, paths=paths, fragment_page=fragment_page)
        self.on_refused = on_refused or _refuse

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not self.guard.guards(scope.get("path", "")):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        body = None
        try:
            if scope.get("method") == "POST" and is_form(headers.get("content-type", "")):
                body = await _read_body(receive)
                receive = _replay(body, receive)
            token = pass_from(
                scope.get("query_string", b"").decode("latin-1"),
                scope.get("method", "GET"),
                headers.get("content-type", ""),
                body,
            )
            if wants_fragment_page(self.guard, scope.get("method", "GET"), token):
                return await _answer(send, 200, FRAGMENT_PAGE_HEADERS, FRAGMENT_PAGE, scope.get("method"))
            # The JWKS may be fetched: not on the event loop.
            claims = await asyncio.get_running_loop().run_in_executor(None, self.guard.admit, token)
        except PassError as error:
            return await self.on_refused(error, scope, receive, send)
        scope = dict(scope)
        scope["waitroom_pass"] = claims
        scope["state"] = {**(scope.get("state") or {}), "waitroom_pass": claims}
        await self.app(scope, receive, send)


async def _read_body(receive) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise PassError("pass_required", "the client went away")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            raise PassError("bad_pass", "the form is too large to hold a pass")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive):
    """A ``receive`` that hands the app the body we read, then whatever comes next."""
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(error: PassError, scope, receive, send):
    await _answer(send, error.status, refusal_headers(error), refusal_body(error))


async def _answer(send, status: int, headers: list, body: bytes, method: str = "GET"):
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
        }
    )
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})
