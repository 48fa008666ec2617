"""The two kinds of batch: one draft per spreadsheet row, one summary per file of a folder."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from egide.documents.model import UPLOAD_ACCEPT
from egide.tasks.batch import BatchItem
from egide.tasks.tables import Row, Table
from egide.tasks.templates import DraftTemplate, InvalidValues

if TYPE_CHECKING:
    from egide.assistant import AssistantRequest
    from egide.documents import Document

__all__ = ["SUMMARY_SUFFIXES", "DraftJob", "SummarizeJob", "documents_in", "summary_request"]

# The formats egide.documents reads (DESIGN.md): PDF, DOCX, ODT, EML, HTML, TXT.
# Every format Égide reads, scans and photos included (read by OCR).
SUMMARY_SUFFIXES = tuple(UPLOAD_ACCEPT.split(","))


def _row_key(row: Row) -> str:
    # A digest of the whole row: an edited row is done again, and the journal holds no value.
    # A row found faulty (cells past the header) differs from the same row fixed.
    content: object = row.values if row.problem is None else [row.values, row.problem]
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return f"ligne-{row.line}:{hashlib.sha256(canonical.encode('utf-8')).hexdigest()[:24]}"


class DraftJob:
    """One draft per row: each field filled from its column, or from the value set for every row.

    ``columns`` maps a field's name to the column that fills it (by default, the columns named
    after a field or its label); ``values`` gives a field the same value for every row — and
    fills a row's empty cell in that field's column, when it has one.
    """

    def __init__(
        self,
        template: DraftTemplate,
        table: Table,
        *,
        source: str,
        task: str = "draft",
        columns: Mapping[str, str] | None = None,
        values: Mapping[str, str] | None = None,
    ) -> None:
        self.template = template
        self.task = task
        self.rows = {_row_key(row): row for row in table.rows}
        if columns is None:
            matched, _ = template.match_columns(table.columns)
            columns = {name: column for column, name in matched.items()}
        self.columns = {name: column for name, column in columns.items()
                        if column in table.columns and template.field_named(name)}  # fmt: skip
        self.values = {name: value for name, value in (values or {}).items()
                       if value.strip() and template.field_named(name)}  # fmt: skip
        used = set(self.columns.values())
        self.unknown_columns = [column for column in table.columns if column not in used]
        self.missing_columns = template.missing_for([*self.columns, *self.values])
        self._identity = {"tache": task, "modele": template.name, "source": source}
        if values or columns != _exact(template, table):
            # A choice of columns or a value for every row makes another batch of letters.
            settings = json.dumps([self.columns, self.values], sort_keys=True, ensure_ascii=False)
            digest = hashlib.sha256(settings.encode("utf-8")).hexdigest()[:24]
            self._identity["parametres"] = digest
        width = max(4, len(str(max(row.line for row in table.rows))))
        self._items = tuple(
            BatchItem(key, f"ligne {row.line}", f"{template.name}-ligne-{row.line:0{width}d}")
            for key, row in self.rows.items()
        )

    @property
    def mapping(self) -> dict[str, str]:
        """``{column: field name}``, as :meth:`DraftTemplate.match_columns` gives it."""
        return {column: name for name, column in self.columns.items()}

    @property
    def identity(self) -> Mapping[str, str]:
        return self._identity

    @property
    def items(self) -> Sequence[BatchItem]:
        return self._items

    def data(self, item: BatchItem) -> dict[str, str]:
        """The row's values by field name; ValueError (French) for a row that is not usable."""
        row = self.rows[item.key]
        if row.problem:
            raise InvalidValues(row.problem)
        data = dict(self.values)
        for name, column in self.columns.items():
            cell = row.values.get(column, "")
            if cell.strip():
                data[name] = cell
        return data

    def request(self, item: BatchItem, *, user: str, model: str) -> AssistantRequest:
        from egide.assistant import AssistantRequest

        text = self.template.render(self.data(item))
        return AssistantRequest(
            user=user,
            task=self.task,
            prompt=text,
            model=model,
            title=f"{self.template.title} — {item.label}",
        )


def _exact(template: DraftTemplate, table: Table) -> dict[str, str]:
    matched, _ = template.match_columns(table.columns)
    return {name: column for column, name in matched.items()}


def documents_in(folder: Path) -> list[Path]:
    """The readable documents directly inside ``folder`` (not its subfolders), by name."""
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix.lower() in SUMMARY_SUFFIXES:
            found.append(path)
    return found


class SummarizeJob:
    """One summary per document of a folder (its subfolders are left alone)."""

    def __init__(self, folder: Path, files: Sequence[Path], *, length: str) -> None:
        self.folder = folder
        self.length = length
        stems = [path.stem for path in files]
        self.files: dict[str, Path] = {}
        items = []
        for path in files:
            stat = path.stat()
            key = f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}"
            # rapport.pdf and rapport.docx side by side must not write the same summary file.
            stem = path.stem if stems.count(path.stem) == 1 else path.name
            self.files[key] = path
            items.append(BatchItem(key, path.name, f"{stem}.resume"))
        self._items = tuple(items)
        self._identity = {"tache": "summarize", "longueur": length, "source": str(folder.resolve())}

    @property
    def identity(self) -> Mapping[str, str]:
        return self._identity

    @property
    def items(self) -> Sequence[BatchItem]:
        return self._items

    def request(self, item: BatchItem, *, user: str, model: str) -> AssistantRequest:
        from egide.documents import read_document

        document = read_document(self.files[item.key])
        return summary_request(document, item, user=user, model=model, length=self.length)


def summary_request(
    document: Document, item: BatchItem, *, user: str, model: str, length: str
) -> AssistantRequest:
    """The pipeline request that summarises one document of a batch."""
    from egide.assistant import AssistantRequest

    return AssistantRequest(
        user=user,
        task="summarize",
        documents=(document,),
        model=model,
        options={"length": length},
        title=f"Résumé — {item.label}",
    )
