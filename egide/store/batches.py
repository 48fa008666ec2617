"""Batch jobs started from the portal: their source (sealed), status and analysis, per owner.

The analysis holds, for each item, its label ("ligne 12", a file name), level, counts of
findings by label and the models allowed — never a value. The source spreadsheet is sealed
with the store's key; documents of a summary batch are uploads (:mod:`egide.store.uploads`).
"""

from __future__ import annotations

import builtins
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from egide.store.crypto import TableCipher
from egide.store.db import Store
from egide.store.errors import NotFoundError
from egide.store.workspace import BatchJobRow

__all__ = ["BatchJobNotFoundError", "BatchJobRecord", "BatchJobStore", "BatchStatus"]

_TABLE = "batch_jobs"


class BatchJobNotFoundError(NotFoundError):
    """No such batch for this owner."""


class BatchStatus(StrEnum):
    ANALYSING = "analyse"
    READY = "pret"
    RUNNING = "en_cours"
    DONE = "termine"
    INTERRUPTED = "interrompu"
    FAILED = "echec"

    @property
    def label_fr(self) -> str:
        return _LABELS[self]


_LABELS = {
    BatchStatus.ANALYSING: "analyse en cours",
    BatchStatus.READY: "prêt à lancer",
    BatchStatus.RUNNING: "en cours",
    BatchStatus.DONE: "terminé",
    BatchStatus.INTERRUPTED: "interrompu",
    BatchStatus.FAILED: "arrêté sur une erreur",
}


@dataclass(frozen=True, slots=True)
class BatchJobRecord:
    id: str
    owner: str
    kind: str  # draft | summarize
    template: str | None
    length: str | None
    source_name: str = field(repr=False)
    document_ids: tuple[str, ...]
    model: str | None
    status: BatchStatus
    total: int
    analysis: tuple[Mapping[str, Any], ...]
    error: str | None
    created_at: datetime
    updated_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


class BatchJobStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def _cipher(self) -> TableCipher:
        return self._store.cipher.for_table(_TABLE)

    def _record(self, row: BatchJobRow) -> BatchJobRecord:
        return BatchJobRecord(
            id=row.id,
            owner=row.owner,
            kind=row.kind,
            template=row.template,
            length=row.length,
            source_name=self._cipher.open(row.source_name, "source_name", row.id),
            document_ids=tuple(json.loads(row.document_ids)),
            model=row.model,
            status=BatchStatus(row.status),
            total=row.total,
            analysis=tuple(json.loads(row.analysis)),
            error=row.error,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    def create(
        self,
        owner: str,
        *,
        kind: str,
        source_name: str,
        total: int,
        source_data: bytes | None = None,
        document_ids: Sequence[str] = (),
        template: str | None = None,
        length: str | None = None,
    ) -> BatchJobRecord:
        job_id = str(uuid.uuid4())
        cipher = self._cipher
        now = _now()
        row = BatchJobRow(
            id=job_id,
            owner=owner,
            kind=kind,
            template=template,
            length=length,
            source_name=cipher.seal(source_name, "source_name", job_id),
            source_data=None
            if source_data is None
            else cipher.seal_bytes(source_data, "source_data", job_id),
            document_ids=json.dumps(list(document_ids)),
            model=None,
            status=BatchStatus.ANALYSING.value,
            total=total,
            analysis="[]",
            error=None,
            created_at=now,
            updated_at=now,
        )
        with self._store.session() as session:
            session.add(row)
        return self._record(row)

    def _row(self, session: Session, job_id: str, owner: str) -> BatchJobRow:
        row = session.scalars(
            select(BatchJobRow).where(BatchJobRow.id == job_id, BatchJobRow.owner == owner)
        ).one_or_none()
        if row is None:
            raise BatchJobNotFoundError("travail répétitif introuvable")
        return row

    def get(self, job_id: str, *, owner: str) -> BatchJobRecord:
        with self._store.session() as session:
            return self._record(self._row(session, job_id, owner))

    def source_data(self, job_id: str, *, owner: str) -> bytes | None:
        with self._store.session() as session:
            row = self._row(session, job_id, owner)
            if row.source_data is None:
                return None
            return self._cipher.open_bytes(row.source_data, "source_data", row.id)

    def list(self, owner: str, *, limit: int = 50) -> builtins.list[BatchJobRecord]:
        with self._store.session() as session:
            rows = session.scalars(
                select(BatchJobRow)
                .where(BatchJobRow.owner == owner)
                .order_by(BatchJobRow.created_at.desc())
                .limit(limit)
            )
            return [self._record(row) for row in rows]

    def update(
        self,
        job_id: str,
        *,
        owner: str,
        status: BatchStatus,
        error: str | None = None,
        analysis: Sequence[Mapping[str, Any]] | None = None,
        model: str | None = None,
    ) -> BatchJobRecord:
        with self._store.session() as session:
            row = self._row(session, job_id, owner)
            row.status = status.value
            row.error = error
            if analysis is not None:
                row.analysis = json.dumps(list(analysis), ensure_ascii=False)
            if model is not None:
                row.model = model
            row.updated_at = _now()
            return self._record(row)

    def interrupt_unfinished(self) -> int:
        """At start-up: jobs left "running" or "analysing" by a stopped process."""
        with self._store.session() as session:
            result = session.execute(
                update(BatchJobRow)
                .where(
                    BatchJobRow.status.in_([BatchStatus.RUNNING.value, BatchStatus.ANALYSING.value])
                )
                .values(status=BatchStatus.INTERRUPTED.value, updated_at=_now())
                .execution_options(synchronize_session=False)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def delete(self, job_id: str, *, owner: str) -> BatchJobRecord:
        record = self.get(job_id, owner=owner)
        with self._store.session() as session:
            session.execute(
                delete(BatchJobRow)
                .where(BatchJobRow.id == job_id, BatchJobRow.owner == owner)
                .execution_options(synchronize_session=False)
            )
        return record

    def purge_older_than(self, days: int, *, now: datetime | None = None) -> builtins.list[str]:
        """Delete jobs created more than ``days`` ago; their ids, to remove their journals."""
        cutoff = (now or _now()) - timedelta(days=days)
        with self._store.session() as session:
            ids = list(
                session.scalars(select(BatchJobRow.id).where(BatchJobRow.created_at < cutoff))
            )
            if ids:
                session.execute(
                    delete(BatchJobRow)
                    .where(BatchJobRow.id.in_(ids))
                    .execution_options(synchronize_session=False)
                )
            return ids
