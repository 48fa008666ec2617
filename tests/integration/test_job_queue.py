"""The job queue on PostgreSQL (Procrastinate), with real ``egide worker`` processes.

A portal batch whose worker is killed mid-batch is finished by another: every row drafted once,
none twice, no draft duplicated.

A worker killed in the middle of a job (SIGKILL: nothing runs on its way out) stops sending
heartbeats; another worker takes the job up again after ``jobs.stalled_after_s``, from the
job's journal: every step done once, none twice. A worker asked to stop (SIGTERM) puts its job
back in the queue at the next safe point and exits cleanly.
"""

from __future__ import annotations

import base64
import os
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from egide.config import Settings, load_settings
from egide.runtime import Runtime, open_runtime
from egide.store.batch_items import BatchItemRow
from egide.store.batches import BatchStatus
from egide.store.models import Draft
from egide.tasks.templates import ADMIN_FOLDER
from tests.e2e.server import EGIDE
from tests.support.postgres import PostgresServer
from tests.support.templates import NOTE

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def _key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


class Workers:
    def __init__(self, config: Path, home: Path) -> None:
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("EGIDE_")},
            "EGIDE_CONFIG": str(config),
            "EGIDE_HOME": str(home),
            "EGIDE_STORE_KEY": _key(),
            "EGIDE_AUDIT_KEY": _key(),
            # The test jobs (tests/support/jobs.py) are imported from the repository.
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        self.processes: list[subprocess.Popen[str]] = []
        self.output: dict[int, list[str]] = {}
        self.readers: dict[int, threading.Thread] = {}

    def start(self) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [str(EGIDE), "worker", "--concurrency", "2"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.processes.append(process)
        seen: list[str] = []
        self.output[process.pid] = seen

        def read() -> None:  # the worker's output, read on a thread: never block the test
            assert process.stdout is not None
            for line in process.stdout:
                seen.append(line)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        self.readers[process.pid] = reader
        deadline = time.monotonic() + 120
        while not any("prêt" in line for line in seen):
            assert process.poll() is None, "".join(seen)
            assert time.monotonic() < deadline, "travailleur pas prêt :\n" + "".join(seen)
            time.sleep(0.1)
        return process

    def said(self, process: subprocess.Popen[str]) -> str:
        """Everything a worker wrote, once it has exited."""
        self.readers[process.pid].join(timeout=30)
        return "".join(self.output[process.pid])

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)
            if process.stdout:
                process.stdout.close()


@pytest.fixture
def deployment(
    postgres: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Runtime, Workers]]:
    database = postgres.new_database("egide_travaux")
    config = tmp_path / "egide.toml"
    config.write_text(
        f'[storage]\nurl = "{postgres.url(database)}"\n\n'
        '[jobs]\nmodules = ["tests.support.jobs"]\nheartbeat_s = 0.5\nstalled_after_s = 3\n',
        encoding="utf-8",
    )
    # The administrator's templates are deployed on every machine, like the configuration.
    for home in (tmp_path / "home-worker", tmp_path / "home"):
        (home / ADMIN_FOLDER).mkdir(parents=True)
        (home / ADMIN_FOLDER / "note-breve.md").write_text(NOTE, encoding="utf-8")
    workers = Workers(config, tmp_path / "home-worker")
    for name in ("EGIDE_STORE_KEY", "EGIDE_AUDIT_KEY"):
        monkeypatch.setenv(name, workers.env[name])
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    settings: Settings = load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})
    runtime = open_runtime(settings)
    try:
        yield runtime, workers
    finally:
        workers.stop_all()
        runtime.close()
        postgres.drop_database(database)


