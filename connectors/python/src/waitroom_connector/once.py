"""Each pass's ``jti`` accepted once (docs/api.md, "Pass delivery"): a second use is someone else
holding a copy of the pass."""

import threading
from collections import OrderedDict


class MemoryOnceStore:
    """The ``jti``s already used, in this process's memory, each kept until its pass runs out.

    Several origin processes behind a balancer need one shared store instead (e.g. Redis
    ``SET jti 1 NX EXAT exp``): give the middleware any object with ``check_in(jti, exp, now)``.
    """

    def __init__(self, max_entries: int = 100_000):
        self.max_entries = max_entries
        self.used = OrderedDict()
        self._lock = threading.Lock()

    def check_in(self, jti: str, exp: float, now: float) -> bool:
        """Records ``jti`` as used until ``exp``; False if it was used already."""
        with self._lock:
            seen = self.used.get(jti)
            if seen is not None and seen >= now:
                return False
            if len(self.used) >= self.max_entries:
                for old in [j for j, e in self.used.items() if e < now]:
                    del self.used[old]
            if len(self.used) >= self.max_entries:
                self.used.popitem(last=False)
            self.used.pop(jti, None)
            self.used[jti] = exp
            return True
