"""WSGI middleware (Flask, Django, ...): admits a request to the guarded paths only with a valid
admission pass, and puts its claims in ``environ["waitroom.pass"]``."""

import io

from .errors import PassError
from .fragment import FRAGMENT_PAGE, FRAGMENT_PAGE_HEADERS
from .guard import (
    MAX_FORM_BYTES, PassGuard, is_form, pass_from, refusal_body, refusal_headers, wants_fragment_page,
)

_REASONS = {401: "Unauthorized", 409: "Conflict", 503: "Service Unavailable"}


class WaitroomPassWSGIMiddleware:
    """``app.wsgi_app = WaitroomPassWSGIMiddleware(app.wsgi_app, verifier, paths=["/purchase"])``;
    see ``PassGuard`` for ``once``, ``paths`` and ``fragment_page``."""

    def __init__(self, app, verifier, *, paths=None, once=None, fragment_page=False):
        self.app = app
        self.guard = PassGuard(verifier, once=once, paths=paths, fragment_page=fragment_page)

    def __call__(self, environ, start_response):
        if not self.guard.guards(environ.get("PATH_INFO", "")):
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        content_type = environ.get("CONTENT_TYPE", "")
        body = None
        try:
            if method == "POST" and is_form(content_type):
                body = _read_body(environ)
                # The app reads the form as if we had not.
                environ["wsgi.input"] = io.BytesIO(body)
                environ["CONTENT_LENGTH"] = str(len(body))
            token = pass_from(environ.get("QUERY_STRING", ""), method, content_type, body)
            if wants_fragment_page(self.guard, method, token):
                start_response("200 OK", FRAGMENT_PAGE_HEADERS)
                return [b"" if method == "HEAD" else FRAGMENT_PAGE]
            claims = self.guard.admit(token)
        except PassError as error:
            start_response(f"{error.status} {_REASONS.get(error.status, 'Error')}", refusal_headers(error))
            return [refusal_body(error)]
        environ["waitroom.pass"] = claims
        return self.app(environ, start_response)


def _read_body(environ) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_FORM_BYTES:
        raise PassError("bad_pass", "the form is too large to hold a pass")
    return environ["wsgi.input"].read(length) if length > 0 else b""