def _wait_for(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"délai dépassé : {what}"
        time.sleep(0.1)


def _steps(journal: Path) -> list[int]:
    return [int(x) for x in journal.read_text().split()] if journal.exists() else []


def test_a_job_survives_killing_its_worker(
    deployment: tuple[Runtime, Workers], tmp_path: Path
) -> None:
    runtime, workers = deployment
    journal = tmp_path / "compte.txt"
    first = workers.start()
    runtime.jobs.enqueue("essai.compter", {"journal": str(journal), "n": 40, "pause_s": 0.1})
    _wait_for(lambda: len(_steps(journal)) >= 5, 60, "premières étapes")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    killed_at = len(_steps(journal))
    assert killed_at < 40
    assert runtime.jobs.depth()["en_cours"] == 1  # still marked running by the dead worker
    second = workers.start()
    _wait_for(lambda: len(_steps(journal)) == 40, 120, "reprise par le second travailleur")
    _wait_for(lambda: runtime.jobs.depth() == {"en_attente": 0, "en_cours": 0}, 30, "fin")
    assert _steps(journal) == list(range(40))  # each step once, in order, none twice
    runs = (tmp_path / "compte.essais").read_text().split("\n")[:2]
    assert [run.split()[0] for run in runs] == [str(first.pid), str(second.pid)]


def test_a_worker_asked_to_stop_hands_its_job_back(
    deployment: tuple[Runtime, Workers], tmp_path: Path
) -> None:
    runtime, workers = deployment
    journal = tmp_path / "compte.txt"
    first = workers.start()
    runtime.jobs.enqueue("essai.compter", {"journal": str(journal), "n": 30, "pause_s": 0.1})
    _wait_for(lambda: len(_steps(journal)) >= 3, 60, "premières étapes")
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=30) == 0
    assert "arrêté" in workers.said(first)
    assert len(_steps(journal)) < 30
    workers.start()
    _wait_for(lambda: len(_steps(journal)) == 30, 120, "reprise après un arrêt propre")
    assert _steps(journal) == list(range(30))


def _count(runtime: Runtime, table: type) -> int:
    with runtime.store.session() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_a_portal_batch_survives_killing_its_worker(
    deployment: tuple[Runtime, Workers],
) -> None:
    runtime, workers = deployment
    batches = runtime.workspace().batches
    owner, total = "cmartin", 60
    table = "objet;texte\n" + "".join(
        f"Objet {i};Le guichet {i} ouvre à 9 h.\n" for i in range(total)
    )
    record = batches.create_drafts(owner, template="note-breve", name="notes.csv",
                                   data=table.encode("utf-8"))  # fmt: skip
    first = workers.start()

    def status() -> BatchStatus:
        return batches.jobs.get(record.id, owner=owner).status

    _wait_for(lambda: status() is BatchStatus.READY, 120, "analyse par le travailleur")
    batches.launch(record.id, owner=owner, model="auto")
    _wait_for(lambda: _count(runtime, BatchItemRow) >= 3, 120, "premiers éléments")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert _count(runtime, BatchItemRow) < total
    assert status() is BatchStatus.RUNNING  # for its owner, the batch is still under way
    workers.start()
    _wait_for(lambda: status() is BatchStatus.DONE, 240, "reprise du lot par un autre travailleur")
    entries = batches.entries(batches.jobs.get(record.id, owner=owner))
    assert len(entries) == total
    assert {e.status.value for e in entries.values()} == {"ok"}
    assert _count(runtime, Draft) == total  # one draft per row, none twice
    assert len({e.draft for e in entries.values()}) == total


def test_the_knowledge_bases_vectors_are_computed_by_a_worker(
    deployment: tuple[Runtime, Workers], tmp_path: Path
) -> None:
    runtime, workers = deployment
    kb = runtime.knowledge()
    collection, _ = kb.ensure_collection("accueil", user="test")
    document = tmp_path / "horaires.txt"
    document.write_text(
        "Le guichet des titres de séjour ouvre à 9 heures du lundi au vendredi.\n\n"
        "Les rendez-vous se prennent en ligne sur le site de la préfecture.\n",
        encoding="utf-8",
    )
    kb.ingest_paths(collection, [document], user="test")
    total = kb.repo.counts(collection.id)[1]
    kb.embed_in_background(collection)  # a job of the queue: this process computes nothing
    assert runtime.jobs.depth()["en_attente"] == 1
    assert kb.embedding_running(collection.id) and kb.repo.counts(collection.id)[2] == 0
    workers.start()
    _wait_for(lambda: kb.repo.counts(collection.id)[2] == total, 180, "vecteurs du travailleur")
    assert not kb.embedding_running(collection.id)
