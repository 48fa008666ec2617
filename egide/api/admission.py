"""Overload degrades gracefully: a bounded number of requests in the pipeline, a bounded wait,
then a clear refusal with ``Retry-After``.

Past its capacity a process that accepts everything gets slower for everyone: hundreds of
threads contend for two cores and the interpreter, and throughput falls as concurrency rises.
Here, at most ``api.max_in_flight`` requests of the pipeline's routes (``/v1/chat/completions``,
``/v1/embeddings``, ``/api/guard/scan``) run at once in a process; up to ``api.queue_size`` more
wait their turn in arrival order, each at most ``api.queue_timeout_s``; any other is answered at
once with a 503 and a ``Retry-After`` estimated from the recent service time, so that a client
(the OpenAI SDKs do) or the load balancer tries again later or elsewhere. A slot is held until
the response's last byte (a streamed answer included) and released however it ends.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from egide.api.errors import GatewayError

__all__ = ["ADMITTED_PATHS", "Admission", "AdmissionMiddleware", "Overloaded"]

ADMITTED_PATHS = ("/v1/chat/completions", "/v1/embeddings", "/api/guard/scan")
_MAX_RETRY_AFTER_S = 60


@dataclass(frozen=True, slots=True)
class Overloaded(Exception):
    retry_after_s: int
    waited: bool  # refused after waiting (queue_timeout_s) rather than at once (queue full)


class Admission:
    """A counter of requests in flight and a FIFO of waiters, usable from any event loop."""

    def __init__(
        self,
        *,
        limit: int,
        queue_size: int,
        timeout_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.queue_size = queue_size
        self.timeout_s = timeout_s
        self._clock = clock
        self._lock = threading.Lock()
        self._in_flight = 0
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()
        self._service_s = 0.1  # moving average of a request's time in its slot
        self.refused = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    def retry_after(self) -> int:
        """Seconds until a slot is likely free: the queue ahead served at the recent pace."""
        ahead = len(self._waiters) + 1
        estimate = self._service_s * ahead / max(1, self.limit)
        return max(1, min(_MAX_RETRY_AFTER_S, math.ceil(estimate)))

    async def acquire(self) -> float:
        """Take a slot, waiting in line if needed; the instant it was taken. Overloaded when
        the line is full or the wait too long."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._in_flight < self.limit and not self._waiters:
                self._in_flight += 1
                return self._clock()
            if len(self._waiters) >= self.queue_size:
                self.refused += 1
                raise Overloaded(self.retry_after(), waited=False)
            ticket: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]
            ticket = (loop, loop.create_future())
            self._waiters.append(ticket)
        try:
            await asyncio.wait_for(asyncio.shield(ticket[1]), self.timeout_s)
        except (TimeoutError, asyncio.CancelledError) as exc:
            with self._lock:
                still_waiting = ticket in self._waiters
                if still_waiting:
                    self._waiters.remove(ticket)
                    if isinstance(exc, TimeoutError):
                        self.refused += 1
            if still_waiting:
                if isinstance(exc, TimeoutError):
                    raise Overloaded(self.retry_after(), waited=True) from None
                raise
            # Handed a slot just as the wait ended: it is ours, give it back if cancelled.
            await asyncio.shield(ticket[1])
            if isinstance(exc, asyncio.CancelledError):
                self.release(self._clock())
                raise
        return self._clock()

    def release(self, since: float) -> None:
        """Give the slot back (to the first in line, when there is one)."""
        held = max(0.0, self._clock() - since)
        with self._lock:
            self._service_s = 0.9 * self._service_s + 0.1 * held
            while self._waiters:
                loop, future = self._waiters.popleft()
                if not future.done():
                    loop.call_soon_threadsafe(_grant, future)
                    return  # the slot passes on: in_flight stays the same
            self._in_flight -= 1


def _grant(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


_BUSY = (
    "Égide est momentanément saturé : votre requête n'a pas été traitée (rien n'a été envoyé "
    "à un modèle ni compté dans vos quotas). Réessayez dans {s} s."
)


class AdmissionMiddleware:
    """Applies :class:`Admission` to the pipeline's routes, before anything else runs."""

    def __init__(self, app: ASGIApp, *, admission: Admission) -> None:
        self.app = app
        self.admission = admission

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") != "POST"
            or scope.get("path") not in ADMITTED_PATHS
        ):
            await self.app(scope, receive, send)
            return
        try:
            since = await self.admission.acquire()
        except Overloaded as exc:
            error = GatewayError(
                503, "overloaded", _BUSY.format(s=exc.retry_after_s), type="server_error"
            )
            response = error.response({"retry-after": str(exc.retry_after_s)})
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.admission.release(since)
