"""Several servers behind one model entry: which replica takes a request, and how many at once.

One :class:`ReplicaPool` per model per process, shared by every backend object built for that
model (the portal's assistant, the gateway's, the knowledge base's): the bound on requests in
flight and what is known of each replica's health are facts about the process, not about one
caller. The pool only chooses and counts; the backend sends, and tells the pool what happened.

Choice: the healthy replica with the fewest requests in flight, ties broken in turn (round
robin). A replica that refused a connection, failed (5xx) or timed out is left aside for
``replica_cooldown_s``; when every replica is aside, they are still tried, soonest back first,
so that a blip never takes a model down for a whole cool-down.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from egide.config import ModelSettings
from egide.models.base import ModelUnavailable

__all__ = ["Replica", "ReplicaPool", "shared_pool"]

Clock = Callable[[], float]


@dataclass(eq=False)
class Replica:
    url: str
    in_flight: int = 0
    down_until: float = 0.0  # monotonic time; 0: healthy
    last_problem: str | None = None  # French, for ``egide models check`` and the errors


class ReplicaPool:
    def __init__(
        self,
        name: str,
        urls: Sequence[str],
        *,
        max_concurrency: int | None = None,
        queue_timeout_s: float = 30.0,
        cooldown_s: float = 30.0,
        clock: Clock = time.monotonic,
    ) -> None:
        if not urls:
            raise ValueError("a pool needs at least one replica")
        self.name = name
        self.replicas = tuple(Replica(url) for url in urls)
        self.max_concurrency = max_concurrency
        self.queue_timeout_s = queue_timeout_s
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._turn = itertools.count()
        self._slots = (
            threading.BoundedSemaphore(max_concurrency) if max_concurrency is not None else None
        )

    def __len__(self) -> int:
        return len(self.replicas)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """One of the model's ``max_concurrency`` places, waited for at most
        ``queue_timeout_s``; beyond it a French :class:`ModelUnavailable` ("saturé")."""
        if self._slots is None:
            yield
            return
        if not self._slots.acquire(timeout=self.queue_timeout_s):
            raise ModelUnavailable(
                f"le modèle « {self.name} » est saturé : {self.max_concurrency} demandes sont "
                f"déjà en cours et aucune place ne s'est libérée en {self.queue_timeout_s:g} s. "
                "Votre texte est conservé : réessayez dans quelques instants."
            )
        try:
            yield
        finally:
            self._slots.release()

    def order(self, *, avoid: frozenset[str] = frozenset()) -> list[Replica]:
        """Replicas best first: healthy by load (in turn among equals), then those set aside,
        soonest back first; ``avoid`` (already tried) go last."""
        now = self._clock()
        with self._lock:
            start = next(self._turn) % len(self.replicas)
            rotated = self.replicas[start:] + self.replicas[:start]
            healthy = sorted((r for r in rotated if r.down_until <= now), key=lambda r: r.in_flight)
            resting = sorted((r for r in rotated if r.down_until > now), key=lambda r: r.down_until)
        ranked = healthy + resting
        return [r for r in ranked if r.url not in avoid] + [r for r in ranked if r.url in avoid]

    def pick(self, *, avoid: frozenset[str] = frozenset()) -> Replica:
        return self.order(avoid=avoid)[0]

    @contextmanager
    def using(self, replica: Replica) -> Iterator[None]:
        with self._lock:
            replica.in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                replica.in_flight -= 1

    def mark_down(self, replica: Replica, problem: str) -> None:
        with self._lock:
            replica.down_until = self._clock() + self.cooldown_s
            replica.last_problem = problem

    def mark_up(self, replica: Replica) -> None:
        with self._lock:
            replica.down_until = 0.0
            replica.last_problem = None

    def is_down(self, replica: Replica) -> bool:
        return replica.down_until > self._clock()


_POOLS: dict[tuple[object, ...], ReplicaPool] = {}
_POOLS_LOCK = threading.Lock()


def shared_pool(settings: ModelSettings) -> ReplicaPool:
    """The process's pool for this model: the same one for every backend built from it."""
    key = (
        settings.name,
        settings.endpoints,
        settings.max_concurrency,
        settings.queue_timeout_s,
        settings.replica_cooldown_s,
    )
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            pool = _POOLS[key] = ReplicaPool(
                settings.name,
                settings.endpoints,
                max_concurrency=settings.max_concurrency,
                queue_timeout_s=settings.queue_timeout_s,
                cooldown_s=settings.replica_cooldown_s,
            )
        return pool
