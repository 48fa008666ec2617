"""Requests per minute per application: a sliding window, with OpenAI's rate-limit headers.

The window is exact (a log of the last minute's requests, at most ``rpm`` entries per key).
The service counts it in the store (:class:`SharedRateLimiter`, table ``rate_hits``), so that
every web process of a deployment shares one window per application or caller: a limit of 60
per minute is 60 per minute however many processes answer. :class:`RateLimiter` keeps the same
window in memory, for a process of its own. Daily quotas are counted in the store too
(:mod:`egide.store.applications`).

Instants are wall-clock seconds: the machines of a deployment keep their clocks synchronised
(NTP), as the audit trail's timestamps already require.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from egide.store.db import Store
from egide.store.shared import RateHit

__all__ = ["Limiter", "RateLimiter", "RateState", "SharedRateLimiter", "format_duration"]

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


class Limiter(Protocol):
    def hit(self, key: str, limit: int) -> tuple[bool, RateState]:
        """Count one request for ``key`` if fewer than ``limit`` are in the window."""
        ...


class RateLimiter:
    """The window in this process's memory."""

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


def _lock_id(key: str) -> int:
    """A signed 64-bit number for PostgreSQL's advisory lock of one key."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big",
                          signed=True)  # fmt: skip


class SharedRateLimiter:
    """The window counted in the store, for every process at once.

    One transaction per request: the key is locked (an advisory lock on PostgreSQL; on SQLite
    the DELETE below takes the write lock), the requests that left the window are forgotten,
    the others counted, and this one added when there is room. Two processes can thus never
    both take the last place.
    """

    def __init__(
        self,
        store: Store,
        *,
        prefix: str = "",
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``prefix`` keeps the windows of two uses apart (``v1:``, ``scan:``) in one table."""
        self._store = store
        self._prefix = prefix
        self._window_s = window_s
        self._clock = clock

    def hit(self, key: str, limit: int) -> tuple[bool, RateState]:
        key = (self._prefix + key)[:200]
        now = self._clock()
        with self._store.session() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _lock_id(key)})
            session.execute(
                delete(RateHit).where(RateHit.key == key, RateHit.at <= now - self._window_s)
            )
            count, newest = session.execute(
                select(func.count(), func.max(RateHit.at)).where(RateHit.key == key)
            ).one()
            allowed = count < limit
            if allowed:
                session.execute(insert(RateHit).values(key=key, at=now))
                count, newest = count + 1, now
                retry_after = 0.0
            else:
                retry_after = self._next_room(session, key, count - limit) + self._window_s - now
        reset = newest + self._window_s - now if count else 0.0
        return allowed, RateState(limit, max(0, limit - count), reset, max(0.0, retry_after))

    def purge(self) -> int:
        """Forget every request that left its window (keys no longer used keep none)."""
        cutoff = self._clock() - self._window_s
        with self._store.session() as session:
            result = session.execute(delete(RateHit).where(RateHit.at <= cutoff))
        return int(getattr(result, "rowcount", 0) or 0)

    @staticmethod
    def _next_room(session: Session, key: str, skip: int) -> float:
        """When the window has room again: the instant of the hit whose leaving makes it
        (the oldest, or further on when the limit was lowered below what the window holds)."""
        at: float = session.execute(
            select(RateHit.at).where(RateHit.key == key).order_by(RateHit.at).offset(skip).limit(1)
        ).scalar_one()
        return at
