"""Counters that every web process shares through the store: sign-in failures and lockouts,
and the per-minute windows of applications and callers.

Two ``Store`` objects on one database stand for two processes (each its own connection pool);
``tests/integration/test_shared_state.py`` binds these tests on PostgreSQL, and drives two real
``egide serve`` processes besides.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from egide.api.limits import RateLimiter, SharedRateLimiter
from egide.auth.throttle import Throttle, account_key
from egide.config import PortalSettings, Settings
from egide.store import Store, open_store

LOGIN = "cmartin"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def other_store(settings: Settings) -> Iterator[Store]:
    """The same database, opened a second time: another process's pool."""
    with open_store(settings, environ={}) as opened:
        yield opened


def _together(workers: list[Callable[[], None]]) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(len(workers))

    def run(work: Callable[[], None]) -> None:
        try:
            start.wait()
            work()
        except BaseException as exc:  # a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


@pytest.fixture(params=["memoire", "base"])
def limiter_factory(request: pytest.FixtureRequest, store: Store) -> Callable[[Clock], object]:
    def make(clock: Clock) -> RateLimiter | SharedRateLimiter:
        if request.param == "memoire":
            return RateLimiter(clock=clock)
        return SharedRateLimiter(store, clock=clock)

    return make


def test_the_window_counts_the_last_minute_only(limiter_factory: Callable[..., object]) -> None:
    clock = Clock()
    limiter = limiter_factory(clock)
    assert isinstance(limiter, RateLimiter | SharedRateLimiter)
    assert [limiter.hit("app:a", 3)[0] for _ in range(3)] == [True, True, True]
    clock.now += 20
    allowed, state = limiter.hit("app:a", 3)
    assert not allowed
    assert (state.remaining, state.retry_after_s) == (0, 40.0)
    assert limiter.hit("app:b", 3)[0]  # each key has its own window
    clock.now += 40  # the first three leave the window together
    allowed, state = limiter.hit("app:a", 3)
    assert allowed and state.remaining == 2
    assert state.headers()["x-ratelimit-reset-requests"] == "1m0s"


def test_a_lowered_limit_applies_at_once(limiter_factory: Callable[..., object]) -> None:
    clock = Clock()
    limiter = limiter_factory(clock)
    assert isinstance(limiter, RateLimiter | SharedRateLimiter)
    for _ in range(5):
        clock.now += 1
        limiter.hit("app:a", 10)
    allowed, state = limiter.hit("app:a", 2)
    assert not allowed and state.remaining == 0
    # Room for one more when only one is left: the fourth of the five (one second ago) must go.
    assert state.retry_after_s == pytest.approx(59)


def test_two_processes_share_one_window_and_never_overshoot(
    store: Store, other_store: Store
) -> None:
    limit, attempts = 25, 80
    granted: list[bool] = []
    lock = threading.Lock()

    def hammer(limiter: SharedRateLimiter) -> Callable[[], None]:
        def work() -> None:
            for _ in range(attempts // 4):
                allowed, _state = limiter.hit("app:partagee", limit)
                with lock:
                    granted.append(allowed)

        return work

    first, second = SharedRateLimiter(store), SharedRateLimiter(other_store)
    _together([hammer(first), hammer(second), hammer(first), hammer(second)])
    assert len(granted) == attempts
    assert granted.count(True) == limit


def test_requests_that_left_their_window_are_purged(store: Store) -> None:
    clock = Clock()
    limiter = SharedRateLimiter(store, clock=clock)
    for key in ("app:a", "scan:user:1", "scan:user:2"):
        limiter.hit(key, 5)
    clock.now += 61
    assert limiter.purge() == 3
    assert limiter.hit("app:a", 1)[0]


def test_failures_on_two_processes_add_up_to_one_lockout(store: Store, other_store: Store) -> None:
    settings = PortalSettings(lockout_failures=40)
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    limits = [(account_key(LOGIN), settings.lockout_failures)]
    throttles = [Throttle(store, settings), Throttle(other_store, settings)]
    outcomes: list[object] = []
    lock = threading.Lock()

    def fail(throttle: Throttle) -> Callable[[], None]:
        def work() -> None:
            for _ in range(10):
                outcome = throttle.record_failure(limits, now)
                with lock:
                    outcomes.append(outcome)

        return work

    _together([fail(throttles[0]), fail(throttles[1]), fail(throttles[0]), fail(throttles[1])])
    locked = [o for o in outcomes if o is not None]
    assert len(locked) == 1  # the 40th failure, wherever it happened, locked the account
    for throttle in throttles:
        refusal = throttle.check(limits, now + timedelta(seconds=1))
        assert refusal is not None and refusal.locked
    # Past the lockout, the count starts again from one failure.
    later = now + timedelta(minutes=settings.lockout_minutes, seconds=1)
    assert throttles[1].check(limits, later) is None
    assert throttles[0].record_failure(limits, later) is None
