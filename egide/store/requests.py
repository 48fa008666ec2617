"""The workspace's requests: what an agent asked, kept from its preview until it is answered.

A request holds the agent's own words (sealed) and the ids of its documents; it is created when
the agent asks for a preview, and stays after a failure of the model or a refusal, so that the
agent never has to type or upload anything again. A conversation's turns are the requests
sharing one ``conversation_id``: each keeps its answer (sealed) instead of making a draft.
Someone else's request answers like a missing one.
"""

from __future__ import annotations

import builtins
import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from egide.store.crypto import TableCipher
from egide.store.db import Store
from egide.store.errors import NotFoundError, StoreError
from egide.store.workspace import WorkRequestRow

__all__ = ["RequestNotFoundError", "RequestStatus", "RequestStore", "WorkRequest"]

_TABLE = "work_requests"
_MAX_ERROR = 2000


class RequestNotFoundError(NotFoundError):
    """No such request for this owner."""


class RequestStatus(StrEnum):
    PENDING = "en_attente"
    SENT = "envoyee"
    FAILED = "echec"
    REFUSED = "refusee"


@dataclass(frozen=True, slots=True)
class WorkRequest:
    id: str
    owner: str
    task: str
    title: str = field(repr=False)
    prompt: str = field(repr=False)
    options: Mapping[str, Any]
    document_ids: tuple[str, ...]
    conversation_id: str | None
    status: RequestStatus
    error: str | None
    warnings: tuple[str, ...]
    model: str | None
    draft_id: str | None
    created_at: datetime
    updated_at: datetime
    # A conversation's turn: its answer, when the agent edited it, level and tier of what was
    # sent, and the fingerprint of the texts the agent saw in the preview, then of those sent
    # (egide.boundary.request_digest).
    answer: str | None = field(default=None, repr=False)
    answer_edited_at: datetime | None = None
    level: str | None = None
    tier: str | None = None
    sent_digest: str | None = field(default=None, repr=False)

    @property
    def variant_of(self) -> str | None:
        """The first turn of the exchange this turn answers again (regenerated, rewritten)."""
        value = self.options.get("variant_of")
        return value if isinstance(value, str) else None


def _now() -> datetime:
    return datetime.now(UTC)


class RequestStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def _cipher(self) -> TableCipher:
        return self._store.cipher.for_table(_TABLE)

    def _record(self, row: WorkRequestRow) -> WorkRequest:
        return WorkRequest(
            id=row.id,
            owner=row.owner,
            task=row.task,
            title=self._cipher.open(row.title, "title", row.id),
            prompt=self._cipher.open(row.prompt, "prompt", row.id),
            options=json.loads(row.options),
            document_ids=tuple(json.loads(row.document_ids)),
            conversation_id=row.conversation_id,
            status=RequestStatus(row.status),
            error=row.error,
            warnings=tuple(json.loads(row.warnings)),
            model=row.model,
            draft_id=row.draft_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
            answer=self._open(row.answer, "answer", row.id),
            answer_edited_at=row.answer_edited_at,
            level=row.level,
            tier=row.tier,
            sent_digest=self._open(row.sent_digest, "sent_digest", row.id),
        )

    def _open(self, blob: bytes | None, column: str, row_id: str) -> str | None:
        return None if blob is None else self._cipher.open(blob, column, row_id)

    def create(
        self,
        owner: str,
        *,
        task: str,
        title: str,
        prompt: str = "",
        options: Mapping[str, str] | None = None,
        document_ids: Sequence[str] = (),
        conversation_id: str | None = None,
    ) -> WorkRequest:
        request_id = str(uuid.uuid4())
        now = _now()
        row = WorkRequestRow(
            id=request_id,
            owner=owner,
            task=task,
            title=self._cipher.seal(title, "title", request_id),
            prompt=self._cipher.seal(prompt, "prompt", request_id),
            options=json.dumps(dict(options or {}), ensure_ascii=False),
            document_ids=json.dumps(list(document_ids)),
            conversation_id=conversation_id,
            status=RequestStatus.PENDING.value,
            error=None,
            warnings="[]",
            model=None,
            draft_id=None,
            created_at=now,
            updated_at=now,
        )
        with self._store.session() as session:
            session.add(row)
        return self._record(row)

    @staticmethod
    def _owned(session: Session, request_id: str, owner: str) -> WorkRequestRow:
        row = session.scalars(
            select(WorkRequestRow).where(
                WorkRequestRow.id == request_id, WorkRequestRow.owner == owner
            )
        ).one_or_none()
        if row is None:
            raise RequestNotFoundError(
                "demande introuvable : elle a peut-être été supprimée ou a dépassé la durée "
                "de conservation"
            )
        return row

    def get(self, request_id: str, *, owner: str) -> WorkRequest:
        with self._store.session() as session:
            return self._record(self._owned(session, request_id, owner))

    def for_draft(self, draft_id: str, *, owner: str) -> WorkRequest | None:
        with self._store.session() as session:
            row = session.scalars(
                select(WorkRequestRow).where(
                    WorkRequestRow.draft_id == draft_id, WorkRequestRow.owner == owner
                )
            ).first()
            return self._record(row) if row is not None else None

    def all_of(self, owner: str) -> Iterator[WorkRequest]:
        """Every request of the owner, conversations' turns included, oldest first."""
        query = (
            select(WorkRequestRow)
            .where(WorkRequestRow.owner == owner)
            .order_by(WorkRequestRow.created_at, WorkRequestRow.id)
            .execution_options(yield_per=200)
        )
        with self._store.session() as session:
            for row in session.scalars(query):
                yield self._record(row)

    def pending(self, owner: str, *, limit: int = 20) -> builtins.list[WorkRequest]:
        """Requests not answered yet (never sent, refused or failed), newest first."""
        with self._store.session() as session:
            rows = session.scalars(
                select(WorkRequestRow)
                .where(
                    WorkRequestRow.owner == owner,
                    WorkRequestRow.status != RequestStatus.SENT.value,
                )
                .order_by(WorkRequestRow.created_at.desc())
                .limit(limit)
            )
            return [self._record(row) for row in rows]

    def conversation(self, conversation_id: str, *, owner: str) -> builtins.list[WorkRequest]:
        """The turns of one conversation, oldest first (empty for someone else's)."""
        with self._store.session() as session:
            rows = session.scalars(
                select(WorkRequestRow)
                .where(
                    WorkRequestRow.conversation_id == conversation_id,
                    WorkRequestRow.owner == owner,
                )
                .order_by(WorkRequestRow.created_at, WorkRequestRow.id)
            )
            return [self._record(row) for row in rows]

    def _change(self, request_id: str, owner: str, **values: object) -> WorkRequest:
        with self._store.session() as session:
            row = self._owned(session, request_id, owner)
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = _now()
            return self._record(row)

    def mark_sent(
        self, request_id: str, *, owner: str, model: str, draft_id: str, warnings: Sequence[str]
    ) -> WorkRequest:
        return self._change(
            request_id,
            owner,
            status=RequestStatus.SENT.value,
            model=model,
            draft_id=draft_id,
            error=None,
            warnings=json.dumps(list(warnings), ensure_ascii=False),
        )

    def mark_answered(
        self,
        request_id: str,
        *,
        owner: str,
        model: str,
        tier: str,
        level: str,
        answer: str,
        digest: str,
        warnings: Sequence[str],
    ) -> WorkRequest:
        """A conversation's turn answered: the answer is kept (sealed) in the turn itself."""
        return self._change(
            request_id,
            owner,
            status=RequestStatus.SENT.value,
            model=model,
            tier=tier,
            level=level,
            answer=self._cipher.seal(answer, "answer", request_id),
            sent_digest=self._cipher.seal(digest, "sent_digest", request_id),
            error=None,
            warnings=json.dumps(list(warnings), ensure_ascii=False),
        )

    def mark_seen(self, request_id: str, *, owner: str, digest: str) -> WorkRequest:
        """The fingerprint of the texts the agent was shown in the preview (sealed): sending
        later checks the texts are still these, whatever became of the process's cache."""
        return self._change(
            request_id, owner, sent_digest=self._cipher.seal(digest, "sent_digest", request_id)
        )

    def edit_answer(self, request_id: str, *, owner: str, answer: str) -> WorkRequest:
        """The agent's correction of an answer; later questions carry it as the answer."""
        return self._change(
            request_id,
            owner,
            answer=self._cipher.seal(answer, "answer", request_id),
            answer_edited_at=_now(),
        )

    def link_draft(self, request_id: str, *, owner: str, draft_id: str) -> WorkRequest:
        """The draft the agent made of this turn's answer."""
        return self._change(request_id, owner, draft_id=draft_id)

    def mark_failed(
        self, request_id: str, *, owner: str, status: RequestStatus, model: str, error: str
    ) -> WorkRequest:
        """A refusal or a failure: the request stays, with Égide's reason, for another try."""
        if status not in (RequestStatus.FAILED, RequestStatus.REFUSED):
            raise ValueError(status)
        return self._change(
            request_id, owner, status=status.value, model=model[:64], error=error[:_MAX_ERROR]
        )

    def delete(self, request_id: str, *, owner: str) -> WorkRequest:
        """Delete one request; returns it, so that the caller can drop its documents too."""
        record = self.get(request_id, owner=owner)
        with self._store.session() as session:
            session.execute(
                delete(WorkRequestRow)
                .where(WorkRequestRow.id == request_id, WorkRequestRow.owner == owner)
                .execution_options(synchronize_session=False)
            )
        return record

    def delete_conversation(
        self, conversation_id: str, *, owner: str
    ) -> builtins.list[WorkRequest]:
        """Delete every turn of one conversation; returns them, for their documents."""
        turns = self.conversation(conversation_id, owner=owner)
        with self._store.session() as session:
            session.execute(
                delete(WorkRequestRow)
                .where(
                    WorkRequestRow.conversation_id == conversation_id,
                    WorkRequestRow.owner == owner,
                )
                .execution_options(synchronize_session=False)
            )
        return turns

    def conversation_texts(self, owner: str) -> Iterator[tuple[str, str, str]]:
        """(conversation id, question, answer) of every turn of the owner, newest first.

        For searching: the texts are decrypted here, in Python; the database never sees the
        words searched for.
        """
        query = (
            select(
                WorkRequestRow.id,
                WorkRequestRow.conversation_id,
                WorkRequestRow.prompt,
                WorkRequestRow.answer,
            )
            .where(WorkRequestRow.owner == owner, WorkRequestRow.conversation_id.is_not(None))
            .order_by(WorkRequestRow.created_at.desc())
            .execution_options(yield_per=200)
        )
        cipher = self._cipher
        with self._store.session() as session:
            for row_id, conversation_id, prompt, answer in session.execute(query):
                if conversation_id is None:  # excluded by the query; narrows the type
                    continue
                yield (
                    conversation_id,
                    cipher.open(prompt, "prompt", row_id),
                    "" if answer is None else cipher.open(answer, "answer", row_id),
                )

    def conversations_without_row(self, owner: str, known: set[str]) -> builtins.list[str]:
        """Conversation ids of the owner's turns that ``known`` lacks (made before 0009)."""
        with self._store.session() as session:
            ids = session.scalars(
                select(WorkRequestRow.conversation_id)
                .where(WorkRequestRow.owner == owner, WorkRequestRow.conversation_id.is_not(None))
                .distinct()
            )
            return [i for i in ids if i is not None and i not in known]

    def documents_in_use(self, ids: Sequence[str], *, owner: str) -> set[str]:
        """Which of these documents another remaining request of the owner still uses."""
        wanted = set(ids)
        used: set[str] = set()
        with self._store.session() as session:
            for raw in session.scalars(
                select(WorkRequestRow.document_ids).where(WorkRequestRow.owner == owner)
            ):
                used.update(wanted.intersection(json.loads(raw)))
        return used

    def purge_older_than(
        self, days: int, *, now: datetime | None = None, turns: bool | None = None
    ) -> int:
        """Delete requests created more than ``days`` ago: all of them, or (``turns``) only
        conversations' turns, or (``turns=False``) only requests outside conversations."""
        if days < 0:
            raise StoreError("durée de conservation négative")
        cutoff = (now or _now()) - timedelta(days=days)
        statement = delete(WorkRequestRow).where(WorkRequestRow.created_at < cutoff)
        if turns is not None:
            in_conversation = WorkRequestRow.conversation_id.is_not(None)
            statement = statement.where(in_conversation if turns else ~in_conversation)
        with self._store.session() as session:
            result = session.execute(statement.execution_options(synchronize_session=False))
            return int(getattr(result, "rowcount", 0) or 0)
