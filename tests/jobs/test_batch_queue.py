"""The portal's batches on the job queue, journalled in the store (here on SQLite, run by the
service's own threads; ``tests/integration/test_job_queue.py`` kills a real worker mid-batch).

A process killed after an item's draft was saved but before its journal entry was written used
to leave the item to be done again with a second draft: the draft's id is now fixed in advance,
and doing the item again finds it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from egide.config import load_settings
from egide.runtime import Runtime, open_runtime
from egide.store.batch_items import BatchItemRow
from egide.store.batches import BatchStatus
from egide.store.models import Draft
from egide.tasks.batch import JournalEntry, run_batch
from egide.tasks.templates import ADMIN_FOLDER
from egide.workspace.batch_queue import StoreJournal
from tests.support.templates import NOTE

OWNER = "cmartin"


def rows(n: int) -> bytes:
    lines = ["objet;texte"] + [f"Objet {i};Le guichet {i} ouvre à 9 h." for i in range(n)]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    home = tmp_path / "home"
    (home / ADMIN_FOLDER).mkdir(parents=True)
    (home / ADMIN_FOLDER / "note-breve.md").write_text(NOTE, encoding="utf-8")
    opened = open_runtime(load_settings(environ={"EGIDE_HOME": str(home)}), environ={})
    yield opened
    opened.close()


def wait_for_status(runtime: Runtime, job_id: str, *wanted: BatchStatus) -> BatchStatus:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = runtime.workspace().batches.jobs.get(job_id, owner=OWNER).status
        if status in wanted:
            return status
        time.sleep(0.05)
    raise AssertionError(f"lot {job_id} : {wanted} attendu")


def count(runtime: Runtime, column: object) -> int:
    with runtime.store.session() as session:
        return int(session.scalar(select(func.count()).select_from(column)) or 0)  # type: ignore[arg-type]


class Killed(BaseException):
    """The process dies: nothing after this line runs."""


class KilledAfterTheFirstDraft:
    """The journal of a process killed right after an item's draft was saved, before the
    item's entry was written (the real journal behind it, as the next process finds it)."""

    def __init__(self, journal: StoreJournal) -> None:
        self.journal = journal
        self.entries = journal.entries

    def finished(self, key: str, model: str) -> bool:
        return self.journal.finished(key, model)

    def draft_id_for(self, key: str, model: str) -> str:
        return self.journal.draft_id_for(key, model)

    def record(self, entry: JournalEntry) -> None:
        raise Killed


def test_an_item_done_again_after_a_crash_keeps_one_draft(runtime: Runtime) -> None:
    batches = runtime.workspace().batches
    record = batches.create_drafts(OWNER, template="note-breve", name="notes.csv", data=rows(3))
    wait_for_status(runtime, record.id, BatchStatus.READY)
    record = batches.jobs.get(record.id, owner=OWNER)
    job = batches.job_of(record)
    with pytest.raises(Killed):
        run_batch(job, batches.workspace.assistant, batches.folder(record.id), user=OWNER,
                  model="auto", fmt=None, journal=KilledAfterTheFirstDraft(batches.journal(record)),
                  report=False)  # fmt: skip
    assert count(runtime, Draft) == 1 and count(runtime, BatchItemRow) == 0
    batches.jobs.update(record.id, owner=OWNER, status=BatchStatus.INTERRUPTED, model="auto")
    batches.launch(record.id, owner=OWNER, model="auto")  # the owner resumes it
    wait_for_status(runtime, record.id, BatchStatus.DONE)
    assert count(runtime, Draft) == 3  # the first item found its draft again
    entries = batches.entries(batches.jobs.get(record.id, owner=OWNER))
    assert sorted(e.status.value for e in entries.values()) == ["ok", "ok", "ok"]
    assert len({e.draft for e in entries.values()}) == 3


def test_a_stop_asked_anywhere_is_seen_between_items(runtime: Runtime) -> None:
    batches = runtime.workspace().batches
    record = batches.create_drafts(OWNER, template="note-breve", name="notes.csv", data=rows(40))
    wait_for_status(runtime, record.id, BatchStatus.READY)
    batches.stop(record.id, owner=OWNER)  # asked before the launch: forgotten by it
    batches.launch(record.id, owner=OWNER, model="auto")
    deadline = time.monotonic() + 60
    while count(runtime, BatchItemRow) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    batches.stop(record.id, owner=OWNER)
    assert wait_for_status(runtime, record.id, BatchStatus.INTERRUPTED, BatchStatus.DONE) is (
        BatchStatus.INTERRUPTED
    )
    done = count(runtime, BatchItemRow)
    assert 2 <= done < 40
    batches.launch(record.id, owner=OWNER, model="auto")
    wait_for_status(runtime, record.id, BatchStatus.DONE)
    assert count(runtime, BatchItemRow) == 40 and count(runtime, Draft) == 40


def test_an_earlier_version_s_file_journal_is_taken_over(runtime: Runtime) -> None:
    from egide.tasks.batch import JOURNAL_NAME, ItemStatus, Journal

    batches = runtime.workspace().batches
    record = batches.create_drafts(OWNER, template="note-breve", name="notes.csv", data=rows(2))
    wait_for_status(runtime, record.id, BatchStatus.READY)
    record = batches.jobs.get(record.id, owner=OWNER)
    job = batches.job_of(record)
    folder = batches.folder(record.id)
    folder.mkdir(parents=True)
    legacy = Journal(folder / JOURNAL_NAME, job.identity, seal=batches.jobs.journal_seal(record.id))
    first = job.items[0]
    legacy.record(JournalEntry(first.key, first.label, ItemStatus.OK, draft="d-0", model="auto"))
    entries = batches.entries(record)
    assert set(entries) == {first.key}
    assert not (folder / JOURNAL_NAME).exists()
    assert count(runtime, BatchItemRow) == 1
