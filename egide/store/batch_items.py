"""The journal of a portal batch, in the database (migration ``0011``): any worker resumes it.

A batch of the portal may be run by any ``egide worker`` of the deployment, and taken up by
another when its worker is killed: its journal cannot be a file of one machine. Each finished
item is one row, keyed by a digest of the item's key (the key itself holds a digest of a row's
values, or a file name), its entry sealed with the store's key (labels are file names, reasons
name categories). What an entry holds is :class:`egide.tasks.batch.JournalEntry`'s business
(:mod:`egide.workspace.batch_queue`); this module keeps the rows.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from egide.store.db import Store
from egide.store.models import Base, UTCDateTime
from egide.store.workspace import BatchJobRow

__all__ = [
    "BatchItemRow",
    "clear_stop",
    "forget_items",
    "read_items",
    "request_stop",
    "stop_requested",
    "write_item",
]

_TABLE = "batch_items"


class BatchItemRow(Base):
    __tablename__ = _TABLE

    job_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("batch_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    item: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    draft_id: Mapped[str | None] = mapped_column(String(36))
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _item(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def read_items(store: Store, job_id: str) -> list[bytes]:
    """The entries of the batch's finished items, opened (JSON bytes), in no special order."""
    cipher = store.cipher.for_table(_TABLE)
    with store.session() as session:
        rows = session.execute(
            select(BatchItemRow.item, BatchItemRow.entry).where(BatchItemRow.job_id == job_id)
        ).all()
    return [cipher.open_bytes(sealed, "entry", f"{job_id}:{item}") for item, sealed in rows]


def write_item(
    store: Store, job_id: str, *, key: str, status: str, draft_id: str | None, entry: bytes
) -> None:
    """Record (or replace) the entry of the item ``key``, sealed, in one statement."""
    item = _item(key)
    sealed = store.cipher.for_table(_TABLE).seal_bytes(entry, "entry", f"{job_id}:{item}")
    values = {
        "job_id": job_id, "item": item, "status": status, "draft_id": draft_id,
        "entry": sealed, "updated_at": datetime.now(UTC),
    }  # fmt: skip
    with store.session() as session:
        module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        statement = module.insert(BatchItemRow).values(**values)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["job_id", "item"],
                set_={k: v for k, v in values.items() if k not in ("job_id", "item")},
            )
        )


def forget_items(store: Store, job_id: str) -> None:
    """The journal of a deleted batch (SQLite does not enforce the foreign key's cascade)."""
    with store.session() as session:
        session.execute(delete(BatchItemRow).where(BatchItemRow.job_id == job_id))


def request_stop(store: Store, job_id: str, owner: str) -> None:
    """The owner asks their batch to stop: whichever process runs it sees it between items."""
    with store.session() as session:
        session.execute(
            update(BatchJobRow)
            .where(BatchJobRow.id == job_id, BatchJobRow.owner == owner)
            .values(stop_requested_at=datetime.now(UTC))
        )


def stop_requested(store: Store, job_id: str) -> bool:
    """Whether the batch must stop: asked by its owner, or deleted meanwhile (its owner
    erased their content), so that no draft is made for a batch that no longer exists."""
    with store.session() as session:
        found = session.execute(
            select(BatchJobRow.stop_requested_at).where(BatchJobRow.id == job_id)
        ).one_or_none()
    return found is None or found[0] is not None


def clear_stop(store: Store, job_id: str) -> None:
    """A new launch forgets an earlier request to stop."""
    with store.session() as session:
        session.execute(
            update(BatchJobRow).where(BatchJobRow.id == job_id).values(stop_requested_at=None)
        )
