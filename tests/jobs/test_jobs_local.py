"""The job queue's contract, on the embedded default (SQLite: the service's own threads).

``tests/integration/test_job_queue.py`` runs the same jobs on PostgreSQL with real
``egide worker`` processes, one of them killed in the middle of a job.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from egide.config import load_settings
from egide.jobs import JobContext, JobError, LocalQueue, job_named, register_job
from egide.jobs.queue import check_payload
from egide.runtime import Runtime, open_runtime


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    config = tmp_path / "egide.toml"
    config.write_text('[jobs]\nmodules = ["tests.support.jobs"]\n', encoding="utf-8")
    settings = load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})
    opened = open_runtime(settings, environ={})
    yield opened
    opened.close()


def _wait_for(predicate: object, timeout_s: float = 20.0) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "délai dépassé"
        time.sleep(0.05)


def test_the_embedded_default_runs_jobs_on_the_service_s_own_threads(
    runtime: Runtime, tmp_path: Path
) -> None:
    queue = runtime.jobs
    assert isinstance(queue, LocalQueue)
    journal = tmp_path / "compte.txt"
    job_id = queue.enqueue("essai.compter", {"journal": str(journal), "n": 5})
    assert job_id.startswith("local-")
    _wait_for(lambda: journal.exists() and len(journal.read_text().split()) == 5)
    _wait_for(lambda: queue.depth() == {"en_attente": 0, "en_cours": 0})
    assert journal.read_text().split() == ["0", "1", "2", "3", "4"]


def test_a_job_taken_up_again_skips_what_its_journal_holds(
    runtime: Runtime, tmp_path: Path
) -> None:
    journal = tmp_path / "compte.txt"
    journal.write_text("0\n1\n2\n")  # a first run stopped after three steps
    runtime.jobs.enqueue("essai.compter", {"journal": str(journal), "n": 5})
    _wait_for(lambda: len(journal.read_text().split()) == 5)
    assert journal.read_text().split() == ["0", "1", "2", "3", "4"]


def test_unknown_jobs_and_payloads_that_are_not_small_json_are_refused(runtime: Runtime) -> None:
    with pytest.raises(JobError, match="travail inconnu « lot.inexistant »"):
        runtime.jobs.enqueue("lot.inexistant", {})
    with pytest.raises(JobError, match="JSON"):
        check_payload({"quand": object()})
    with pytest.raises(JobError, match="trop volumineux"):
        check_payload({"texte": "x" * 70_000})


def test_a_name_is_registered_once_and_names_are_checked() -> None:
    def other(context: JobContext, payload: object) -> None:
        pass

    with pytest.raises(JobError, match="déjà enregistré"):
        register_job("essai.compter")(other)
    with pytest.raises(JobError, match="nom de travail invalide"):
        register_job("Pas Un Nom")
    assert job_named("essai.compter").queue == "essais"


def test_a_missing_extension_module_is_named(tmp_path: Path) -> None:
    config = tmp_path / "egide.toml"
    config.write_text('[jobs]\nmodules = ["extension.absente"]\n', encoding="utf-8")
    settings = load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})
    opened = open_runtime(settings, environ={})
    try:
        with pytest.raises(JobError, match="module de travaux introuvable « extension.absente »"):
            opened.jobs.enqueue("essai.compter", {})
    finally:
        opened.close()
