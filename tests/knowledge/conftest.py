"""A small real corpus (public pages of the shared sample, Licence Ouverte) ingested once per
session with the real guard and the embedded encoder; each test gets a copy of that home."""

from __future__ import annotations

import os
import shutil
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from egide.audit import AuditLog
from egide.config import Settings, load_settings
from egide.knowledge import KnowledgeBase
from egide.knowledge.embedders import EmbeddedEncoder
from egide.store import Store, open_store

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "kb-sample" / "documents.tar.gz"
# Pages the development questions of benchmarks/kb ask about, and neighbours that share their
# words (passports, residence permits, leases, employers and cameras…).
CORPUS = (
    "cnil-001", "cnil-002", "cnil-005", "cnil-165", "cnil-226", "cnil-238", "crpa-04",
    "crpa-18", "spf-F1100", "spf-F1220", "spf-F12210", "spf-F14807", "spf-F1864", "spf-F21091",
    "spf-F21258", "spf-F2252", "spf-F22312", "spf-F2559", "spf-F2565", "spf-F31269",
    "spf-F31413", "spf-F583", "spf-F847", "spf-F870",
)  # fmt: skip
COLLECTION = "reference"


@dataclass
class KbHome:
    settings: Settings
    store: Store
    audit: AuditLog
    kb: KnowledgeBase


def corpus_folder(target: Path) -> Path:
    if not SAMPLE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"échantillon introuvable : {SAMPLE}", pytrace=False)
        pytest.skip(f"échantillon introuvable : {SAMPLE}")
    target.mkdir(parents=True, exist_ok=True)
    wanted = {f"docs/{name}.txt" for name in CORPUS}
    with tarfile.open(SAMPLE) as archive:
        for member in archive.getmembers():
            if member.name in wanted:
                data = archive.extractfile(member)
                assert data is not None
                (target / Path(member.name).name).write_bytes(data.read())
    return target


def open_home(home: Path, **knowledge: object) -> KbHome:
    settings = load_settings(environ={"EGIDE_HOME": str(home)})
    if knowledge:
        settings = settings.model_copy(
            update={"knowledge": settings.knowledge.model_copy(update=knowledge)}
        )
    store = open_store(settings, environ={})
    audit = AuditLog.open(settings, environ={})
    kb = KnowledgeBase(settings, store, audit=lambda: audit, encoder=EmbeddedEncoder(workers=1))
    return KbHome(settings, store, audit, kb)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus_folder(tmp_path_factory.mktemp("corpus"))


def ingest_corpus(corpus: Path, home: Path) -> Path:
    """Ingest and embed ``corpus`` into a new EGIDE_HOME (the encoder costs: done once)."""
    opened = open_home(home)
    collection, _ = opened.kb.ensure_collection(COLLECTION, user="test")
    outcomes, _ = opened.kb.ingest_paths(collection, [corpus], user="test")
    assert all(o.outcome.value == "ajoute" for o in outcomes), outcomes
    opened.kb.embed_pending(collection)
    opened.kb.close()
    opened.store.close()
    return home


@pytest.fixture(scope="session")
def ingested_home(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingest_corpus(corpus, tmp_path_factory.mktemp("kb") / "home")


@pytest.fixture
def home(ingested_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[KbHome]:
    """A private copy of the ingested home, opened."""
    monkeypatch.delenv("EGIDE_STORE_KEY", raising=False)
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    copy = tmp_path / "home"
    shutil.copytree(ingested_home, copy)
    opened = open_home(copy)
    yield opened
    opened.kb.close()
    opened.store.close()
