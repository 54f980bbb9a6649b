"""Why a pass was refused, as a code an origin can branch on and the HTTP status to answer with."""

_STATUS = {
    "pass_required": 401,
    "bad_pass": 401,
    "wrong_sale": 401,
    "pass_expired": 401,
    "pass_used": 409,
    "jwks_unavailable": 503,
}


class PassError(Exception):
    """A pass that did not verify, or a waiting room whose keys could not be fetched.

    ``code`` is one of ``pass_required``, ``bad_pass``, ``wrong_sale``, ``pass_expired``,
    ``pass_used``, ``jwks_unavailable``; ``status`` the HTTP status to answer with. The message
    never contains the pass.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = _STATUS.get(code, 401)


class OriginApiError(Exception):
    """An answer of the waiting room's origin API that was not a success (status 0: no answer)."""

    def __init__(self, status: int, code: str, message: str, retry_after_s=None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after_s = retry_after_s
