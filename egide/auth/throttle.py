"""Failed sign-in attempts: a growing delay before a temporary lockout.

Failures are counted per account (``compte:LOGIN``, unknown logins included, so that the answer
never tells whether an account exists) and per client address (``ip:ADDRESS``, with a higher
threshold, since an office may sit behind one address). The last four failures before a key's
threshold each impose a growing delay on the next attempt (1, 2, 4 then 8 seconds); at the
threshold the key is locked for ``lockout_minutes``. With the defaults, an account is slowed
from its first failure and locked at the fifth; an address is slowed from its sixteenth failure
and locked at the twentieth, so that a few typing mistakes in a large office slow nobody. An
attempt refused for either reason is not checked at all, and not counted: neither a password nor
a code is tried while a key is held back. Failures older than ``lockout_minutes`` are forgotten.

The counters live in the store, so that every web process counts against the same keys: a
lockout counted on one process is enforced on all. Each failure is one conditional UPDATE that
the database applies atomically (the row's lock on PostgreSQL, the write lock on SQLite), never
a read-then-write that two processes could interleave and undercount.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, literal, null, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from egide.auth.users import normalise_login
from egide.config import PortalSettings
from egide.store.accounts import AuthThrottle
from egide.store.db import Store

__all__ = ["RAMP", "Refusal", "Throttle", "account_key", "address_key", "delay_after"]

RAMP = 4  # failures before the threshold that bring a delay


def account_key(login: str) -> str:
    return f"compte:{normalise_login(login)[:150]}"


def address_key(address: str) -> str:
    return f"ip:{address[:150]}"


def delay_after(failures: int, threshold: int) -> int:
    """Seconds to wait after ``failures`` recent failures, for a key locked at ``threshold``."""
    ramped = failures - max(0, threshold - 1 - RAMP)
    return 0 if ramped <= 0 else 2 ** (min(ramped, RAMP) - 1)


@dataclass(frozen=True, slots=True)
class Refusal:
    locked: bool
    retry_after_s: int

    @property
    def message(self) -> str:
        if self.locked:
            minutes = max(1, math.ceil(self.retry_after_s / 60))
            return (
                "Trop de tentatives de connexion : la connexion est bloquée pendant "
                f"{minutes} minute{'s' if minutes > 1 else ''}. Réessayez plus tard ou "
                "adressez-vous à votre administrateur."
            )
        seconds = max(1, self.retry_after_s)
        return (
            f"Tentatives trop rapprochées : patientez {seconds} seconde{'s' if seconds > 1 else ''} "
            "avant de réessayer."
        )


class _RowCreatedMeanwhile(Exception):
    pass


class Throttle:
    def __init__(self, store: Store, settings: PortalSettings) -> None:
        self._store = store
        self._window = timedelta(minutes=settings.lockout_minutes)

    def _stale(self, row: AuthThrottle, now: datetime) -> bool:
        if row.locked_until is not None:
            return now >= row.locked_until
        return now - row.last_failure_at >= self._window

    def check(self, limits: Sequence[tuple[str, int]], now: datetime) -> Refusal | None:
        """Why an attempt for these ``(key, threshold)`` must not be tried now, or None."""
        refusals: list[Refusal] = []
        with self._store.session() as session:
            for key, threshold in limits:
                row = session.get(AuthThrottle, key)
                if row is None or self._stale(row, now):
                    continue
                if row.locked_until is not None:
                    wait = math.ceil((row.locked_until - now).total_seconds())
                    refusals.append(Refusal(locked=True, retry_after_s=wait))
                    continue
                delay = delay_after(row.failures, threshold)
                ready = row.last_failure_at + timedelta(seconds=delay)
                if now < ready:
                    wait = math.ceil((ready - now).total_seconds())
                    refusals.append(Refusal(locked=False, retry_after_s=wait))
        if not refusals:
            return None
        return max(refusals, key=lambda r: (r.locked, r.retry_after_s))

    def record_failure(self, limits: Sequence[tuple[str, int]], now: datetime) -> Refusal | None:
        """Count one failure against each ``(key, threshold)``; the lockout it causes, if any."""
        try:
            return self._record(limits, now)
        except _RowCreatedMeanwhile:
            # Another attempt created one of the rows meanwhile: count on it.
            return self._record(limits, now)

    def _record(self, limits: Sequence[tuple[str, int]], now: datetime) -> Refusal | None:
        locked: Refusal | None = None
        with self._store.session() as session:
            for key, threshold in limits:
                if not self._count(session, key, threshold, now):
                    session.add(
                        AuthThrottle(key=key, failures=0, last_failure_at=now, locked_until=None)
                    )
                    try:
                        session.flush()
                    except IntegrityError:
                        raise _RowCreatedMeanwhile from None
                    self._count(session, key, threshold, now)
                until = session.execute(
                    select(AuthThrottle.locked_until).where(AuthThrottle.key == key)
                ).scalar_one()
                if until is not None and until > now:
                    wait = math.ceil((until - now).total_seconds())
                    refusal = Refusal(locked=True, retry_after_s=wait)
                    if locked is None or refusal.retry_after_s > locked.retry_after_s:
                        locked = refusal
        return locked

    def _count(self, session: Session, key: str, threshold: int, now: datetime) -> bool:
        """One more failure on ``key``, computed by the database from the row as it is when
        the UPDATE runs; False when the key has no row yet."""
        table = AuthThrottle
        stale = or_(
            and_(table.locked_until.is_not(None), table.locked_until <= now),
            and_(table.locked_until.is_(None), table.last_failure_at <= now - self._window),
        )
        failures = case((stale, 1), else_=table.failures + 1)
        # Typed like the column: SQLite compares the stored text of instants.
        never = null().cast(table.locked_until.type)
        until = literal(now + self._window, table.locked_until.type)
        still_locked = case((stale, never), else_=table.locked_until)
        result = session.execute(
            update(table)
            .where(table.key == key)
            .values(
                failures=failures,
                last_failure_at=now,
                locked_until=case((failures >= threshold, until), else_=still_locked),
            )
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    def clear(self, key: str) -> None:
        with self._store.session() as session:
            session.execute(delete(AuthThrottle).where(AuthThrottle.key == key))

    def purge(self, now: datetime) -> None:
        """Forget keys whose failures are all stale (unknown logins would pile up otherwise)."""
        with self._store.session() as session:
            session.execute(
                delete(AuthThrottle)
                .where(AuthThrottle.last_failure_at < now - self._window)
                .where((AuthThrottle.locked_until.is_(None)) | (AuthThrottle.locked_until < now))
            )
