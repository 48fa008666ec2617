"""Repetitive work: one task applied to many items, each through the whole pipeline.

Every item gets its own scan, decision, pseudonymisation, draft and audit events: a batch is
only a loop around :meth:`egide.assistant.Assistant.start`, never a way around it.

The batch is resumable. A journal (``journal.jsonl`` in the output folder) gets one line per
finished item, written and synced before the next item starts; on restart, items already done
(or refused, when the same model is asked for) are skipped and items that failed are tried
again. The journal holds keys, statuses, draft ids, item labels, output file names and French
reasons — never a value from the data: a refusal reason names categories and counts only.
Labels and names of files are content all the same: where the journal lies in ``EGIDE_HOME``
(the portal's batches), each line is sealed (:class:`LineSeal`).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from egide.files import write_atomic
from egide.spreadsheets import csv_bytes
from egide.tasks.exporting import PROJECT_STAMP, draft_mention, render_export, titled

if TYPE_CHECKING:
    from egide.assistant import Assistant, AssistantRequest

__all__ = [
    "JOURNAL_NAME",
    "OUTPUT_FORMATS",
    "REPORT_NAME",
    "BatchAborted",
    "BatchItem",
    "BatchJob",
    "BatchReport",
    "ItemStatus",
    "ItemJournal",
    "Journal",
    "JournalEntry",
    "JournalMismatch",
    "LineSeal",
    "item_reason",
    "run_batch",
]

JOURNAL_NAME = "journal.jsonl"
REPORT_NAME = "rapport.csv"
OUTPUT_FORMATS = ("txt", "docx", "odt")


class ItemStatus(StrEnum):
    OK = "ok"
    REFUSED = "refused"  # by the charter: the data may not go to the model asked for
    INVALID = "invalid"  # the item's own data cannot make a request (a row, a file)
    ERROR = "error"  # something failed on the way (a model down, a disk full): tried again

    @property
    def label_fr(self) -> str:
        return _STATUS_FR[self]


_STATUS_FR = {
    ItemStatus.OK: "fait",
    ItemStatus.REFUSED: "refusé",
    ItemStatus.INVALID: "invalide",
    ItemStatus.ERROR: "erreur",
}


PENDING_FR = "non traité"


class JournalMismatch(ValueError):
    """The output folder holds the journal of another batch."""


class LineSeal(Protocol):
    """Seals the journal's lines, one by one, so that the file holds no label or name in clear."""

    def seal(self, line: bytes) -> bytes:
        """The sealed line, without any line break."""
        ...

    def open(self, line: bytes) -> bytes:
        """The line as it was sealed; ValueError when it was not sealed for this journal."""
        ...


class BatchAborted(RuntimeError):
    """The environment failed (audit trail, store): no further item can be processed safely."""


@dataclass(frozen=True)
class BatchItem:
    key: str  # stable across runs: row number + hash of the row, or path + size + mtime
    label: str  # what the agent reads in the report: "ligne 12", "rapport.pdf"
    output_stem: str  # the output file name, without its suffix


class BatchJob(Protocol):
    """What a kind of batch knows: its items and the pipeline request for each of them."""

    @property
    def identity(self) -> Mapping[str, str]:
        """What makes two runs the same batch (task, template, source), for the journal."""
        ...

    @property
    def items(self) -> Sequence[BatchItem]: ...

    def request(self, item: BatchItem, *, user: str, model: str) -> AssistantRequest:
        """Raise a ValueError with a French message when the item cannot be prepared."""
        ...


@dataclass(frozen=True)
class JournalEntry:
    key: str
    item: str
    status: ItemStatus
    draft: str | None = None
    output: str | None = None
    reason: str = ""
    at: str = ""
    model: str = ""  # the model asked for: a refusal is final for that model only

    def to_json(self) -> str:
        data = asdict(self)
        data["status"] = self.status.value
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JournalEntry:
        return cls(
            key=str(data["key"]),
            item=str(data.get("item", "")),
            status=ItemStatus(data["status"]),
            draft=data.get("draft"),
            output=data.get("output"),
            reason=str(data.get("reason", "")),
            at=str(data.get("at", "")),
            model=str(data.get("model", "")),
        )


class ItemJournal(Protocol):
    """Where a batch records its finished items: a file (:class:`Journal`), or the store for
    the portal's batches, which any worker resumes (:mod:`egide.workspace.batch_queue`)."""

    entries: dict[str, JournalEntry]

    def record(self, entry: JournalEntry) -> None: ...

    def finished(self, key: str, model: str) -> bool: ...

    def draft_id_for(self, key: str, model: str) -> str | None:
        """The id the item's draft must bear (None: any new id)."""
        ...


