"""The tables of the agents' workspace (migration ``0004``), as typed SQLAlchemy 2 models.

Everything an agent wrote or uploaded (document names and texts, questions, rendered drafts,
spreadsheets) is AES-GCM ciphertext sealed with the store's key; what stays in clear is what
the portal needs to sort and count (owner, task, status, dates) and never quotes content. The
logic lives in :mod:`egide.store.uploads`, :mod:`egide.store.requests` and
:mod:`egide.store.batches`; every read there is scoped to one owner.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from egide.store.models import Base, UTCDateTime

__all__ = ["BatchJobRow", "TrainingCompletion", "UploadRow", "WorkRequestRow"]

REQUEST_STATUSES = ("en_attente", "envoyee", "echec", "refusee")
BATCH_STATUSES = ("analyse", "pret", "en_cours", "termine", "interrompu", "echec")


class UploadRow(Base):
    """A document an agent uploaded, as Égide read it (text and positions), sealed."""

    __tablename__ = "uploads"
    __table_args__ = (Index("ix_uploads_owner_created", "owner", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner: Mapped[str] = mapped_column(String(128))
    name: Mapped[bytes] = mapped_column(LargeBinary)
    format: Mapped[str] = mapped_column(String(8))
    size_bytes: Mapped[int] = mapped_column(Integer)
    text: Mapped[bytes] = mapped_column(LargeBinary)
    sections: Mapped[bytes] = mapped_column(LargeBinary)  # JSON, sealed
    warnings: Mapped[bytes] = mapped_column(LargeBinary)  # JSON, sealed (they name the file)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class WorkRequestRow(Base):
    """One request of the workspace, kept from its preview until (and after) it is sent.

    Keeping it server-side is what lets a failure of the model leave the agent's input intact.
    """

    __tablename__ = "work_requests"
    __table_args__ = (
        Index("ix_work_requests_owner_created", "owner", "created_at"),
        CheckConstraint(
            "status IN ('en_attente', 'envoyee', 'echec', 'refusee')",
            name="ck_work_requests_status",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner: Mapped[str] = mapped_column(String(128))
    task: Mapped[str] = mapped_column(String(32))
    title: Mapped[bytes] = mapped_column(LargeBinary)
    prompt: Mapped[bytes] = mapped_column(LargeBinary)
    options: Mapped[str] = mapped_column(Text)  # JSON of fixed choices (length, template name)
    document_ids: Mapped[str] = mapped_column(Text)  # JSON list of upload ids
    conversation_id: Mapped[str | None] = mapped_column(String(36), index=True)
    status: Mapped[str] = mapped_column(String(16))
    # Égide's own French sentences (a model down, a refusal by categories): never content.
    error: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[str] = mapped_column(Text)  # JSON list of Égide's sentences
    model: Mapped[str | None] = mapped_column(String(64))
    draft_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A conversation's turn keeps its answer here, sealed (migration 0009); level and tier of
    # what was sent, in clear like a draft's; the fingerprint of the texts sent, sealed.
    answer: Mapped[bytes | None] = mapped_column(LargeBinary)
    answer_edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    level: Mapped[str | None] = mapped_column(String(32))
    tier: Mapped[str | None] = mapped_column(String(16))
    sent_digest: Mapped[bytes | None] = mapped_column(LargeBinary)


class BatchJobRow(Base):
    """Repetitive work started from the portal: one spreadsheet or a set of documents."""

    __tablename__ = "batch_jobs"
    __table_args__ = (
        Index("ix_batch_jobs_owner_created", "owner", "created_at"),
        CheckConstraint(
            "status IN ('colonnes', 'analyse', 'pret', 'en_cours', 'termine', 'interrompu', "
            "'echec')",
            name="ck_batch_jobs_status",
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))  # draft | summarize
    template: Mapped[str | None] = mapped_column(String(128))
    length: Mapped[str | None] = mapped_column(String(16))
    source_name: Mapped[bytes] = mapped_column(LargeBinary)
    source_data: Mapped[bytes | None] = mapped_column(LargeBinary)  # the spreadsheet, sealed
    document_ids: Mapped[str] = mapped_column(Text)  # JSON list of upload ids
    model: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    total: Mapped[int] = mapped_column(Integer)
    # Per item: label, level, counts by label, allowed models — never a value.
    analysis: Mapped[str] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Sealed JSON: the column chosen for each template field, the values set for every row.
    options: Mapped[str | None] = mapped_column(Text)
    # The owner asked the batch to stop (migration 0011): seen by whichever process runs it.
    stop_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TrainingCompletion(Base):
    """The "Se former" quiz passed by a user: which version, with which score, when."""

    __tablename__ = "training_completions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[str] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)
