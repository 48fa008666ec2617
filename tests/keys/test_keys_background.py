"""Re-encryption as a job of the queue (``egide keys reencrypt --file``): the worker's pass
finishes what the rotation left, stops between batches when its worker stops, and is audited
with counts and fingerprints only."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.audit import AuditLog
from egide.cli import main
from egide.config import Settings
from egide.jobs import JobContext, JobInterrupted
from egide.jobs.rekey import REKEY_JOB, rekey
from egide.keys import read_key_file
from egide.runtime import open_runtime
from egide.store import DraftStore, open_store
from egide.store.crypto import STORE_KEYS
from egide.store.rekey import count_by_key


def _drafts(settings: Settings, n: int) -> None:
    with open_store(settings) as store:
        drafts = DraftStore(store)
        for i in range(n):
            drafts.create(
                owner="cmartin", task="draft", model="local", tier="interne", level="personnel",
                title=f"titre {i}", content=f"Madame Amélie Rousseau, dossier {i}.",
            )  # fmt: skip


def test_the_job_finishes_the_rotation(settings: Settings, home: Path) -> None:
    _drafts(settings, 6)
    assert main(["keys", "rotate", "store"]) == 0
    new_id = STORE_KEYS.identify(read_key_file(home / "keys" / "store.key"))
    runtime = open_runtime(settings)
    try:
        to_do = sum(n for kid, n in count_by_key(runtime.store).items() if kid != new_id)
        assert to_do >= 12  # each draft's title and content, at least
        with pytest.raises(JobInterrupted):  # its worker stops: the rest is left for the next
            stopping = JobContext(runtime, "arret")
            stopping.stopping.set()
            rekey(stopping, {"lot": 2, "pause_s": 0})
        assert set(count_by_key(runtime.store)) != {new_id}
        rekey(JobContext(runtime, REKEY_JOB), {"lot": 2, "pause_s": 0, "par": "admin"})
        assert set(count_by_key(runtime.store)) == {new_id}
    finally:
        runtime.close()
    events = [e for e in AuditLog.open(settings).events() if e.action == "keys_reencrypted"]
    assert [(e.user, e.extra["complete"]) for e in events] == [("egide", False), ("admin", True)]
    assert 0 < events[0].extra["done"] <= 2  # one batch, then it stopped
    assert events[-1].extra["key_id"] == new_id
    assert events[0].extra["done"] + events[-1].extra["done"] == to_do
    assert main(["keys", "retire", "store"]) == 0


def test_without_workers_the_command_says_to_run_it_here(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "reencrypt", "--file"]) == 2
    assert "sans --file" in capsys.readouterr().err
