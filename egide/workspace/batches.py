"""Repetitive work from the portal: analyse every item before anything is sent, then run.

A job is one of the two kinds of :mod:`egide.tasks.batch_jobs` (a draft per spreadsheet row, a
summary per document). Before it starts, every item is previewed through the pipeline
(``Assistant.preview``): its level, what was found and which models may receive it are shown
to the agent, who then picks a model. Running is :func:`egide.tasks.batch.run_batch` — each item
its own scan, decision, pseudonymisation, draft and audit events — as jobs of the deployment's
queue (an ``egide worker``, or the service itself on SQLite: :mod:`egide.workspace.batch_queue`),
resumable by any process through its journal in the store (entries sealed: item labels are file
names). Results are drafts in the agent's history;
no output file and no report is written: the report, and the ZIP of every letter with it, are
built when their owner downloads them.

A spreadsheet's columns are matched to the template's fields by name or label; when Égide is
unsure (a guessed column, a required field without one) the batch waits in the ``colonnes``
status for the agent to choose, and to set the values that are the same for every row.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egide.files import write_atomic
from egide.policy.decide import AUTO, decide
from egide.store.batch_items import clear_stop, forget_items, request_stop
from egide.store.batches import BatchJobRecord, BatchJobStore, BatchStatus
from egide.store.uploads import UploadRecord
from egide.tasks.batch import (
    JOURNAL_NAME,
    BatchAborted,
    BatchItem,
    ItemStatus,
    JournalEntry,
    item_reason,
    run_batch,
)
from egide.tasks.batch_jobs import DraftJob, summary_request
from egide.tasks.tables import Table, TableError, read_table_bytes
from egide.tasks.templates import DraftTemplate, TemplateError, load_templates
from egide.tasks.templates.columns import plan_columns
from egide.workspace.batch_columns import (
    ColumnsRefused,
    ColumnsView,
    checked_options,
    columns_view,
)
from egide.workspace.batch_results import report_rows, results_archive
from egide.workspace.service import TextPreview, personal_counts, text_previews

if TYPE_CHECKING:
    from egide.assistant import AssistantRequest
    from egide.store import Store
    from egide.tasks.batch import BatchJob
    from egide.workspace.batch_queue import StoreJournal
    from egide.workspace.service import Workspace

__all__ = [
    "MAX_PORTAL_ITEMS",
    "BatchError",
    "BatchProgress",
    "BatchService",
    "ColumnsRefused",
    "ColumnsView",
    "UploadSummaryJob",
    "seal_clear_batches",
]

_log = logging.getLogger("egide.workspace")
# Past this, the command line (egide batch) is the tool: its journal and files suit big runs.
MAX_PORTAL_ITEMS = 2_000


class BatchError(ValueError):
    """A batch that cannot be created or launched; the message is French, for the agent."""


@dataclass(frozen=True, slots=True)
class BatchProgress:
    processed: int  # finished items, whatever their outcome
    total: int
    refused: int
    failed: int

    invalid: int = 0

    @property
    def message(self) -> str:
        plural = "s" if self.processed > 1 else ""
        text = f"{self.processed} élément{plural} traité{plural} sur {self.total}"
        extras = []
        if self.invalid:
            extras.append(f"{self.invalid} invalide{'s' if self.invalid > 1 else ''}")
        if self.refused:
            extras.append(f"{self.refused} refusé{'s' if self.refused > 1 else ''} par la charte")
        if self.failed:
            extras.append(f"{self.failed} en erreur")
        return text + (f" ({', '.join(extras)})" if extras else "")


class UploadSummaryJob:
    """One summary per uploaded document (the portal's version of ``SummarizeJob``)."""

    def __init__(self, job_id: str, uploads: Sequence[UploadRecord], *, length: str) -> None:
        self.length = length
        self.uploads = {upload.id: upload for upload in uploads}
        self._items = tuple(BatchItem(upload.id, upload.name, upload.id) for upload in uploads)
        self._identity = {"tache": "summarize", "longueur": length, "source": f"portail:{job_id}"}

    @property
    def identity(self) -> Mapping[str, str]:
        return self._identity

    @property
    def items(self) -> Sequence[BatchItem]:
        return self._items

    def request(self, item: BatchItem, *, user: str, model: str) -> AssistantRequest:
        document = self.uploads[item.key].document
        return summary_request(document, item, user=user, model=model, length=self.length)


class BatchService:
    """The portal's batches, over the workspace's store and pipeline."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    @property
    def jobs(self) -> BatchJobStore:
        return BatchJobStore(self.workspace.store)

    def _submit(self, function: Any, *args: Any) -> None:
        """Queue ``_analyse`` or ``_run`` as a job: any process of the deployment may run it."""
        from egide.workspace.batch_queue import enqueue

        enqueue(self.workspace, function.__name__, *args)

    def folder(self, job_id: str) -> Path:
        return lots_folder(Path(self.workspace.settings.home)) / job_id

    def journal(self, record: BatchJobRecord, job: BatchJob | None = None) -> StoreJournal:
        """The batch's journal, in the store (any worker resumes it); an earlier version's
        file journal is taken over the first time."""
        from egide.workspace.batch_queue import StoreJournal

        legacy = self.folder(record.id) / JOURNAL_NAME
        return StoreJournal(self.workspace.store, record.id, legacy=legacy)

    # -- creating ---------------------------------------------------------------------------

    def create_drafts(self, owner: str, *, template: str, name: str, data: bytes) -> BatchJobRecord:
        """One draft per row of a spreadsheet; errors (French) before anything is kept.

        When every column is certain and every required field has one, the analysis starts at
        once; otherwise the batch waits for the agent to check its columns.
        """
        try:
            found = load_templates(self.workspace.settings.home).get(template)
            table = read_table_bytes(data, name=name)
        except (TemplateError, TableError) as exc:
            raise BatchError(str(exc)) from None
        self._check_size(len(table.rows))
        plan = plan_columns(found, table.columns)
        sure = plan.sure
        record = self.jobs.create(
            owner, kind="draft", source_name=name, source_data=data, total=len(table.rows),
            template=found.name, status=BatchStatus.ANALYSING if sure else BatchStatus.COLUMNS,
            options={"colonnes": plan.mapping, "valeurs": {}} if sure else {},
        )  # fmt: skip
        if sure:
            self._submit(self._analyse, record.id, owner)
        return record

    def _draft_source(self, record: BatchJobRecord) -> tuple[DraftTemplate, Table]:
        data = self.jobs.source_data(record.id, owner=record.owner) or b""
        template = load_templates(self.workspace.settings.home).get(record.template or "")
        return template, read_table_bytes(data, name=record.source_name)

    def columns_view(self, record: BatchJobRecord) -> ColumnsView:
        """The column step of a batch of letters (TemplateError, TableError: French)."""
        template, table = self._draft_source(record)
        return columns_view(template, table, record.options)

    def set_columns(
        self, job_id: str, *, owner: str, columns: Mapping[str, str], values: Mapping[str, str]
    ) -> BatchJobRecord:
        """The agent's choice of a column (or none, "") and of a value for every row, field by
        field; then the analysis starts again. :class:`ColumnsRefused` names each field to
        change; nothing is kept then."""
        record = self.jobs.get(job_id, owner=owner)
        if (
            record.kind != "draft"
            or record.model is not None
            or record.status not in (BatchStatus.COLUMNS, BatchStatus.READY)
        ):
            raise BatchError(
                "les colonnes ne se changent plus une fois le lot lancé : créez un nouveau lot"
            )
        try:
            template, table = self._draft_source(record)
        except (TemplateError, TableError) as exc:
            raise BatchError(str(exc)) from None
        options = checked_options(template, table, columns, values)
        self.jobs.update(
            job_id, owner=owner, status=BatchStatus.ANALYSING, analysis=[], options=options
        )
        self._submit(self._analyse, job_id, owner)
        return self.jobs.get(job_id, owner=owner)

    def create_summaries(
        self, owner: str, *, uploads: Sequence[UploadRecord], length: str
    ) -> BatchJobRecord:
        if not uploads:
            raise BatchError("choisissez au moins un document à résumer")
        self._check_size(len(uploads))
        names = ", ".join(u.name for u in uploads[:3]) + ("…" if len(uploads) > 3 else "")
        record = self.jobs.create(
            owner, kind="summarize", source_name=names, total=len(uploads),
            document_ids=[u.id for u in uploads], length=length,
        )  # fmt: skip
        self._submit(self._analyse, record.id, owner)
        return record

    @staticmethod
    def _check_size(count: int) -> None:
        if count > MAX_PORTAL_ITEMS:
            raise BatchError(
                f"{count} éléments : le portail en traite {MAX_PORTAL_ITEMS} au plus par lot ; "
                "découpez le tableau, ou utilisez « egide batch » en ligne de commande"
            )

    def job_of(self, record: BatchJobRecord) -> BatchJob:
        if record.kind == "draft":
            template, table = self._draft_source(record)
            columns = {name: column for name, column in record.columns.items() if column}
            return DraftJob(
                template, table, source=record.source_name,
                columns=columns if "colonnes" in record.options else None, values=record.values,
            )  # fmt: skip
        uploads = self.workspace.uploads.get_many(record.document_ids, owner=record.owner)
        return UploadSummaryJob(record.id, uploads, length=record.length or "court")

    # -- analysing: the preview of every item -----------------------------------------------

    def _analyse(self, job_id: str, owner: str) -> None:
        try:
            record = self.jobs.get(job_id, owner=owner)
            job = self.job_of(record)
            assistant = self.workspace.assistant
            models = self.workspace.settings.models
            analysis = []
            for item in job.items:
                entry: dict[str, Any] = {"key": item.key, "label": item.label}
                try:
                    preview = assistant.preview(job.request(item, user=owner, model=AUTO))
                except ValueError as exc:  # a row the template cannot use: invalid, not refused
                    entry["problem"] = item_reason(exc)
                    entry["invalid"] = True
                else:
                    entry["level"] = preview.assessment.level.key
                    entry["level_fr"] = preview.assessment.level.label_fr
                    counts: dict[str, int] = {}
                    for scan in (preview.prompt_scan, *preview.document_scans):
                        for label, n in personal_counts(scan):
                            counts[label] = counts.get(label, 0) + n
                    entry["counts"] = counts
                    entry["allowed"] = [
                        m.name for m in models
                        if decide(preview.assessment, models, m.name).allowed
                    ]  # fmt: skip
                analysis.append(entry)
            self.jobs.update(job_id, owner=owner, status=BatchStatus.READY, analysis=analysis)
        except Exception as exc:  # a background thread: the job must say what stopped it
            _log.error("analyse du lot interrompue (%s)", type(exc).__name__)
            self._fail(job_id, owner, exc)

    def item_preview(
        self, record: BatchJobRecord, index: int
    ) -> tuple[BatchItem, tuple[TextPreview, ...]]:
        """One item's texts highlighted, as the pipeline will see them."""
        job = self.job_of(record)
        items = list(job.items)
        if not 0 <= index < len(items):
            raise IndexError(index)
        request = job.request(items[index], user=record.owner, model=AUTO)
        preview = self.workspace.assistant.preview(request)
        return items[index], text_previews(request, preview)

    # -- running ----------------------------------------------------------------------------

    def launch(self, job_id: str, *, owner: str, model: str) -> BatchJobRecord:
        record = self.jobs.get(job_id, owner=owner)
        if record.status is BatchStatus.COLUMNS:
            raise BatchError("vérifiez d'abord les colonnes du tableau, puis lancez l'analyse")
        if record.status is BatchStatus.ANALYSING:
            raise BatchError("l'analyse des éléments n'est pas terminée : patientez un instant")
        if record.status is BatchStatus.RUNNING:
            return record
        if not record.analysis:  # interrupted during its analysis: analyse again
            record = self.jobs.update(job_id, owner=owner, status=BatchStatus.ANALYSING)
            self._submit(self._analyse, job_id, owner)
            return record
        wanted = model.strip() or AUTO
        known = {m.name for m in self.workspace.settings.models}
        if wanted != AUTO and wanted not in known:
            raise BatchError(f"modèle inconnu « {wanted} »")
        clear_stop(self.workspace.store, job_id)
        record = self.jobs.update(job_id, owner=owner, status=BatchStatus.RUNNING, model=wanted)
        self._submit(self._run, job_id, owner, wanted)
        return record

    def stop(self, job_id: str, *, owner: str) -> None:
        """Ask the batch to stop after its current item, whichever process runs it."""
        self.jobs.get(job_id, owner=owner)  # someone else's answers "introuvable"
        request_stop(self.workspace.store, job_id, owner)

    def _run(self, job_id: str, owner: str, model: str, stop: threading.Event) -> None:
        try:
            record = self.jobs.get(job_id, owner=owner)
            job = self.job_of(record)
            report = run_batch(
                job, self.workspace.assistant, self.folder(job_id), user=owner, model=model,
                fmt=None, stop=stop, journal=self.journal(record, job), report=False,
            )  # fmt: skip
            status = BatchStatus.INTERRUPTED if report.interrupted else BatchStatus.DONE
            self.jobs.update(job_id, owner=owner, status=status)
        except BatchAborted as exc:
            self.jobs.update(
                job_id, owner=owner, status=BatchStatus.FAILED,
                error=f"{exc} ; les éléments déjà faits sont conservés : reprenez le lot "
                "quand le problème est réglé",
            )  # fmt: skip
        except Exception as exc:
            _log.error("lot interrompu (%s)", type(exc).__name__)
            self._fail(job_id, owner, exc)

    def _fail(self, job_id: str, owner: str, exc: BaseException) -> None:
        message = str(exc) if isinstance(exc, (ValueError, OSError)) else type(exc).__name__
        try:
            self.jobs.update(
                job_id, owner=owner, status=BatchStatus.FAILED,
                error=f"le lot s'est arrêté ({' '.join(message.split())}) ; les éléments déjà "
                "faits sont conservés",
            )  # fmt: skip
        except Exception:
            _log.error("état du lot non enregistré")

    # -- following --------------------------------------------------------------------------

    def entries(self, record: BatchJobRecord) -> dict[str, JournalEntry]:
        """What the journal says is finished (the run may be adding to it meanwhile)."""
        return self.journal(record).entries

    def progress(self, record: BatchJobRecord) -> BatchProgress:
        entries = self.entries(record).values()
        return BatchProgress(
            processed=len(entries),
            total=record.total,
            refused=sum(1 for e in entries if e.status is ItemStatus.REFUSED),
            failed=sum(1 for e in entries if e.status is ItemStatus.ERROR),
            invalid=sum(1 for e in entries if e.status is ItemStatus.INVALID),
        )

    # -- results ----------------------------------------------------------------------------

    def report_rows(self, record: BatchJobRecord) -> list[dict[str, str]]:
        return report_rows(record, self.entries(record))

    def archive(self, record: BatchJobRecord, fmt: str) -> Iterator[bytes]:
        """One ZIP of every letter in ``fmt`` and the report, built as it is sent."""
        return results_archive(
            record, self.entries(record), self.workspace.drafts, fmt,
            models=self.workspace.settings.models,
        )  # fmt: skip

    def delete(self, job_id: str, *, owner: str) -> None:
        """The job, its journal and its summary documents; drafts stay in the history."""
        self.stop(job_id, owner=owner)
        record = self.jobs.delete(job_id, owner=owner)
        forget_items(self.workspace.store, job_id)
        self.workspace.uploads.delete(record.document_ids, owner=owner)
        shutil.rmtree(self.folder(job_id), ignore_errors=True)

    def purge_older_than(self, days: int) -> int:
        ids = self.jobs.purge_older_than(days)
        for job_id in ids:
            shutil.rmtree(self.folder(job_id), ignore_errors=True)
        return len(ids)


def lots_folder(home: Path) -> Path:
    return home / "lots"


def seal_clear_batches(store: Store, home: Path) -> int:
    """Seal what an earlier version of Égide left in clear: the analyses and errors of the
    batches in the store, their journals, and their reports (deleted: the portal builds them
    on download). How many rows and journals were sealed.
    """
    jobs = BatchJobStore(store)
    sealed = jobs.seal_clear_rows()
    lots = lots_folder(home)
    folders = sorted(lots.iterdir()) if lots.is_dir() else []
    for folder in folders:
        (folder / "rapport.csv").unlink(missing_ok=True)
        journal = folder / JOURNAL_NAME
        try:
            data = journal.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            continue
        if not data.startswith(b'{"lot"'):
            continue  # sealed already: base64url never starts with a brace
        seal = jobs.journal_seal(folder.name)
        lines = [seal.seal(line) + b"\n" for line in data.split(b"\n") if line.strip()]
        write_atomic(journal, b"".join(lines), private=True)
        sealed += 1
    return sealed
