"""Business applications allowed to call the gateway: one token each, stored hashed, and usage.

A token is shown once, when the application is added; the store keeps its SHA-256 only (the
token carries 256 random bits, so a plain hash is enough: there is nothing to brute-force) and
its first characters, so that an operator can tell tokens apart. Daily usage is counted per
UTC day in ``application_usage``, so that quotas hold across restarts and processes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ForeignKey, Integer, String, Text, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from egide.policy.levels import Level
from egide.policy.tiers import Tier
from egide.store.db import Store
from egide.store.errors import StoreError
from egide.store.models import Base, UTCDateTime

__all__ = [
    "TOKEN_PREFIX",
    "Application",
    "ApplicationRecord",
    "ApplicationStore",
    "ApplicationUsage",
    "hash_token",
    "new_token",
    "utc_day",
]

TOKEN_PREFIX = "egd_"
_HINT_CHARS = len(TOKEN_PREFIX) + 4
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_RESERVE_ATTEMPTS = 8


def new_token() -> str:
    """A fresh application token: the prefix, then 256 random bits in base64url."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_hint: Mapped[str] = mapped_column(String(16))
    models: Mapped[str] = mapped_column(Text)  # comma-separated model names
    tiers: Mapped[str] = mapped_column(Text)  # comma-separated tiers
    max_level: Mapped[str] = mapped_column(String(32))
    rpm: Mapped[int | None] = mapped_column(Integer)
    daily_requests: Mapped[int | None] = mapped_column(Integer)
    daily_tokens: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApplicationUsage(Base):
    __tablename__ = "application_usage"

    application_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # ISO date, UTC
    requests: Mapped[int] = mapped_column(Integer)
    tokens: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True, slots=True)
