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
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

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
                row = session.get(AuthThrottle, key)
                if row is None:
                    row = AuthThrottle(key=key, failures=0, last_failure_at=now, locked_until=None)
                    session.add(row)
                elif self._stale(row, now):
                    row.failures, row.locked_until = 0, None
                row.failures += 1
                row.last_failure_at = now
                if row.failures >= threshold:
                    row.locked_until = now + self._window
                    locked = Refusal(locked=True, retry_after_s=int(self._window.total_seconds()))
            try:
                session.flush()
            except IntegrityError:
                raise _RowCreatedMeanwhile from None
        return locked

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