class Journal:
    """The append-only record of finished items; the last line for a key wins.

    ``seal`` seals every line (the portal's journals, in ``EGIDE_HOME``); a line it cannot
    open counts as unreadable: its item is done again.
    """

    def __init__(
        self, path: Path, identity: Mapping[str, str], *, seal: LineSeal | None = None
    ) -> None:
        self.path = path
        self.identity = dict(identity)
        self.entries: dict[str, JournalEntry] = {}
        self._seal = seal
        self._load()

    def _load(self) -> None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            self._append({"lot": self.identity})
            return
        if data and not data.endswith(b"\n"):
            # A line cut by a crash: drop it (its item will simply be done again).
            data = data[: data.rfind(b"\n") + 1]
            write_atomic(self.path, data, private=True)
        lines = _lines(data, self._seal)
        header = _parse(lines[0]) if lines else None
        if header is None or header.get("lot") != self.identity:
            described = ", ".join(f"{k} = {v}" for k, v in self.identity.items())
            raise JournalMismatch(
                f"le dossier de sortie contient le journal d'un autre lot ({self.path}) ; "
                f"choisissez un autre dossier pour ce lot ({described})"
            )
        self.entries = _entries(lines[1:])

    @staticmethod
    def read(path: Path, *, seal: LineSeal | None = None) -> dict[str, JournalEntry]:
        """The finished items of a journal, read only: for following a batch that may be
        appending at this very moment (an unfinished last line is skipped, never cut)."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return {}
        return _entries(_lines(data[: data.rfind(b"\n") + 1], seal)[1:])

    def _append(self, record: Mapping[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False).encode("utf-8")
        if self._seal is not None:
            line = self._seal.seal(line)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            data = memoryview(line + b"\n")
            while data:
                data = data[os.write(fd, data) :]
            os.fsync(fd)
        finally:
            os.close(fd)

    def record(self, entry: JournalEntry) -> None:
        self._append(json.loads(entry.to_json()))
        self.entries[entry.key] = entry

    def finished(self, key: str, model: str) -> bool:
        """Done, invalid (its row is the same, the key says so), or refused for this very
        model: asking another model tries a refusal again."""
        return item_finished(self.entries.get(key), model)

    def draft_id_for(self, key: str, model: str) -> str | None:
        return None  # a command-line batch: its drafts take new ids


def item_finished(entry: JournalEntry | None, model: str) -> bool:
    """The rule of :meth:`ItemJournal.finished`, for every kind of journal."""
    if entry is None or entry.status is ItemStatus.ERROR:
        return False
    return entry.status in (ItemStatus.OK, ItemStatus.INVALID) or entry.model == model


def _lines(data: bytes, seal: LineSeal | None) -> list[str]:
    """The journal's complete lines, opened when sealed; one that cannot be opened is blank."""
    lines = []
    for raw in data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n"):
        if seal is not None:
            try:
                raw = seal.open(raw)
            except ValueError:
                raw = b""
        lines.append(raw.decode("utf-8", errors="replace"))
    return lines


def _entries(lines: Sequence[str]) -> dict[str, JournalEntry]:
    """Entries of journal lines after the header; the last line for a key wins."""
    entries: dict[str, JournalEntry] = {}
    for line in lines:
        record = _parse(line)
        if record is None:
            continue
        try:
            entry = JournalEntry.from_json(record)
        except (KeyError, ValueError):
            continue
        entries[entry.key] = entry
    return entries


def _parse(line: str) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class BatchReport:
    rows: tuple[tuple[BatchItem, JournalEntry | None], ...]  # every item, in source order
    processed: int  # items processed by this run
    skipped: int  # items found finished in the journal
    interrupted: bool
    out_dir: Path

    def count(self, status: ItemStatus | None) -> int:
        return sum(1 for _, e in self.rows if (e.status if e else None) is status)

    @property
    def pending(self) -> int:
        return self.count(None)

    @property
    def exit_status(self) -> int:
        """0 all done, 1 an item failed or is invalid (or the run was stopped), 3 an item was
        refused by the charter."""
        if self.count(ItemStatus.ERROR) or self.count(ItemStatus.INVALID) or self.interrupted:
            return 1
        if self.count(ItemStatus.REFUSED):
            return 3
        return 0

    def write_csv(self) -> Path:
        rows = [
            [item.label, PENDING_FR, "", "", ""]
            if entry is None
            else [item.label, entry.status.label_fr, entry.draft or "", entry.output or "",
                  entry.reason]
            for item, entry in self.rows
        ]  # fmt: skip
        path = self.out_dir / REPORT_NAME
        write_atomic(path, csv_bytes(["element", "statut", "brouillon", "fichier", "raison"], rows))
        return path


