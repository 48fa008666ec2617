"""Everything the store holds of one owner's work, counted or erased in one place (RGPD).

The workspace's tables each keep an ``owner`` (the agent's canonical login): requests and
conversation turns, conversations, drafts, uploaded documents, batches (with their journals)
and saved preferences. This module counts them by kind, with the oldest item of each, and
erases them all in one transaction, so that an erasure is whole or not at all. It reads no
content: what it counts is in clear (owner, dates).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from egide.store.batch_items import BatchItemRow
from egide.store.conversation_rows import AgentProfileRow, ConversationRow
from egide.store.db import Store
from egide.store.models import Draft
from egide.store.workspace import BatchJobRow, UploadRow, WorkRequestRow

__all__ = ["CONTENT_KINDS", "KindCount", "count_owner_content", "erase_owner_content"]

# The kinds of content, in the order the agent reads them; the keys name them in the audit.
CONTENT_KINDS = ("requests", "conversations", "drafts", "uploads", "batches", "preferences")


@dataclass(frozen=True, slots=True)
class KindCount:
    count: int
    oldest: datetime | None  # the creation of the oldest item (a conversation: its last turn)


def _count(session: Session, table: Any, owner_column: Any, date: Any, *where: Any) -> KindCount:
    count, oldest = session.execute(
        select(func.count(), func.min(date)).select_from(table).where(owner_column, *where)
    ).one()
    if isinstance(oldest, str):  # SQLite hands an aggregate's date back as text
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return KindCount(int(count or 0), oldest)


def count_owner_content(store: Store, owner: str) -> dict[str, KindCount]:
    """How many items of each kind ``owner`` has, and the oldest of each."""
    with store.session() as session:
        return {
            "requests": _count(
                session, WorkRequestRow, WorkRequestRow.owner == owner,
                WorkRequestRow.created_at, WorkRequestRow.conversation_id.is_(None),
            ),
            # A conversation goes with its turns: its age is its last turn's.
            "conversations": _count(
                session, ConversationRow, ConversationRow.owner == owner,
                ConversationRow.updated_at,
            ),
            "drafts": _count(session, Draft, Draft.owner == owner, Draft.created_at),
            "uploads": _count(session, UploadRow, UploadRow.owner == owner, UploadRow.created_at),
            "batches": _count(
                session, BatchJobRow, BatchJobRow.owner == owner, BatchJobRow.created_at
            ),
            "preferences": _count(
                session, AgentProfileRow, AgentProfileRow.owner == owner,
                AgentProfileRow.updated_at,
            ),
        }  # fmt: skip


def erase_owner_content(store: Store, owner: str) -> tuple[dict[str, int], list[str]]:
    """Delete every item of ``owner``'s work, in one transaction; counts by kind (a
    conversation's questions and answers as ``turns``), and the ids of the batches deleted
    (their working folders are the caller's to remove).

    The account, its ways in and the audit trail are not touched.
    """
    counts: dict[str, int] = {}
    with store.session() as session:
        batch_ids = list(session.scalars(select(BatchJobRow.id).where(BatchJobRow.owner == owner)))
        if batch_ids:
            # SQLite does not enforce the journal's cascade: delete it explicitly.
            session.execute(
                delete(BatchItemRow)
                .where(BatchItemRow.job_id.in_(batch_ids))
                .execution_options(synchronize_session=False)
            )
        for kind, table, column, where in (
            ("requests", WorkRequestRow, WorkRequestRow.owner, WorkRequestRow.conversation_id.is_(None)),
            ("turns", WorkRequestRow, WorkRequestRow.owner, WorkRequestRow.conversation_id.is_not(None)),
            ("conversations", ConversationRow, ConversationRow.owner, None),
            ("drafts", Draft, Draft.owner, None),
            ("uploads", UploadRow, UploadRow.owner, None),
            ("batches", BatchJobRow, BatchJobRow.owner, None),
            ("preferences", AgentProfileRow, AgentProfileRow.owner, None),
        ):  # fmt: skip
            statement = delete(table).where(column == owner)
            if where is not None:
                statement = statement.where(where)
            result = session.execute(statement.execution_options(synchronize_session=False))
            counts[kind] = int(getattr(result, "rowcount", 0) or 0)
    return counts, batch_ids
