"""Documents uploaded to the portal, kept as Égide read them, sealed, and seen by their owner only.

A document is stored as its text and the positions of its pages or paragraphs (what the guard
scanned and the agent saw highlighted), not as the original file: what is sent later is exactly
what was previewed. Someone else's document answers like a missing one, administrators included.
"""

from __future__ import annotations

import builtins
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from egide.documents import Document, DocumentFormat, Section
from egide.store.crypto import TableCipher
from egide.store.db import Store
from egide.store.errors import NotFoundError
from egide.store.workspace import UploadRow

__all__ = ["UploadNotFoundError", "UploadRecord", "UploadStore"]

_TABLE = "uploads"


class UploadNotFoundError(NotFoundError):
    """No such document for this owner (someone else's reads exactly the same)."""


@dataclass(frozen=True, slots=True)
class UploadRecord:
    id: str
    owner: str
    name: str = field(repr=False)
    format: str
    size_bytes: int
    created_at: datetime
    document: Document = field(repr=False)

    @property
    def characters(self) -> int:
        return len(self.document.text)


def _sections_json(sections: Sequence[Section]) -> str:
    return json.dumps(
        [
            [s.text_start, s.text_end, s.page, s.paragraph, s.heading, s.attachment]
            for s in sections
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _sections(raw: str) -> tuple[Section, ...]:
    return tuple(Section(*item) for item in json.loads(raw))


class UploadStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def _cipher(self) -> TableCipher:
        return self._store.cipher.for_table(_TABLE)

    def _record(self, row: UploadRow) -> UploadRecord:
        name = self._cipher.open(row.name, "name", row.id)
        document = Document(
            text=self._cipher.open(row.text, "text", row.id),
            sections=_sections(self._cipher.open(row.sections, "sections", row.id)),
            source=name,
            format=DocumentFormat(row.format),
            warnings=tuple(json.loads(self._cipher.open(row.warnings, "warnings", row.id))),
        )
        return UploadRecord(
            id=row.id,
            owner=row.owner,
            name=name,
            format=row.format,
            size_bytes=row.size_bytes,
            created_at=row.created_at,
            document=document,
        )

    def save(
        self, owner: str, document: Document, *, size_bytes: int, now: datetime | None = None
    ) -> UploadRecord:
        upload_id = str(uuid.uuid4())
        row = UploadRow(
            id=upload_id,
            owner=owner,
            name=self._cipher.seal(document.source, "name", upload_id),
            format=document.format.value,
            size_bytes=size_bytes,
            text=self._cipher.seal(document.text, "text", upload_id),
            sections=self._cipher.seal(_sections_json(document.sections), "sections", upload_id),
            warnings=self._cipher.seal(
                json.dumps(list(document.warnings), ensure_ascii=False), "warnings", upload_id
            ),
            created_at=now or datetime.now(UTC),
        )
        with self._store.session() as session:
            session.add(row)
        return self._record(row)

    def get_many(self, ids: Sequence[str], *, owner: str) -> builtins.list[UploadRecord]:
        """The owner's documents, in the order of ``ids``; any missing one raises."""
        if not ids:
            return []
        with self._store.session() as session:
            rows = {
                row.id: row
                for row in session.scalars(
                    select(UploadRow).where(UploadRow.id.in_(list(ids)), UploadRow.owner == owner)
                )
            }
            missing = [i for i in ids if i not in rows]
            if missing:
                raise UploadNotFoundError(
                    "document introuvable : il a peut-être été supprimé (durée de conservation "
                    "atteinte ou suppression) ; déposez-le à nouveau"
                )
            return [self._record(rows[i]) for i in ids]

    def all_of(self, owner: str) -> Iterator[UploadRecord]:
        """Every document of the owner, oldest first."""
        query = (
            select(UploadRow)
            .where(UploadRow.owner == owner)
            .order_by(UploadRow.created_at, UploadRow.id)
            .execution_options(yield_per=50)
        )
        with self._store.session() as session:
            for row in session.scalars(query):
                yield self._record(row)

    def delete(self, ids: Sequence[str], *, owner: str) -> int:
        if not ids:
            return 0
        with self._store.session() as session:
            result = session.execute(
                delete(UploadRow)
                .where(UploadRow.id.in_(list(ids)), UploadRow.owner == owner)
                .execution_options(synchronize_session=False)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def purge_older_than(self, days: int, *, now: datetime | None = None) -> int:
        cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
        with self._store.session() as session:
            result = session.execute(
                delete(UploadRow)
                .where(UploadRow.created_at < cutoff)
                .execution_options(synchronize_session=False)
            )
            return int(getattr(result, "rowcount", 0) or 0)
