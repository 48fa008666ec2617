"""Requests per minute per application: a sliding window, with OpenAI's rate-limit headers.

The window is exact (a log of the last minute's requests, at most ``rpm`` entries per
application) and kept in memory: it protects the service from one application's bursts.
Daily quotas, which must survive a restart, are counted in the store instead.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateLimiter", "RateState", "format_duration"]

WINDOW_S = 60.0


def format_duration(seconds: float) -> str:
    """OpenAI's spelling of a reset delay: ``250ms``, ``12s``, ``1m30s``."""
    if seconds < 1:
        return f"{max(0, math.ceil(seconds * 1000))}ms"
    whole = math.ceil(seconds)
    minutes, rest = divmod(whole, 60)
    return f"{minutes}m{rest}s" if minutes else f"{rest}s"


@dataclass(frozen=True, slots=True)
class RateState:
    limit: int
    remaining: int
    reset_s: float  # until the window is empty again
    retry_after_s: float  # until one more request is allowed (0 when allowed now)

    def headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit-requests": str(self.limit),
            "x-ratelimit-remaining-requests": str(self.remaining),
            "x-ratelimit-reset-requests": format_duration(self.reset_s),
        }


class RateLimiter:
    def __init__(
        self, *, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._window_s = window_s
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int) -> tuple[bool, RateState]:
        """Count one request for ``key`` if fewer than ``limit`` are in the window."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self._window_s:
                hits.popleft()
            while len(hits) > limit:  # the limit was lowered: forget the oldest
                hits.popleft()
            allowed = len(hits) < limit
            if allowed:
                hits.append(now)
            retry_after = 0.0 if allowed else hits[0] + self._window_s - now
            reset = hits[-1] + self._window_s - now if hits else 0.0
            state = RateState(limit, limit - len(hits), reset, retry_after)
        return allowed, state
