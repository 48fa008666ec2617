"""A batch's results for its owner: the report, and one ZIP of every letter with the report.

Both are built when they are downloaded, from the sealed journal and analysis and from the
drafts in the store: nothing of them is ever written on disk. Each letter is the draft as its
owner would export it from its page — its current text, « PROJET » on every page until it is
validated, the mention of its validation after —, named safely (:mod:`egide.tasks.batch_archive`);
every cell of the report goes through :func:`egide.spreadsheets.safe_cell`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import PurePath

from egide.config import ModelSettings
from egide.models import is_generative
from egide.spreadsheets import csv_bytes
from egide.store.batches import BatchJobRecord
from egide.store.drafts import DraftStore
from egide.store.errors import StoreError
from egide.tasks.batch import PENDING_FR, ItemStatus, JournalEntry
from egide.tasks.batch_archive import safe_file_name, zip_stream
from egide.tasks.exporting import export_draft

__all__ = ["REPORT_HEADER", "report_rows", "results_archive"]

REPORT_HEADER = ["element", "statut", "brouillon", "raison"]
_ARCHIVE_HEADER = ["element", "statut", "fichier", "validation", "brouillon", "raison"]
_LINE = re.compile(r"ligne (\d{1,9})")


def _status(item: Mapping[str, object], entry: JournalEntry | None) -> str:
    if entry is not None:
        return entry.status.label_fr
    # A row the analysis found unusable is invalid before the run: it will not be sent.
    return ItemStatus.INVALID.label_fr if item.get("invalid") else PENDING_FR


def report_rows(
    record: BatchJobRecord, entries: Mapping[str, JournalEntry]
) -> list[dict[str, str]]:
    """Every item in source order: label, status, draft, reason (French)."""
    rows = []
    for item in record.analysis:
        entry = entries.get(str(item["key"]))
        rows.append(
            {
                "label": str(item["label"]),
                "status": _status(item, entry),
                "draft": (entry.draft or "") if entry else "",
                "reason": entry.reason if entry else str(item.get("problem", "")),
            }
        )
    return rows


def result_stem(record: BatchJobRecord, label: str) -> str:
    """``accuse-reception-ligne-0012`` for a row, ``rapport-resume`` for ``rapport.pdf``."""
    if record.kind == "draft":
        found = _LINE.fullmatch(label)
        line = f"ligne-{int(found.group(1)):04d}" if found else label
        return f"{record.template or 'courrier'}-{line}"
    return f"{PurePath(label).stem}-resume"


def results_archive(
    record: BatchJobRecord,
    entries: Mapping[str, JournalEntry],
    drafts: DraftStore,
    fmt: str,
    *,
    models: Sequence[ModelSettings] = (),
) -> Iterator[bytes]:
    """The ZIP, in pieces: each finished item's draft in ``fmt`` (docx, odt), then
    ``rapport.csv``, which says for each item its file, whether it is validated, and why an
    item has no letter (invalid, refused, failed, draft deleted since)."""

    def files() -> Iterator[tuple[str, bytes]]:
        taken: set[str] = set()
        rows = []
        for item, row in zip(record.analysis, report_rows(record, entries), strict=True):
            entry = entries.get(str(item["key"]))
            name = state = ""
            if entry is not None and entry.status is ItemStatus.OK and entry.draft:
                try:
                    draft = drafts.get(entry.draft, owner=record.owner)
                except StoreError:
                    state = "brouillon supprimé depuis : pas de fichier"
                else:
                    name = safe_file_name(result_stem(record, row["label"]), fmt, taken)
                    state = "validé" if draft.is_validated else "projet, non validé"
                    generative = is_generative(models, draft.model)
                    yield name, export_draft(fmt, draft, generative=generative)
            rows.append([row["label"], row["status"], name, state, row["draft"], row["reason"]])
        yield safe_file_name("rapport", "csv", taken), csv_bytes(_ARCHIVE_HEADER, rows)

    return zip_stream(files(), now=datetime.now(UTC))
