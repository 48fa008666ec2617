"""The tables of conversations and saved defaults (migration ``0009``).

A conversation's title and an agent's defaults are AES-GCM ciphertext sealed with the store's
key; the turns are requests (:class:`egide.store.workspace.WorkRequestRow`) sharing the
conversation's id. The logic lives in :mod:`egide.store.conversations` and
:mod:`egide.store.profiles`; every read there is scoped to one owner.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from egide.store.models import Base, UTCDateTime

__all__ = ["AgentProfileRow", "ConversationRow"]


class ConversationRow(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_owner_updated", "owner", "updated_at"),
        Index("ix_conversations_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner: Mapped[str] = mapped_column(String(128))
    title: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AgentProfileRow(Base):
    """One agent's saved defaults for letters, as sealed JSON."""

    __tablename__ = "agent_profiles"

    owner: Mapped[str] = mapped_column(String(128), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