Progress = Callable[[BatchItem, JournalEntry], None]


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _process(
    job: BatchJob,
    item: BatchItem,
    assistant: Assistant,
    *,
    user: str,
    model: str,
    out_dir: Path,
    fmt: str | None,
    draft_id: str | None = None,
) -> JournalEntry:
    from egide.assistant import PolicyRefused
    from egide.audit import AuditError
    from egide.documents import DocumentError
    from egide.models import ModelError
    from egide.store import StoreError

    try:
        request = replace(job.request(item, user=user, model=model), draft_id=draft_id)
    except ValueError as exc:  # the template's, the table's: the item's data, not the charter
        return JournalEntry(item.key, item.label, ItemStatus.INVALID, reason=_reason(exc))
    except DocumentError as exc:
        status = ItemStatus.ERROR if _transient(exc) else ItemStatus.INVALID
        return JournalEntry(item.key, item.label, status, reason=_reason(exc))
    except (AuditError, StoreError) as exc:
        raise BatchAborted(str(exc)) from exc
    except Exception as exc:
        return _unexpected(item, exc)
    try:
        result = assistant.start(request).complete()
        name = None
        if fmt is not None:
            name = f"{item.output_stem}.{fmt}"
            if fmt == "txt":
                data = result.text.encode("utf-8")
            else:
                title = request.title or item.label
                data = render_export(
                    fmt, title=title, text=result.text,
                    mention=draft_mention(result.decision.model),
                    heading=titled(request.task), stamp=PROJECT_STAMP,
                )  # fmt: skip
            write_atomic(out_dir / name, data)
        note = "; ".join(result.warnings)
        return JournalEntry(item.key, item.label, ItemStatus.OK, result.draft_id, name, note)
    except PolicyRefused as exc:
        return JournalEntry(item.key, item.label, ItemStatus.REFUSED, reason=str(exc))
    except (AuditError, StoreError) as exc:
        raise BatchAborted(str(exc)) from exc
    except (ValueError, DocumentError, ModelError, OSError) as exc:
        # ValueError covers the French errors of templates, tables and tasks.
        return JournalEntry(item.key, item.label, ItemStatus.ERROR, reason=_reason(exc))
    except Exception as exc:  # one broken item must not sink the 199 others
        return _unexpected(item, exc)


def _unexpected(item: BatchItem, exc: BaseException) -> JournalEntry:
    return JournalEntry(
        item.key,
        item.label,
        ItemStatus.ERROR,
        reason=f"erreur inattendue ({type(exc).__name__}) ; signalez-la à l'administrateur",
    )


def _transient(exc: BaseException) -> bool:
    """A file reader busy or unavailable: the file may be fine, try it again next run."""
    from egide.documents import DocumentProblem

    return getattr(exc, "problem", None) is DocumentProblem.UNAVAILABLE


def _reason(exc: BaseException) -> str:
    return item_reason(exc)


def item_reason(exc: BaseException) -> str:
    """Why an item failed, on one line, in French: a template's problems field by field."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"écriture ou lecture impossible : {exc.strerror}"
    brief = getattr(exc, "brief", "")
    return brief or " ".join(str(exc).split()) or type(exc).__name__


def run_batch(
    job: BatchJob,
    assistant: Assistant,
    out_dir: Path,
    *,
    user: str,
    model: str = "auto",
    fmt: str | None = "txt",
    max_items: int | None = None,
    stop: threading.Event | None = None,
    on_item: Progress | None = None,
    journal: ItemJournal | None = None,
    report: bool = True,
) -> BatchReport:
    """Process the items not finished yet, in order, then write ``rapport.csv``.

    ``fmt`` None writes no output file: the drafts in the store are the results; ``report``
    False writes no ``rapport.csv`` either (the portal, which builds the report when its
    owner downloads it, so that no label or file name lies in clear on disk).

    ``stop`` is checked between items (a first Ctrl-C sets it); a KeyboardInterrupt raised
    inside an item stops the batch too, that item being left for the next run.
    """
    if fmt is not None and fmt not in OUTPUT_FORMATS:
        raise ValueError(f"format de sortie inconnu « {fmt} » (choix : txt, docx, odt)")
    out_dir.mkdir(parents=True, exist_ok=True)
    journal = journal or Journal(out_dir / JOURNAL_NAME, job.identity)
    items = list(job.items)
    todo = [item for item in items if not journal.finished(item.key, model)]
    skipped = len(items) - len(todo)
    processed = 0
    interrupted = False
    try:
        for item in todo:
            if stop is not None and stop.is_set():
                interrupted = True
                break
            if max_items is not None and processed >= max_items:
                break
            try:
                entry = _process(
                    job, item, assistant, user=user, model=model, out_dir=out_dir, fmt=fmt,
                    draft_id=journal.draft_id_for(item.key, model),
                )  # fmt: skip
            except KeyboardInterrupt:
                interrupted = True
                break
            journal.record(replace(entry, at=_now(), model=model))
            processed += 1
            if on_item is not None:
                on_item(item, entry)
    finally:
        rows = tuple((item, journal.entries.get(item.key)) for item in items)
        result = BatchReport(rows, processed, skipped, interrupted, out_dir)
        if report:
            result.write_csv()
    return result
