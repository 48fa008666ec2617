"""The store's tables, as typed SQLAlchemy 2 models.

The schema itself is created and changed only by the migrations in ``egide.store.migrations``;
these classes describe it for queries. Free text that may name a person (title, content, source
file name) is kept as AES-GCM ciphertext (:mod:`egide.store.crypto`), never in clear.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Index, LargeBinary, String
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = ["Base", "Draft", "StoreMeta", "UTCDateTime"]


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, whatever the backend does with time zones.

    SQLite drops the offset and hands back naive values; PostgreSQL keeps it. Both come back
    as aware UTC here, so comparisons never mix naive and aware datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the store keeps UTC instants only")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Draft(Base):
    """An output of Égide kept as a draft until an agent validates it."""

    __tablename__ = "drafts"
    __table_args__ = (
        Index("ix_drafts_owner_created", "owner", "created_at"),
        CheckConstraint("status IN ('brouillon', 'valide')", name="ck_drafts_status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner: Mapped[str] = mapped_column(String(128))
    task: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(64))
    tier: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(32))
    title: Mapped[bytes] = mapped_column(LargeBinary)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    validated_by: Mapped[str | None] = mapped_column(String(128))
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source_name: Mapped[bytes | None] = mapped_column(LargeBinary)
    conversation_id: Mapped[str | None] = mapped_column(String(36), index=True)


class StoreMeta(Base):
    """Small facts about the store itself, such as the value that checks the key."""

    __tablename__ = "store_meta"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)
