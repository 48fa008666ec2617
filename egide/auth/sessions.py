"""Portal sessions kept server-side: an opaque random cookie, timeouts, revocation.

The cookie carries 256 random bits; the table keeps only their SHA-256, so a copy of the table
opens no session. A session ends after ``session_idle_minutes`` without a request, after
``session_absolute_hours`` in any case, and after :data:`PENDING_LIFETIME` when the second
factor was never given. The id changes when the second factor is given (no fixation of a
half-authenticated id). Each session holds its own CSRF token (synchronizer pattern).
"""

from __future__ import annotations

import builtins
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import CursorResult

from egide.config import PortalSettings
from egide.store.accounts import WebSession
from egide.store.db import Store

__all__ = [
    "OIDC_METHOD",
    "PASSWORD_METHOD",
    "PENDING_LIFETIME",
    "SESSION_COOKIE",
    "SessionState",
    "SessionStore",
    "session_id",
]

SESSION_COOKIE = "egide_session"
PASSWORD_METHOD = "password"
OIDC_METHOD = "oidc"
PENDING_LIFETIME = timedelta(minutes=15)
# Writing on every request would make each page a write; the idle timeout has minute precision.
_TOUCH_EVERY = timedelta(seconds=15)
_TABLE = "web_sessions"
_MAX_TOKEN = 128


