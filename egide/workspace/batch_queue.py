"""The portal's batches on the deployment's job queue, journalled in the store.

Analysing a batch and running it are two named jobs (``lot.analyser``, ``lot.executer``), each
holding the batch's lock: two launches of one batch never run side by side. Any process may run
them — an ``egide worker`` with PostgreSQL, the service itself with SQLite — and a worker killed
in the middle leaves the batch to the next one, which resumes from the journal in the store
(:class:`StoreJournal`): finished items are skipped, and an item done again after a crash finds
its draft (its id was fixed in advance) instead of making a second one.

A stop asked by the batch's owner is a flag in the store, seen between items by whichever
process runs it; a worker that is itself stopping hands the batch back to the queue.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egide.jobs import JobContext, register_job
from egide.jobs.context import JobInterrupted
from egide.store.batch_items import read_items, stop_requested, write_item
from egide.store.batches import BatchJobStore, BatchStatus
from egide.store.db import Store
from egide.tasks.batch import Journal, JournalEntry, item_finished

if TYPE_CHECKING:
    from egide.workspace.service import Workspace

__all__ = ["ANALYSE", "RUN", "StopFlag", "StoreJournal", "enqueue"]

ANALYSE = "lot.analyser"
RUN = "lot.executer"
_DRAFTS = uuid.UUID("8d0b7c43-5f7e-4a55-9a29-3f9f0c2a6e11")  # namespace of batch drafts' ids


class StoreJournal:
    """A batch's journal in the store (:class:`egide.tasks.batch.ItemJournal`).

    ``legacy``: the file an earlier version kept in ``EGIDE_HOME/lots/ID``; taken over into the
    store (then deleted) when the store holds nothing yet for the batch.
    """

    def __init__(self, store: Store, job_id: str, *, legacy: Path | None = None) -> None:
        self._store = store
        self.job_id = job_id
        self.entries: dict[str, JournalEntry] = self.read(store, job_id)
        if not self.entries and legacy is not None and legacy.exists():
            seal = BatchJobStore(store).journal_seal(job_id)
            for entry in Journal.read(legacy, seal=seal).values():
                self.record(entry)
            legacy.unlink()

    @staticmethod
    def read(store: Store, job_id: str) -> dict[str, JournalEntry]:
        entries = (JournalEntry.from_json(json.loads(raw)) for raw in read_items(store, job_id))
        return {entry.key: entry for entry in entries}

    def record(self, entry: JournalEntry) -> None:
        write_item(
            self._store, self.job_id, key=entry.key, status=entry.status.value,
            draft_id=entry.draft, entry=entry.to_json().encode("utf-8"),
        )  # fmt: skip
        self.entries[entry.key] = entry

    def finished(self, key: str, model: str) -> bool:
        return item_finished(self.entries.get(key), model)

    def draft_id_for(self, key: str, model: str) -> str:
        """The same id however many times the item is done, for this batch and model."""
        return str(uuid.uuid5(_DRAFTS, f"{self.job_id}\x00{key}\x00{model}"))


class StopFlag(threading.Event):
    """Set when the batch's owner asked it to stop (a flag in the store, whichever process
    they asked), or when the process running it is stopping."""

    def __init__(self, store: Store, job_id: str, context: JobContext | None = None) -> None:
        super().__init__()
        self._store = store
        self._job_id = job_id
        self._context = context

    def is_set(self) -> bool:
        if super().is_set():
            return True
        if self._context is not None and self._context.should_stop():
            return True
        return stop_requested(self._store, self._job_id)


def enqueue(workspace: Workspace, step: str, job_id: str, owner: str, *rest: Any) -> str:
    """Queue a step of a batch: ``_analyse`` or ``_run`` (with its model)."""
    payload: dict[str, Any] = {"lot": job_id, "proprietaire": owner}
    if step == "_run":
        payload["modele"] = rest[0]
        return workspace.jobs.enqueue(RUN, payload)
    if step == "_analyse":
        return workspace.jobs.enqueue(ANALYSE, payload)
    raise ValueError(f"étape de lot inconnue : {step}")


def _lock(payload: Mapping[str, Any]) -> str:
    return f"lot:{payload['lot']}"


@register_job(ANALYSE, queue="lots", lock=_lock)
def analyse(context: JobContext, payload: Mapping[str, Any]) -> None:
    batches = context.runtime.workspace().batches
    batches._analyse(str(payload["lot"]), str(payload["proprietaire"]))


@register_job(RUN, queue="lots", lock=_lock)
def run(context: JobContext, payload: Mapping[str, Any]) -> None:
    job_id, owner = str(payload["lot"]), str(payload["proprietaire"])
    batches = context.runtime.workspace().batches
    record = batches.jobs.get(job_id, owner=owner)
    if record.status is not BatchStatus.RUNNING:
        return  # stopped, finished or deleted meanwhile (a second launch queued behind)
    batches._run(job_id, owner, str(payload["modele"]), StopFlag(batches.workspace.store,
                 job_id, context))  # fmt: skip
    if context.should_stop():
        # The process is stopping, not the owner: the batch goes back to the queue and stays
        # "en cours" for its owner; the next worker resumes it from the journal.
        batches.jobs.update(job_id, owner=owner, status=BatchStatus.RUNNING)
        raise JobInterrupted(RUN)
