"""Batch jobs started from the portal: their source, status and analysis, per owner.

The analysis holds, for each item, its label ("ligne 12", a file name), level, counts of
findings by label and the models allowed — never a value. A file name is content all the same:
the source's name and data, the analysis, the error message and the options (the column chosen
for each field, the values set for every row) are sealed with the store's key (the text
columns as ``sealed:`` and base64url); so is each line of the batch's journal
(:class:`SealedLines`). Documents of a summary batch are uploads
(:mod:`egide.store.uploads`).
"""

from __future__ import annotations

import base64
import binascii
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
from egide.store.errors import NotFoundError, StoreError
from egide.store.workspace import BatchJobRow

__all__ = [
    "BatchJobNotFoundError",
    "BatchJobRecord",
    "BatchJobStore",
    "BatchStatus",
    "SealedLines",
]

_TABLE = "batch_jobs"
_JOURNAL = "batch_journals"  # no such table: the context the journals' lines are sealed in
_SEALED = "sealed:"  # marks a sealed value in a text column; older rows hold clear text


class SealedLines:
    """The lines of one batch's journal, each sealed with the store's key and bound to the
    batch: a line copied from another batch's journal does not open."""

    def __init__(self, cipher: TableCipher, job_id: str) -> None:
        self._cipher = cipher
        self._job_id = job_id

    def seal(self, line: bytes) -> bytes:
        return base64.urlsafe_b64encode(self._cipher.seal_bytes(line, "line", self._job_id))

    def open(self, line: bytes) -> bytes:
        try:
            return self._cipher.open_bytes(base64.urlsafe_b64decode(line), "line", self._job_id)
        except (binascii.Error, ValueError, StoreError):
            raise ValueError("ligne de journal illisible ou d'un autre lot") from None


class BatchJobNotFoundError(NotFoundError):
    """No such batch for this owner."""


class BatchStatus(StrEnum):
    COLUMNS = "colonnes"  # a spreadsheet whose columns the agent checks before the analysis
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
    BatchStatus.COLUMNS: "colonnes à vérifier",
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
    # A batch of letters: {"colonnes": {field: column}, "valeurs": {field: value for every row}}
    options: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def columns(self) -> dict[str, str]:
        return dict(self.options.get("colonnes", {}))

    @property
    def values(self) -> dict[str, str]:
        return dict(self.options.get("valeurs", {}))


def _now() -> datetime:
    return datetime.now(UTC)


class BatchJobStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def _cipher(self) -> TableCipher:
        return self._store.cipher.for_table(_TABLE)

    def journal_seal(self, job_id: str) -> SealedLines:
        return SealedLines(self._store.cipher.for_table(_JOURNAL), job_id)

    def _seal_text(self, text: str, column: str, row_id: str) -> str:
        sealed = self._cipher.seal(text, column, row_id)
        return _SEALED + base64.urlsafe_b64encode(sealed).decode("ascii")

    def _seal_options(self, options: Mapping[str, Any], row_id: str) -> str:
        return self._seal_text(json.dumps(options, ensure_ascii=False), "options", row_id)

    def _open_text(self, value: str, column: str, row_id: str) -> str:
        if not value.startswith(_SEALED):
            return value  # written before values were sealed (see seal_clear_rows)
        try:
            blob = base64.urlsafe_b64decode(value[len(_SEALED) :])
        except (binascii.Error, ValueError):
            raise StoreError(
                f"donnée chiffrée illisible ({_TABLE}.{column}, ligne {row_id})"
            ) from None
        return self._cipher.open(blob, column, row_id)

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
            analysis=tuple(json.loads(self._open_text(row.analysis, "analysis", row.id))),
            error=None if row.error is None else self._open_text(row.error, "error", row.id),
            created_at=row.created_at,
            updated_at=row.updated_at,
            options=json.loads(self._open_text(row.options, "options", row.id))
            if row.options
            else {},
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
        status: BatchStatus = BatchStatus.ANALYSING,
        options: Mapping[str, Any] | None = None,
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
            status=status.value,
            total=total,
            analysis=self._seal_text("[]", "analysis", job_id),
            error=None,
            created_at=now,
            updated_at=now,
            options=None if options is None else self._seal_options(options, job_id),
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
        options: Mapping[str, Any] | None = None,
    ) -> BatchJobRecord:
        with self._store.session() as session:
            row = self._row(session, job_id, owner)
            row.status = status.value
            if options is not None:
                row.options = self._seal_options(options, row.id)
            row.error = None if error is None else self._seal_text(error, "error", row.id)
            if analysis is not None:
                text = json.dumps(list(analysis), ensure_ascii=False)
                row.analysis = self._seal_text(text, "analysis", row.id)
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

    def seal_clear_rows(self) -> int:
        """Seal the analyses and errors written in clear by an earlier version; how many rows."""
        analysis_clear = ~BatchJobRow.analysis.startswith(_SEALED)
        error_clear = BatchJobRow.error.is_not(None) & ~BatchJobRow.error.startswith(_SEALED)
        with self._store.session() as session:
            rows = session.scalars(select(BatchJobRow).where(analysis_clear | error_clear)).all()
            for row in rows:
                if not row.analysis.startswith(_SEALED):
                    row.analysis = self._seal_text(row.analysis, "analysis", row.id)
                if row.error is not None and not row.error.startswith(_SEALED):
                    row.error = self._seal_text(row.error, "error", row.id)
            return len(rows)

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