def session_id(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class SessionState:
    id: str  # the digest, never the cookie's value
    user_id: str
    csrf_token: str = field(repr=False)
    created_at: datetime
    last_seen_at: datetime
    mfa_at: datetime | None
    has_totp_pending: bool
    has_recovery_pending: bool
    auth_method: str = PASSWORD_METHOD

    @property
    def second_factor_done(self) -> bool:
        return self.mfa_at is not None

    @property
    def by_provider(self) -> bool:
        """Opened through OpenID Connect: the provider checked both factors (its acr)."""
        return self.auth_method == OIDC_METHOD


def _state(row: WebSession) -> SessionState:
    return SessionState(
        id=row.id,
        user_id=row.user_id,
        csrf_token=row.csrf_token,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        mfa_at=row.mfa_at,
        has_totp_pending=row.totp_pending is not None,
        has_recovery_pending=row.recovery_pending is not None,
        auth_method=row.auth_method or PASSWORD_METHOD,
    )


class SessionStore:
    def __init__(self, store: Store, settings: PortalSettings) -> None:
        self._store = store
        self._idle = timedelta(minutes=settings.session_idle_minutes)
        self._absolute = timedelta(hours=settings.session_absolute_hours)

    def _expired(self, row: WebSession, now: datetime) -> bool:
        lifetime = (
            self._absolute if row.mfa_at is not None else min(self._absolute, PENDING_LIFETIME)
        )
        return now - row.last_seen_at >= self._idle or now - row.created_at >= lifetime

    def create(
        self, user_id: str, now: datetime, *, method: str = PASSWORD_METHOD
    ) -> tuple[str, SessionState]:
        """A new session for a user whose password was just checked; returns the cookie value.

        ``method`` OIDC: the provider vouched for both factors, so the session starts complete.
        """
        token = secrets.token_urlsafe(32)
        row = WebSession(
            id=session_id(token),
            user_id=user_id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            mfa_at=now if method == OIDC_METHOD else None,
            totp_pending=None,
            recovery_pending=None,
            auth_method=method,
        )
        with self._store.session() as session:
            session.add(row)
        return token, _state(row)

    def lookup(self, token: str | None, now: datetime) -> SessionState | None:
        """The live session behind a cookie value; an expired one is deleted on the way."""
        if not token or len(token) > _MAX_TOKEN:
            return None
        with self._store.session() as session:
            row = session.get(WebSession, session_id(token))
            if row is None:
                return None
            if self._expired(row, now):
                session.delete(row)
                return None
            if now - row.last_seen_at >= _TOUCH_EVERY:
                row.last_seen_at = now
            return _state(row)

    def complete_second_factor(
        self, state: SessionState, now: datetime
    ) -> tuple[str, SessionState]:
        """Mark the second factor given, under a new id; what was pending is dropped."""
        token = secrets.token_urlsafe(32)
        with self._store.session() as session:
            old = session.get(WebSession, state.id)
            created_at = old.created_at if old is not None else now
            if old is not None:
                session.delete(old)
            row = WebSession(
                id=session_id(token),
                user_id=state.user_id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=created_at,
                last_seen_at=now,
                mfa_at=now,
                totp_pending=None,
                recovery_pending=None,
                auth_method=old.auth_method if old is not None else PASSWORD_METHOD,
            )
            session.add(row)
        return token, _state(row)

    def _seal(self, state: SessionState, column: str, text: str) -> bytes:
        return self._store.cipher.seal(text, table=_TABLE, column=column, row_id=state.id)

    def _open(self, state: SessionState, column: str, blob: bytes) -> str:
        return self._store.cipher.open(blob, table=_TABLE, column=column, row_id=state.id)

    def totp_pending(self, state: SessionState) -> str | None:
        with self._store.session() as session:
            row = session.get(WebSession, state.id)
            if row is None or row.totp_pending is None:
                return None
            return self._open(state, "totp_pending", row.totp_pending)

    def set_totp_pending(self, state: SessionState, secret: str) -> None:
        with self._store.session() as session:
            row = session.get(WebSession, state.id)
            if row is not None:
                row.totp_pending = self._seal(state, "totp_pending", secret)

    def set_recovery_pending(self, state: SessionState, codes: builtins.list[str]) -> None:
        with self._store.session() as session:
            row = session.get(WebSession, state.id)
            if row is not None:
                row.recovery_pending = self._seal(state, "recovery_pending", json.dumps(codes))

    def take_recovery_pending(self, state: SessionState) -> builtins.list[str] | None:
        """The recovery codes waiting to be shown, removed as they are read: shown once."""
        with self._store.session() as session:
            row = session.get(WebSession, state.id)
            if row is None or row.recovery_pending is None:
                return None
            codes = json.loads(self._open(state, "recovery_pending", row.recovery_pending))
            row.recovery_pending = None
            return [str(code) for code in codes]

    def set_notice(self, state: SessionState, page: str, notice: Mapping[str, object]) -> None:
        """What ``page`` shows once after a form's POST (post/redirect/get): sealed, because it
        may carry a temporary password, and replacing any notice not yet shown."""
        payload = json.dumps({"page": page, "notice": dict(notice)})
        with self._store.session() as session:
            row = session.get(WebSession, state.id)
            if row is not None:
                row.notice_pending = self._seal(state, "notice_pending", payload)

    def take_notice(self, state: SessionState, page: str) -> dict[str, Any] | None:
        """The notice waiting for ``page`` in this session, removed as it is read: reloading
        the page shows it no more. A notice for another page is left for that page."""
        with self._store.session() as session:
            row = session.get(WebSession, state.id)
            if row is None or row.notice_pending is None:
                return None
            pending = json.loads(self._open(state, "notice_pending", row.notice_pending))
            if not isinstance(pending, dict) or pending.get("page") != page:
                return None
            row.notice_pending = None
            notice = pending.get("notice")
            return notice if isinstance(notice, dict) else None

    def end(self, state: SessionState) -> None:
        with self._store.session() as session:
            session.execute(delete(WebSession).where(WebSession.id == state.id))

    def end_all(self, user_id: str, *, keep: str | None = None) -> int:
        """End every session of a user ("se déconnecter partout"), but ``keep`` when given."""
        statement = delete(WebSession).where(WebSession.user_id == user_id)
        if keep is not None:
            statement = statement.where(WebSession.id != keep)
        with self._store.session() as session:
            result = session.execute(statement)
            assert isinstance(result, CursorResult)
            return int(result.rowcount or 0)

    def count(self, user_id: str) -> int:
        with self._store.session() as session:
            return len(
                session.scalars(select(WebSession.id).where(WebSession.user_id == user_id)).all()
            )

    def purge(self, now: datetime) -> None:
        """Delete sessions that can only have expired (never looked up again since)."""
        with self._store.session() as session:
            session.execute(
                delete(WebSession).where(
                    (WebSession.last_seen_at <= now - self._idle)
                    | (WebSession.created_at <= now - self._absolute)
                )
            )
