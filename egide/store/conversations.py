"""Conversations: a sealed title and dates; their turns are requests (:mod:`egide.store.requests`).

Every method is scoped to one owner: someone else's conversation answers exactly like a missing
one ("conversation introuvable"), administrators included. The title quotes a question, so it is
sealed like the rest; sorting uses the dates only.
"""

from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import CursorResult

from egide.store.conversation_rows import ConversationRow
from egide.store.crypto import TableCipher
from egide.store.db import Store
from egide.store.errors import NotFoundError, StoreError
from egide.store.workspace import WorkRequestRow

__all__ = ["MAX_TITLE", "Conversation", "ConversationNotFoundError", "ConversationStore"]

_TABLE = "conversations"
MAX_TITLE = 200


class ConversationNotFoundError(NotFoundError):
    """No such conversation for this owner (someone else's reads exactly the same)."""


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    owner: str
    title: str = field(repr=False)
    created_at: datetime
    updated_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _not_found() -> ConversationNotFoundError:
    return ConversationNotFoundError(
        "conversation introuvable : elle a peut-être été supprimée ou a dépassé la durée de "
        "conservation"
    )


def _title(value: str) -> str:
    title = " ".join(value.split())
    if not title:
        raise StoreError("titre de la conversation : valeur vide")
    return title[:MAX_TITLE]


class ConversationStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def _cipher(self) -> TableCipher:
        return self._store.cipher.for_table(_TABLE)

    def _record(self, row: ConversationRow) -> Conversation:
        return Conversation(
            id=row.id,
            owner=row.owner,
            title=self._cipher.open(row.title, "title", row.id),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    def create(
        self,
        owner: str,
        title: str,
        *,
        conversation_id: str | None = None,
        now: datetime | None = None,
    ) -> Conversation:
        """A new conversation (``conversation_id`` adopts the turns of an earlier version)."""
        new_id = conversation_id or str(uuid.uuid4())
        moment = now or _now()
        row = ConversationRow(
            id=new_id,
            owner=owner,
            title=self._cipher.seal(_title(title), "title", new_id),
            created_at=moment,
            updated_at=moment,
        )
        with self._store.session() as session:
            session.add(row)
        return self._record(row)

    def get(self, conversation_id: str, *, owner: str) -> Conversation:
        with self._store.session() as session:
            row = session.scalars(
                select(ConversationRow).where(
                    ConversationRow.id == conversation_id, ConversationRow.owner == owner
                )
            ).one_or_none()
            if row is None:
                raise _not_found()
            return self._record(row)

    def list(
        self, owner: str, *, limit: int | None = None, offset: int = 0
    ) -> builtins.list[Conversation]:
        """The owner's conversations, the most recently active first."""
        query = (
            select(ConversationRow)
            .where(ConversationRow.owner == owner)
            .order_by(ConversationRow.updated_at.desc(), ConversationRow.id)
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        with self._store.session() as session:
            return [self._record(row) for row in session.scalars(query)]

    def count(self, owner: str) -> int:
        with self._store.session() as session:
            total = session.scalar(
                select(func.count())
                .select_from(ConversationRow)
                .where(ConversationRow.owner == owner)
            )
            return int(total or 0)

    def ids(self, owner: str) -> set[str]:
        with self._store.session() as session:
            return set(
                session.scalars(select(ConversationRow.id).where(ConversationRow.owner == owner))
            )

    def _change(self, conversation_id: str, owner: str, **values: object) -> None:
        with self._store.session() as session:
            result = session.execute(
                update(ConversationRow)
                .where(ConversationRow.id == conversation_id, ConversationRow.owner == owner)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if not (isinstance(result, CursorResult) and result.rowcount == 1):
                raise _not_found()

    def rename(self, conversation_id: str, *, owner: str, title: str) -> None:
        self._change(
            conversation_id,
            owner,
            title=self._cipher.seal(_title(title), "title", conversation_id),
        )

    def touch(self, conversation_id: str, *, owner: str, now: datetime | None = None) -> None:
        """A question asked or answered: the conversation comes first in the list."""
        self._change(conversation_id, owner, updated_at=now or _now())

    def delete(self, conversation_id: str, *, owner: str) -> None:
        with self._store.session() as session:
            result = session.execute(
                delete(ConversationRow)
                .where(ConversationRow.id == conversation_id, ConversationRow.owner == owner)
                .execution_options(synchronize_session=False)
            )
            if not (isinstance(result, CursorResult) and result.rowcount == 1):
                raise _not_found()

    def purge_older_than(self, days: int, *, now: datetime | None = None) -> int:
        """Delete the conversations older than ``days`` that no turn is left in.

        Turns are requests and go with the requests' retention, each at its own age; a
        conversation goes with its last turn (or at its own age, when it never had one).
        """
        if days < 0:
            raise StoreError("durée de conservation négative")
        cutoff = (now or _now()) - timedelta(days=days)
        alive = select(WorkRequestRow.conversation_id).where(
            WorkRequestRow.conversation_id.is_not(None)
        )
        with self._store.session() as session:
            result = session.execute(
                delete(ConversationRow)
                .where(ConversationRow.created_at < cutoff, ConversationRow.id.not_in(alive))
                .execution_options(synchronize_session=False)
            )
            return int(getattr(result, "rowcount", 0) or 0)
