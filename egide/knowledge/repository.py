"""The knowledge base's rows: sealed on the way in, opened on the way out.

Every text is sealed with the store's key, bound to its table, column and row (a passage's row
is ``document id:ordinal``, known before the insert); the lexical index is keyed digests of
words (:class:`egide.knowledge.analysis.TermBlinder`) under an index key kept sealed in
``store_meta``. A document is replaced in one transaction: its old passages and their index
entries go, the new ones come, and the collection's version is bumped so that every process
drops its cached vectors.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from egide.knowledge.analysis import TermBlinder
from egide.knowledge.records import (
    CollectionRecord,
    DocumentRecord,
    PassageRecord,
    PreparedDocument,
    ReasonCount,
)
from egide.policy.levels import Level
from egide.store.crypto import TableCipher
from egide.store.db import Store
from egide.store.errors import NotFoundError, StoreError
from egide.store.knowledge import (
    KbAppGrantRow,
    KbCollectionRow,
    KbDocumentRow,
    KbPassageRow,
    KbTermRow,
)
from egide.store.models import StoreMeta

__all__ = ["CollectionNotFound", "DocumentNotFound", "KnowledgeRepository"]

_INDEX_KEY = "kb_index_key"
_DOCS = "kb_documents"
_PASSAGES = "kb_passages"


class CollectionNotFound(NotFoundError):
    """No such collection (or not one this user may see: it reads the same)."""


class DocumentNotFound(NotFoundError):
    """No such document in this collection."""


def _now() -> datetime:
    return datetime.now(UTC)


def _collection(row: KbCollectionRow) -> CollectionRecord:
    return CollectionRecord(
        id=row.id,
        name=row.name,
        title=row.title,
        service=row.service,
        max_level=Level.parse(row.max_level),
        embedder=row.embedder,
        dims=row.dims,
        version=row.version,
        created_at=row.created_at,
        created_by=row.created_by,
    )


class KnowledgeRepository:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._docs: TableCipher = store.cipher.for_table(_DOCS)
        self._passages: TableCipher = store.cipher.for_table(_PASSAGES)
        self.blinder = TermBlinder(self._index_key())

    # -- the index key ------------------------------------------------------------------------

    def _index_key(self) -> bytes:
        where = {"table": "store_meta", "column": "value", "row_id": _INDEX_KEY}
        with self.store.session() as session:
            sealed = session.scalar(select(StoreMeta.value).where(StoreMeta.name == _INDEX_KEY))
        if sealed is None:
            try:
                with self.store.session() as session:
                    key = os.urandom(32)
                    session.add(
                        StoreMeta(
                            name=_INDEX_KEY,
                            value=self.store.cipher.seal_bytes(key, **where),
                        )
                    )
                return key
            except (IntegrityError, StoreError):
                # Another process made it at the same time: use theirs.
                with self.store.session() as session:
                    sealed = session.scalar(
                        select(StoreMeta.value).where(StoreMeta.name == _INDEX_KEY)
                    )
                if sealed is None:
                    raise
        return self.store.cipher.open_bytes(sealed, **where)

    # -- collections --------------------------------------------------------------------------

    def create_collection(
        self,
        name: str,
        *,
        title: str,
        service: str | None,
        max_level: Level,
        created_by: str,
    ) -> CollectionRecord:
        row = KbCollectionRow(
            id=str(uuid.uuid4()),
            name=name,
            title=title,
            service=service,
            max_level=max_level.key,
            embedder=None,
            dims=None,
            version=1,
            created_at=_now(),
            created_by=created_by,
        )
        with self.store.session() as session:
            session.add(row)
        return _collection(row)

    def collection(self, name: str) -> CollectionRecord:
        with self.store.session() as session:
            row = session.scalar(select(KbCollectionRow).where(KbCollectionRow.name == name))
            if row is None:
                raise CollectionNotFound(f"collection inconnue « {name} »")
            return _collection(row)

    def collection_by_id(self, collection_id: str) -> CollectionRecord:
        with self.store.session() as session:
            row = session.get(KbCollectionRow, collection_id)
            if row is None:
                raise CollectionNotFound("collection inconnue")
            return _collection(row)

    def collections(self) -> list[CollectionRecord]:
        with self.store.session() as session:
            rows = session.scalars(select(KbCollectionRow).order_by(KbCollectionRow.name))
            return [_collection(row) for row in rows]

    def version(self, collection_id: str) -> int:
        with self.store.session() as session:
            version = session.scalar(
                select(KbCollectionRow.version).where(KbCollectionRow.id == collection_id)
            )
        if version is None:
            raise CollectionNotFound("collection inconnue")
        return int(version)

    def set_embedder(self, collection_id: str, embedder: str, dims: int) -> None:
        with self.store.session() as session:
            session.execute(
                update(KbCollectionRow)
                .where(KbCollectionRow.id == collection_id)
                .values(embedder=embedder, dims=dims, version=KbCollectionRow.version + 1)
            )

    def clear_vectors(self, collection_id: str) -> None:
        """Forget every vector of the collection (its encoder changed)."""
        with self.store.session() as session:
            session.execute(
                update(KbPassageRow)
                .where(KbPassageRow.collection_id == collection_id)
                .values(vector=None)
            )
            session.execute(
                update(KbCollectionRow)
                .where(KbCollectionRow.id == collection_id)
                .values(embedder=None, dims=None, version=KbCollectionRow.version + 1)
            )

    def delete_collection(self, collection_id: str) -> int:
        """Delete the collection and everything in it; the number of documents it held."""
        with self.store.session() as session:
            ids = list(
                session.scalars(
                    select(KbDocumentRow.id).where(KbDocumentRow.collection_id == collection_id)
                )
            )
            self._delete_documents(session, collection_id, ids)
            session.execute(
                delete(KbAppGrantRow).where(KbAppGrantRow.collection_id == collection_id)
            )
            session.execute(delete(KbCollectionRow).where(KbCollectionRow.id == collection_id))
        return len(ids)

    # -- applications -------------------------------------------------------------------------

    def grant(self, collection_id: str, app_name: str) -> None:
        with self.store.session() as session:
            if session.get(KbAppGrantRow, (collection_id, app_name)) is None:
                session.add(KbAppGrantRow(collection_id=collection_id, app_name=app_name))

    def revoke(self, collection_id: str, app_name: str) -> bool:
        with self.store.session() as session:
            result = session.execute(
                delete(KbAppGrantRow).where(
                    KbAppGrantRow.collection_id == collection_id,
                    KbAppGrantRow.app_name == app_name,
                )
            )
        return bool(getattr(result, "rowcount", 0))

    def granted(self, app_name: str) -> set[str]:
        """Ids of the collections this application may search."""
        with self.store.session() as session:
            return set(
                session.scalars(
                    select(KbAppGrantRow.collection_id).where(KbAppGrantRow.app_name == app_name)
                )
            )

    def grants(self, collection_id: str) -> list[str]:
        with self.store.session() as session:
            return sorted(
                session.scalars(
                    select(KbAppGrantRow.app_name).where(
                        KbAppGrantRow.collection_id == collection_id
                    )
                )
            )

    # -- documents ----------------------------------------------------------------------------

    def key_digest(self, key: str) -> str:
        return self.blinder.digest(key, purpose="document-key")

    def content_digest(self, data: bytes) -> str:
        return self.blinder.digest(data, purpose="document-content")

    def current_digest(self, collection_id: str, key: str) -> str | None:
        """The content digest of the document of this id, if the collection holds one."""
        with self.store.session() as session:
            return session.scalar(
                select(KbDocumentRow.content_digest).where(
                    KbDocumentRow.collection_id == collection_id,
                    KbDocumentRow.key_digest == self.key_digest(key),
                )
            )

    def replace_document(
        self, collection_id: str, prepared: PreparedDocument, *, added_by: str
    ) -> str:
        """Store ``prepared`` in place of any document of the same id; its new id."""
        now = _now()
        document_id = str(uuid.uuid4())
        key_digest = self.key_digest(prepared.key)
        with self.store.session() as session:
            old = session.scalar(
                select(KbDocumentRow).where(
                    KbDocumentRow.collection_id == collection_id,
                    KbDocumentRow.key_digest == key_digest,
                )
            )
            created_at = now
            if old is not None:
                created_at = old.created_at
                self._delete_documents(session, collection_id, [old.id])
                session.flush()
            session.add(
                KbDocumentRow(
                    id=document_id,
                    collection_id=collection_id,
                    key_digest=key_digest,
                    key=self._docs.seal(prepared.key, "key", document_id),
                    name=self._docs.seal(prepared.name, "name", document_id),
                    title=self._docs.seal(prepared.title, "title", document_id),
                    content_digest=prepared.content_digest,
                    format=prepared.format,
                    size_bytes=prepared.size_bytes,
                    level=prepared.level.key,
                    counts=json.dumps(prepared.counts, sort_keys=True),
                    reasons=json.dumps(
                        [[r.category, r.label_fr, r.count, r.level.key] for r in prepared.reasons],
                        ensure_ascii=False,
                    ),
                    warnings=self._docs.seal(
                        json.dumps(list(prepared.warnings), ensure_ascii=False),
                        "warnings",
                        document_id,
                    ),
                    passages=len(prepared.passages),
                    created_at=created_at,
                    updated_at=now,
                    added_by=added_by,
                )
            )
            session.flush()
            rows = []
            for ordinal, passage in enumerate(prepared.passages):
                row_id = f"{document_id}:{ordinal}"
                rows.append(
                    KbPassageRow(
                        document_id=document_id,
                        collection_id=collection_id,
                        ordinal=ordinal,
                        text=self._passages.seal(passage.text, "text", row_id),
                        heading=self._passages.seal(passage.heading, "heading", row_id),
                        page=passage.page,
                        paragraph=passage.paragraph,
                        level=passage.level.key,
                        level_rank=int(passage.level),
                        personal=passage.personal,
                        length=passage.length,
                        vector=None,
                    )
                )
            session.add_all(rows)
            session.flush()
            terms = [
                {"collection_id": collection_id, "term": term, "passage_id": row.id, "tf": tf}
                for row, passage in zip(rows, prepared.passages, strict=True)
                for term, tf in passage.terms.items()
            ]
            if terms:
                session.execute(insert(KbTermRow), terms)
            self._bump(session, collection_id)
        return document_id

    def _delete_documents(self, session: Session, collection_id: str, ids: Sequence[str]) -> None:
        # Explicit rather than ON DELETE CASCADE: SQLite enforces foreign keys only when asked.
        if not ids:
            return
        passage_ids = select(KbPassageRow.id).where(KbPassageRow.document_id.in_(list(ids)))
        session.execute(delete(KbTermRow).where(KbTermRow.passage_id.in_(passage_ids)))
        session.execute(delete(KbPassageRow).where(KbPassageRow.document_id.in_(list(ids))))
        session.execute(delete(KbDocumentRow).where(KbDocumentRow.id.in_(list(ids))))
        self._bump(session, collection_id)

    @staticmethod
    def _bump(session: Session, collection_id: str) -> None:
        session.execute(
            update(KbCollectionRow)
            .where(KbCollectionRow.id == collection_id)
            .values(version=KbCollectionRow.version + 1)
        )

    def delete_document(self, collection_id: str, key: str) -> None:
        with self.store.session() as session:
            found = session.scalar(
                select(KbDocumentRow.id).where(
                    KbDocumentRow.collection_id == collection_id,
                    KbDocumentRow.key_digest == self.key_digest(key),
                )
            )
            if found is None:
                raise DocumentNotFound(f"document inconnu « {key} »")
            self._delete_documents(session, collection_id, [found])

    def prune(self, collection_id: str, keep: Iterable[str]) -> list[str]:
        """Delete the documents whose id is not in ``keep``; the ids deleted."""
        kept = {self.key_digest(key) for key in keep}
        gone: list[tuple[str, str]] = []
        with self.store.session() as session:
            for row in session.execute(
                select(KbDocumentRow.id, KbDocumentRow.key_digest, KbDocumentRow.key).where(
                    KbDocumentRow.collection_id == collection_id
                )
            ):
                if row.key_digest not in kept:
                    gone.append((row.id, self._docs.open(row.key, "key", row.id)))
            self._delete_documents(session, collection_id, [i for i, _ in gone])
        return sorted(key for _, key in gone)

    def _document(self, row: KbDocumentRow, embedded: int) -> DocumentRecord:
        return DocumentRecord(
            id=row.id,
            collection_id=row.collection_id,
            key=self._docs.open(row.key, "key", row.id),
            name=self._docs.open(row.name, "name", row.id),
            title=self._docs.open(row.title, "title", row.id),
            format=row.format,
            size_bytes=row.size_bytes,
            level=Level.parse(row.level),
            counts=json.loads(row.counts),
            reasons=tuple(
                ReasonCount(category, label, count, Level.parse(level))
                for category, label, count, level in json.loads(row.reasons)
            ),
            warnings=tuple(json.loads(self._docs.open(row.warnings, "warnings", row.id))),
            passages=row.passages,
            embedded=embedded,
            created_at=row.created_at,
            updated_at=row.updated_at,
            added_by=row.added_by,
        )

    def documents(self, collection_id: str) -> list[DocumentRecord]:
        with self.store.session() as session:
            embedded = {
                document_id: int(n)
                for document_id, n in session.execute(
                    select(KbPassageRow.document_id, func.count())
                    .where(
                        KbPassageRow.collection_id == collection_id,
                        KbPassageRow.vector.is_not(None),
                    )
                    .group_by(KbPassageRow.document_id)
                )
            }
            rows = list(
                session.scalars(
                    select(KbDocumentRow).where(KbDocumentRow.collection_id == collection_id)
                )
            )
        records = [self._document(row, embedded.get(row.id, 0)) for row in rows]
        return sorted(records, key=lambda r: r.key)

    def document(self, collection_id: str, document_id: str) -> DocumentRecord:
        with self.store.session() as session:
            row = session.get(KbDocumentRow, document_id)
            if row is None or row.collection_id != collection_id:
                raise DocumentNotFound("document inconnu")
            embedded = session.scalar(
                select(func.count()).where(
                    KbPassageRow.document_id == document_id, KbPassageRow.vector.is_not(None)
                )
            )
        return self._document(row, int(embedded or 0))

    def counts(self, collection_id: str) -> tuple[int, int, int]:
        """(documents, passages, passages with a vector)."""
        with self.store.session() as session:
            documents = session.scalar(
                select(func.count()).where(KbDocumentRow.collection_id == collection_id)
            )
            passages = session.scalar(
                select(func.count()).where(KbPassageRow.collection_id == collection_id)
            )
            embedded = session.scalar(
                select(func.count()).where(
                    KbPassageRow.collection_id == collection_id, KbPassageRow.vector.is_not(None)
                )
            )
        return int(documents or 0), int(passages or 0), int(embedded or 0)

    # -- passages -----------------------------------------------------------------------------

    def passages(self, ids: Sequence[int]) -> dict[int, PassageRecord]:
        """The passages of these ids (any collection: callers filter), opened."""
        if not ids:
            return {}
        with self.store.session() as session:
            rows = session.execute(
                select(KbPassageRow, KbDocumentRow.key, KbDocumentRow.title)
                .join(KbDocumentRow, KbDocumentRow.id == KbPassageRow.document_id)
                .where(KbPassageRow.id.in_(list(ids)))
            ).all()
        found: dict[int, PassageRecord] = {}
        for passage, key, title in rows:
            row_id = f"{passage.document_id}:{passage.ordinal}"
            found[passage.id] = PassageRecord(
                id=passage.id,
                document_id=passage.document_id,
                document_key=self._docs.open(key, "key", passage.document_id),
                document_title=self._docs.open(title, "title", passage.document_id),
                ordinal=passage.ordinal,
                text=self._passages.open(passage.text, "text", row_id),
                heading=self._passages.open(passage.heading, "heading", row_id),
                page=passage.page,
                paragraph=passage.paragraph,
                level=Level.parse(passage.level),
                personal=passage.personal,
            )
        return found

    def document_passage_ids(self, document_id: str) -> list[int]:
        with self.store.session() as session:
            return list(
                session.scalars(
                    select(KbPassageRow.id)
                    .where(KbPassageRow.document_id == document_id)
                    .order_by(KbPassageRow.ordinal)
                )
            )

    def owners(self, ids: Sequence[int]) -> dict[int, str]:
        """Passage id -> its document's id."""
        if not ids:
            return {}
        with self.store.session() as session:
            rows = session.execute(
                select(KbPassageRow.id, KbPassageRow.document_id).where(
                    KbPassageRow.id.in_(list(ids))
                )
            ).all()
        return {row.id: row.document_id for row in rows}

    def passage_collection(self, passage_id: int) -> str | None:
        with self.store.session() as session:
            return session.scalar(
                select(KbPassageRow.collection_id).where(KbPassageRow.id == passage_id)
            )

    def doc_keys(self, document_ids: Iterable[str]) -> dict[str, str]:
        """Document id -> the caller's id (file name without extension)."""
        ids = list(set(document_ids))
        if not ids:
            return {}
        with self.store.session() as session:
            rows = session.execute(
                select(KbDocumentRow.id, KbDocumentRow.key).where(KbDocumentRow.id.in_(ids))
            ).all()
        return {row.id: self._docs.open(row.key, "key", row.id) for row in rows}

    # -- the lexical index --------------------------------------------------------------------

    def passage_table(self, collection_id: str) -> dict[int, tuple[str, int, int, bool]]:
        """Passage id -> (document id, length, level rank, has a vector): what BM25 and the
        filters need, read once per version of the collection (no content)."""
        with self.store.session() as session:
            rows = session.execute(
                select(
                    KbPassageRow.id,
                    KbPassageRow.document_id,
                    KbPassageRow.length,
                    KbPassageRow.level_rank,
                    KbPassageRow.vector.is_not(None),
                ).where(KbPassageRow.collection_id == collection_id)
            ).all()
        return {row[0]: (row[1], int(row[2]), int(row[3]), bool(row[4])) for row in rows}

    def term_postings(self, collection_id: str, terms: Sequence[str]) -> list[tuple[str, int, int]]:
        """(term, passage id, tf) of these blinded terms, over the whole collection."""
        if not terms:
            return []
        with self.store.session() as session:
            rows = session.execute(
                select(KbTermRow.term, KbTermRow.passage_id, KbTermRow.tf).where(
                    KbTermRow.collection_id == collection_id, KbTermRow.term.in_(list(terms))
                )
            ).all()
        return [(row[0], int(row[1]), int(row[2])) for row in rows]

    def touch(self, collection_id: str) -> None:
        """A new version of the collection (new vectors): the processes' caches reload."""
        with self.store.session() as session:
            self._bump(session, collection_id)

    def pending_vectors(
        self, collection_id: str, limit: int, *, words: int = 96
    ) -> list[tuple[int, str]]:
        """Up to ``limit`` passages without a vector: (id, text to embed)."""
        with self.store.session() as session:
            rows = session.execute(
                select(KbPassageRow, KbDocumentRow.title)
                .join(KbDocumentRow, KbDocumentRow.id == KbPassageRow.document_id)
                .where(KbPassageRow.collection_id == collection_id, KbPassageRow.vector.is_(None))
                .order_by(KbPassageRow.id)
                .limit(limit)
            ).all()
        pending = []
        for passage, title in rows:
            row_id = f"{passage.document_id}:{passage.ordinal}"
            text = self._passages.open(passage.text, "text", row_id)
            heading = self._passages.open(passage.heading, "heading", row_id)
            title_text = self._docs.open(title, "title", passage.document_id)
            pending.append((passage.id, embedding_text(title_text, heading, text, words=words)))
        return pending

    def passage_seal_ids(self, ids: Sequence[int]) -> dict[int, str]:
        with self.store.session() as session:
            rows = session.execute(
                select(KbPassageRow.id, KbPassageRow.document_id, KbPassageRow.ordinal).where(
                    KbPassageRow.id.in_(list(ids))
                )
            ).all()
        return {row.id: f"{row.document_id}:{row.ordinal}" for row in rows}

    def seal_vector(self, row_id: str, data: bytes) -> bytes:
        return self._passages.seal_bytes(data, "vector", row_id)

    def open_vector(self, row_id: str, blob: bytes) -> bytes:
        return self._passages.open_bytes(blob, "vector", row_id)


def embedding_text(title: str, heading: str, text: str, *, words: int) -> str:
    """What the encoder reads for a passage: its document's title and heading for context, then
    the first ``words`` words of its text (the encoder's cost grows with its input; the lexical
    index holds the whole passage)."""
    head = title if not heading or heading == title else f"{title} — {heading}"
    body = text if not heading or not text.startswith(heading) else text[len(heading) :].lstrip()
    return f"{head}\n{' '.join(body.split()[:words])}"
