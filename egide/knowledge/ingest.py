"""Ingestion: read, normalise, scan, level, cut and index one document at a time.

Each file is read through :mod:`egide.documents` (a sandboxed parse worker, under the parsing
limits), normalised as the pipeline normalises (what is indexed is what a model may later
receive), cut into passages, and each passage scanned by the guard: its level and the counts
of what was found are recorded. A document takes the highest level of its passages, and a
classification marking anywhere in it (« Diffusion Restreinte », « Secret ») raises every
passage to it. A ``classifie`` document is refused, as is one above the collection's maximum
level; the report says what was found (categories and counts, never a value).

A file whose bytes did not change since it was ingested is left as it is; a changed one
replaces its passages in one transaction. A failure is reported for its file only: nothing
else is lost. The lexical index is written with the passages, so a document is searchable as
soon as it is ingested; vectors come in a second, resumable pass (:mod:`egide.knowledge.embedding`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePath

from egide.boundary import normalized_document
from egide.documents import DocumentError, read_document_bytes
from egide.documents.limits import too_large
from egide.guard import Guard
from egide.guard.findings import ScanResult
from egide.knowledge.analysis import analyze
from egide.knowledge.chunking import chunk_document
from egide.knowledge.records import (
    CollectionRecord,
    PreparedDocument,
    PreparedPassage,
    ReasonCount,
)
from egide.knowledge.repository import KnowledgeRepository
from egide.policy.levels import Level

__all__ = [
    "ACCEPTED_SUFFIXES",
    "FileOutcome",
    "Outcome",
    "document_key",
    "find_files",
    "prepare",
]

# What a folder walk picks up; other files are listed as skipped, never read.
ACCEPTED_SUFFIXES = frozenset(
    {".pdf", ".docx", ".odt", ".html", ".htm", ".xhtml", ".eml", ".txt", ".md", ".markdown"}
)
_MAX_FILE_BYTES = 50 * 1024 * 1024


class Outcome(StrEnum):
    ADDED = "ajoute"
    REPLACED = "remplace"
    UNCHANGED = "inchange"
    REFUSED = "refuse"
    FAILED = "erreur"

    @property
    def label_fr(self) -> str:
        return {
            "ajoute": "ajouté",
            "remplace": "remplacé",
            "inchange": "inchangé",
            "refuse": "refusé",
            "erreur": "illisible",
        }[self.value]


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What happened to one file: for the report, never the content."""

    key: str
    name: str
    outcome: Outcome
    reason: str = ""  # French, when refused or failed
    level: Level | None = None
    passages: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    reasons: tuple[ReasonCount, ...] = ()
    warnings: tuple[str, ...] = ()
    document_id: str | None = None


def document_key(name: str) -> str:
    """A document's id in its collection: its file name without extension."""
    path = PurePath(name)
    return path.stem if path.suffix else path.name


def find_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """The files to ingest under ``paths`` (folders walked recursively, in name order), and the
    files skipped for their extension. Hidden files and folders are left out."""
    found: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if any(part.startswith(".") for part in relative.parts) or not child.is_file():
                    continue
                (found if child.suffix.lower() in ACCEPTED_SUFFIXES else skipped).append(child)
        else:
            found.append(path)
    return found, skipped


def _reasons(scans: list[ScanResult]) -> tuple[ReasonCount, ...]:
    merged: dict[str, ReasonCount] = {}
    for scan in scans:
        for reason in scan.reasons:
            known = merged.get(reason.category)
            count = reason.count + (known.count if known else 0)
            level = max(reason.level, known.level) if known else reason.level
            merged[reason.category] = ReasonCount(reason.category, reason.label_fr, count, level)
    return tuple(sorted(merged.values(), key=lambda r: (-int(r.level), -r.count, r.category)))


def _reasons_fr(reasons: tuple[ReasonCount, ...], above: Level) -> str:
    return ", ".join(f"{r.label_fr} ({r.count})" for r in reasons if r.level > above)


def prepare(
    repo: KnowledgeRepository,
    collection: CollectionRecord,
    name: str,
    data: bytes,
    *,
    guard: Callable[[], Guard],
    passage_words: int,
) -> PreparedDocument | FileOutcome:
    """Read, scan and cut one file; a FileOutcome when it is refused or unreadable."""
    key = document_key(name)
    if len(data) > _MAX_FILE_BYTES:
        error = too_large(name, len(data), _MAX_FILE_BYTES)
        return FileOutcome(key, name, Outcome.FAILED, error.message)
    try:
        document = normalized_document(read_document_bytes(data, name=name))
    except DocumentError as exc:
        return FileOutcome(key, name, Outcome.FAILED, exc.message)
    title, chunks = chunk_document(document, passage_words=passage_words)
    if not chunks:
        return FileOutcome(key, name, Outcome.FAILED, "le document ne contient aucun texte")
    scanner = guard()
    scans = [scanner.scan(chunk.text) for chunk in chunks]
    title_scan = scanner.scan(title)
    all_scans = [title_scan, *scans]
    # A marking binds the whole document, wherever it is written.
    marking = max(
        (r.level for s in all_scans for r in s.reasons if r.level >= Level.DIFFUSION_RESTREINTE),
        default=Level.PUBLIC,
    )
    levels = [max(scan.level, marking, title_scan.level) for scan in scans]
    level = max(levels)
    counts: dict[str, int] = {}
    for scan in all_scans:
        for label, n in scan.counts_by_label().items():
            counts[label] = counts.get(label, 0) + n
    reasons = _reasons(all_scans)
    warnings = document.warnings
    if level >= Level.CLASSIFIE:
        return FileOutcome(
            key, name, Outcome.REFUSED,
            "document classifié (Secret, Très Secret) : Égide ne traite jamais ces "
            "informations ; il n'a pas été ajouté",
            level=level, counts=counts, reasons=reasons,
        )  # fmt: skip
    if level > collection.max_level:
        return FileOutcome(
            key, name, Outcome.REFUSED,
            f"niveau « {level.label_fr} » au-dessus du niveau maximal de la collection "
            f"(« {collection.max_level.label_fr} ») : {_reasons_fr(reasons, collection.max_level)} ; "
            "retirez ces données du document, ou rangez-le dans une collection de niveau "
            "suffisant",
            level=level, counts=counts, reasons=reasons,
        )  # fmt: skip
    passages = []
    for chunk, scan, passage_level in zip(chunks, scans, levels, strict=True):
        terms = analyze(f"{title}\n{chunk.heading}\n{chunk.text}")
        passages.append(
            PreparedPassage(
                text=chunk.text,
                heading=chunk.heading,
                page=chunk.page,
                paragraph=chunk.paragraph,
                level=passage_level,
                personal=len(scan.personal_findings) + len(title_scan.personal_findings),
                terms=dict(repo.blinder.counts(terms)),
                length=len(terms),
            )
        )
    return PreparedDocument(
        key=key,
        name=PurePath(name).name,
        title=title,
        content_digest=repo.content_digest(data),
        format=document.format.value,
        size_bytes=len(data),
        level=level,
        counts=counts,
        reasons=reasons,
        warnings=warnings,
        passages=tuple(passages),
    )
