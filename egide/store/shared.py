"""State that several Égide processes share through the database (migration ``0008``).

With PostgreSQL, N web processes on several machines and the workers must behave as one: the
audit chain is appended there, serialised by the database, and the per-minute request windows
of applications and callers are counted there. Nothing here holds content: an audit event is
metadata only (:mod:`egide.audit.events`), a request window holds a key and instants.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from egide.store.models import Base

__all__ = ["AuditEventRow", "RateHit"]


class AuditEventRow(Base):
    """One event of the audit chain, as the exact JSON line a file log would hold.

    The sequence number is the primary key: two processes can never both append event n.
    """

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    record: Mapped[str] = mapped_column(Text)


class RateHit(Base):
    """One request counted in a per-minute window (``app:ID`` or ``scan:CALLER``)."""

    __tablename__ = "rate_hits"
    __table_args__ = (Index("ix_rate_hits_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[float] = mapped_column(Float)  # seconds since the epoch (UTC)
