"""Verify waitroom admission passes against the waiting room's JWKS (ASGI and WSGI middleware),
and end the fan's assignment when the purchase completes."""

from .asgi import WaitroomPassMiddleware
from .errors import OriginApiError, PassError
from .jwks import JwksCache
from .once import MemoryOnceStore
from .origin import OriginClient
from .verify import PassVerifier
from .wsgi import WaitroomPassWSGIMiddleware

__version__ = "0.2.0"
__all__ = [
    "JwksCache",
    "MemoryOnceStore",
    "OriginApiError",
    "OriginClient",
    "PassError",
    "PassVerifier",
    "WaitroomPassMiddleware",
    "WaitroomPassWSGIMiddleware",
]
