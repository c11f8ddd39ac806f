"""A value recomputed at most every few seconds, for reads every run makes of something that
rarely changes (the price files' fingerprint, the usage store's version).

Twenty sessions rerunning at once each asked the file system or opened the usage store for
these on every run; a few seconds' staleness buys that back. Process-wide and thread-safe;
the compute runs outside the lock (two callers may both compute; both answers are good).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")
_SEEN: dict[Hashable, tuple[float, object]] = {}
_LOCK = threading.Lock()
MAX_KEYS = 256  # bounded: a key is a path (and a role's scope), so few ever exist


def recent(key: Hashable, ttl_s: float, compute: Callable[[], T]) -> T:
    """`compute()`'s value, reused for `ttl_s` seconds after it was computed."""
    now = time.monotonic()
    with _LOCK:
        seen = _SEEN.get(key)
    if seen is not None and now - seen[0] < ttl_s:
        return seen[1]  # type: ignore[return-value]
    value = compute()
    with _LOCK:
        if len(_SEEN) >= MAX_KEYS:
            _SEEN.clear()
        _SEEN[key] = (now, value)
    return value


def forget(prefix: Hashable) -> None:
    """Drop every value whose key starts with `prefix` (a tuple key's first item): after a
    change this process made itself, the next read is fresh."""
    with _LOCK:
        for key in [k for k in _SEEN if isinstance(k, tuple) and k and k[0] == prefix]:
            del _SEEN[key]
