"""The embedding pass as a job of the deployment's queue, and one knowledge base per process
(the portal, the gateway and the jobs share its index)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from egide.config import load_settings
from egide.jobs import JobContext, JobInterrupted
from egide.knowledge.jobs import EMBED_JOB, embed
from egide.runtime import Runtime, open_runtime
from egide.web import create_app

TEXT = (
    "Le guichet des titres de séjour ouvre à 9 heures du lundi au vendredi.\n\n"
    "Les rendez-vous se prennent en ligne sur le site de la préfecture.\n"
)


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    settings = load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})
    opened = open_runtime(settings, environ={})
    yield opened  # type: ignore[misc]
    opened.close()


def _collection_with_a_document(runtime: Runtime, folder: Path) -> tuple[str, int]:
    kb = runtime.knowledge()
    collection, _ = kb.ensure_collection("accueil", user="test")
    document = folder / "horaires.txt"
    document.write_text(TEXT, encoding="utf-8")
    kb.ingest_paths(collection, [document], user="test")
    _, total, embedded = kb.repo.counts(collection.id)
    assert total >= 1 and embedded == 0
    return collection.id, total


def test_the_queue_runs_the_embedding_pass(runtime: Runtime, tmp_path: Path) -> None:
    collection_id, total = _collection_with_a_document(runtime, tmp_path)
    runtime.jobs.enqueue(EMBED_JOB, {"collection": collection_id})
    deadline = time.monotonic() + 180
    while runtime.knowledge().repo.counts(collection_id)[2] < total:
        assert time.monotonic() < deadline, "vecteurs non calculés par la file"
        time.sleep(0.2)
    # Queued twice (two uploads): the second pass finds nothing left to do.
    embed(JobContext(runtime, "deuxieme"), {"collection": collection_id})
    assert runtime.knowledge().repo.counts(collection_id)[2] == total


def test_a_stopping_worker_hands_the_pass_back(runtime: Runtime, tmp_path: Path) -> None:
    collection_id, _ = _collection_with_a_document(runtime, tmp_path)
    context = JobContext(runtime, "arret")
    context.stopping.set()
    with pytest.raises(JobInterrupted):
        embed(context, {"collection": collection_id})
    assert runtime.knowledge().repo.counts(collection_id)[2] == 0  # left for the next worker


def test_a_removed_collection_leaves_nothing_to_do(runtime: Runtime) -> None:
    embed(JobContext(runtime, "disparue"), {"collection": "00000000-inconnue"})


def test_one_knowledge_base_per_process(tmp_path: Path) -> None:
    settings = load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})
    app = create_app(settings)
    runtime = app.state.runtime
    assert app.state.gateway.knowledge() is runtime.knowledge() is runtime.knowledge()
    runtime.close()
