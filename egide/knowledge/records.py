"""What the knowledge base hands to its callers: collections, documents, passages (in clear,
once opened with the store's key) and what ingestion prepared for the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from egide.policy.levels import Level

__all__ = [
    "CollectionRecord",
    "DocumentRecord",
    "PassageRecord",
    "PreparedDocument",
    "PreparedPassage",
    "ReasonCount",
]


@dataclass(frozen=True, slots=True)
class CollectionRecord:
    id: str
    name: str
    title: str
    service: str | None  # None: the whole ministry
    max_level: Level
    embedder: str | None
    dims: int | None
    version: int
    created_at: datetime
    created_by: str

    @property
    def scope_fr(self) -> str:
        return f"service « {self.service} »" if self.service else "tout le ministère"


@dataclass(frozen=True, slots=True)
class ReasonCount:
    """Why a document reached its level: a category of the guard and a count (no value)."""

    category: str
    label_fr: str
    count: int
    level: Level


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    id: str
    collection_id: str
    key: str  # the file name without extension: the id callers use
    name: str
    title: str
    format: str
    size_bytes: int
    level: Level
    counts: dict[str, int]
    reasons: tuple[ReasonCount, ...]
    warnings: tuple[str, ...]
    passages: int
    embedded: int
    created_at: datetime
    updated_at: datetime
    added_by: str


@dataclass(frozen=True, slots=True)
class PassageRecord:
    id: int
    document_id: str
    document_key: str
    document_title: str
    ordinal: int
    text: str
    heading: str
    page: int | None
    paragraph: int | None
    level: Level
    personal: int

    @property
    def citation_fr(self) -> str:
        """What a citation's header names: the heading is left out when the passage starts
        with it (the reader sees it at once)."""
        if self.heading and not self.text.startswith(self.heading):
            return self.where_fr
        return f"p. {self.page}" if self.page is not None else f"passage {self.ordinal + 1}"

    @property
    def where_fr(self) -> str:
        """Where the passage sits, as a citation names it: page, section, or passage number."""
        parts = []
        if self.page is not None:
            parts.append(f"p. {self.page}")
        if self.heading:
            parts.append(f"« {self.heading} »")
        if not parts:
            parts.append(f"passage {self.ordinal + 1}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class PreparedPassage:
    text: str
    heading: str
    page: int | None
    paragraph: int | None
    level: Level
    personal: int
    terms: dict[str, int]  # blinded term -> count
    length: int


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """A document read, scanned and cut, ready to replace any earlier version of itself."""

    key: str
    name: str
    title: str
    content_digest: str
    format: str
    size_bytes: int
    level: Level
    counts: dict[str, int]
    reasons: tuple[ReasonCount, ...]
    warnings: tuple[str, ...]
    passages: tuple[PreparedPassage, ...] = field(repr=False, default=())