class ApplicationRecord:
    """An application as the gateway and the CLI see it (never its token nor its hash)."""

    id: str
    name: str
    token_hint: str
    models: tuple[str, ...]
    tiers: tuple[Tier, ...]
    max_level: Level
    rpm: int | None
    daily_requests: int | None
    daily_tokens: int | None
    created_at: datetime
    revoked_at: datetime | None

    @property
    def user(self) -> str:
        """Who the audit trail records for this application's requests."""
        return f"app:{self.name}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def _record(row: Application) -> ApplicationRecord:
    return ApplicationRecord(
        id=row.id,
        name=row.name,
        token_hint=row.token_hint,
        models=tuple(m for m in row.models.split(",") if m),
        tiers=tuple(Tier(t) for t in row.tiers.split(",") if t),
        max_level=Level.parse(row.max_level),
        rpm=row.rpm,
        daily_requests=row.daily_requests,
        daily_tokens=row.daily_tokens,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


class _RowCreatedMeanwhile(Exception):
    pass


def utc_day(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).date().isoformat()


def _check_limit(value: int | None, what: str) -> int | None:
    if value is not None and value < 1:
        raise StoreError(f"{what} doit être un entier positif (ou absent : pas de limite)")
    return value


class ApplicationStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    def add(
        self,
        name: str,
        *,
        models: Sequence[str],
        max_level: Level,
        tiers: Sequence[Tier] = tuple(Tier),
        rpm: int | None = None,
        daily_requests: int | None = None,
        daily_tokens: int | None = None,
        now: datetime | None = None,
    ) -> tuple[ApplicationRecord, str]:
        """Create an application; returns it with its token, which is never available again."""
        if not _NAME.fullmatch(name):
            raise StoreError(
                f"nom d'application invalide « {name} » : 1 à 64 lettres, chiffres, points, "
                "tirets ou soulignés, commençant par une lettre ou un chiffre"
            )
        if not models or any(not m or "," in m for m in models):
            raise StoreError("au moins un modèle est attendu (noms séparés par des virgules)")
        if not tiers:
            raise StoreError("au moins un tier est attendu (metier, interne, externe)")
        token = new_token()
        row = Application(
            id=str(uuid.uuid4()),
            name=name,
            token_hash=hash_token(token),
            token_hint=token[:_HINT_CHARS],
            models=",".join(dict.fromkeys(models)),
            tiers=",".join(dict.fromkeys(Tier(t).value for t in tiers)),
            max_level=max_level.key,
            rpm=_check_limit(rpm, "la limite par minute"),
            daily_requests=_check_limit(daily_requests, "le quota de requêtes par jour"),
            daily_tokens=_check_limit(daily_tokens, "le quota de jetons par jour"),
            created_at=(now or datetime.now(UTC)),
            revoked_at=None,
        )
        with self._store.session() as session:
            session.add(row)
            try:
                session.flush()
            except IntegrityError:
                raise StoreError(f"une application nommée « {name} » existe déjà") from None
        return _record(row), token

    def list(self) -> list[ApplicationRecord]:
        with self._store.session() as session:
            rows = session.scalars(select(Application).order_by(Application.name)).all()
            return [_record(row) for row in rows]

    def named(self, name: str) -> ApplicationRecord:
        with self._store.session() as session:
            row = session.scalars(select(Application).where(Application.name == name)).first()
            if row is None:
                raise StoreError(f"application inconnue « {name} » (voir « egide apps list »)")
            return _record(row)

    def revoke(self, name: str, *, now: datetime | None = None) -> ApplicationRecord:
        """Revoke the application's token for good; revoking twice is an error."""
        with self._store.session() as session:
            row = session.scalars(select(Application).where(Application.name == name)).first()
            if row is None:
                raise StoreError(f"application inconnue « {name} » (voir « egide apps list »)")
            if row.revoked_at is not None:
                raise StoreError(f"le jeton de l'application « {name} » est déjà révoqué")
            row.revoked_at = now or datetime.now(UTC)
            return _record(row)

    def authenticate(self, token: str) -> ApplicationRecord | None:
        """The application holding ``token`` (revoked ones included), or None."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        with self._store.session() as session:
            row = session.scalars(
                select(Application).where(Application.token_hash == hash_token(token))
            ).first()
            return _record(row) if row is not None else None

    def usage(self, application_id: str, day: date | str) -> tuple[int, int]:
        """(requests, tokens) counted for the application on ``day``."""
        with self._store.session() as session:
            row = session.get(ApplicationUsage, (application_id, str(day)))
            return (row.requests, row.tokens) if row is not None else (0, 0)

    def count_request(self, application_id: str, day: str, *, limit: int | None) -> bool:
        """Count one request unless ``limit`` requests were already counted that day.

        The check and the increment are one conditional UPDATE, so that concurrent requests,
        in this process or another one, never exceed the quota together.
        """
        statement = (
            update(ApplicationUsage)
            .where(ApplicationUsage.application_id == application_id)
            .where(ApplicationUsage.day == day)
            .values(requests=ApplicationUsage.requests + 1)
        )
        if limit is not None:
            statement = statement.where(ApplicationUsage.requests < limit)
        for _ in range(2):
            with self._store.session() as session:
                result = session.execute(statement)
                assert isinstance(result, CursorResult)
                if result.rowcount:
                    return True
                if session.get(ApplicationUsage, (application_id, day)) is not None:
                    return False  # the row exists: the quota is reached
            try:
                with self._store.session() as session:
                    try:
                        session.execute(
                            insert(ApplicationUsage).values(
                                application_id=application_id, day=day, requests=1, tokens=0
                            )
                        )
                    except IntegrityError:
                        raise _RowCreatedMeanwhile from None
                return True
            except _RowCreatedMeanwhile:
                continue  # another request created the row first: count on it
        return False

    def reserve_tokens(
        self, application_id: str, day: str, *, limit: int, prompt: int, completion: int | None
    ) -> tuple[int | None, int]:
        """Reserve ``prompt`` tokens and up to ``completion`` more (None: all that remains).

        Returns the completion tokens granted — None when not even the prompt (and one token
        of answer, when an answer is wanted) fits — and what remained before. The increment is
        one conditional UPDATE, so that concurrent requests, in this process or another one,
        never reserve more than the quota together; one that loses the race reads again.
        """
        remaining = limit
        for _ in range(_RESERVE_ATTEMPTS):
            with self._store.session() as session:
                row = session.get(ApplicationUsage, (application_id, day))
                used = row.tokens if row is not None else 0
            remaining = max(0, limit - used)
            room = remaining - prompt
            if room < 0 or (room == 0 and completion != 0):
                return None, remaining
            granted = room if completion is None else min(completion, room)
            total = prompt + granted
            if row is None:
                try:
                    with self._store.session() as session:
                        try:
                            session.execute(
                                insert(ApplicationUsage).values(
                                    application_id=application_id, day=day, requests=0,
                                    tokens=total,
                                )
                            )  # fmt: skip
                        except IntegrityError:
                            raise _RowCreatedMeanwhile from None
                    return granted, remaining
                except _RowCreatedMeanwhile:
                    continue  # another request created the row first: read it
            with self._store.session() as session:
                result = session.execute(
                    update(ApplicationUsage)
                    .where(ApplicationUsage.application_id == application_id)
                    .where(ApplicationUsage.day == day)
                    .where(ApplicationUsage.tokens <= limit - total)
                    .values(tokens=ApplicationUsage.tokens + total)
                )
                assert isinstance(result, CursorResult)
                if result.rowcount:
                    return granted, remaining
        return None, remaining  # reserved by others meanwhile, again and again: refuse

    def settle_tokens(self, application_id: str, day: str, *, reserved: int, used: int) -> None:
        """Give back the part of a reservation that was not used."""
        unused = reserved - max(0, used)
        if unused <= 0:
            return
        with self._store.session() as session:
            session.execute(
                update(ApplicationUsage)
                .where(ApplicationUsage.application_id == application_id)
                .where(ApplicationUsage.day == day)
                .values(tokens=ApplicationUsage.tokens - unused)
            )
