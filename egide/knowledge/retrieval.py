"""Hybrid retrieval: BM25 over the blinded lexical index, nearest vectors, fused by rank.

Both retrievers see only the passages at or below ``max_rank`` (the level the caller may
receive); the collection-wide statistics of BM25 (passage count, average length, document
frequencies) do not depend on the caller, so that the same passage scores the same for
everyone. Reciprocal rank fusion (RRF) needs no calibration between a BM25 score and a cosine:
``score = 1 / (k + rank_lexical) + w / (k + rank_dense)``, ``k`` and ``w`` tuned on the
development questions of ``benchmarks/kb`` (docs/base-documentaire.md gives the figures).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from egide.knowledge.analysis import analyze
from egide.knowledge.repository import KnowledgeRepository

__all__ = ["Hit", "LexicalStats", "bm25", "fuse", "ranked_documents"]

_K1 = 1.2
_B = 0.75


@dataclass(frozen=True, slots=True)
class Hit:
    passage_id: int
    document_id: str
    score: float
    lexical: float = 0.0  # BM25 score (0: no word in common)
    dense: float | None = None  # cosine similarity (None: no vector searched)
    matched: float = 0.0  # share of the question's terms found in the passage


@dataclass(frozen=True)
class LexicalStats:
    """What BM25 needs of a collection besides the postings, read once per version."""

    version: int
    passages: dict[int, tuple[str, int, int, bool]]  # id -> document, length, rank, vector
    total: int
    average: float
    embedded: int

    @classmethod
    def load(cls, repo: KnowledgeRepository, collection_id: str, version: int) -> LexicalStats:
        table = repo.passage_table(collection_id)
        lengths = [length for _, length, _, _ in table.values()]
        return cls(
            version,
            table,
            len(table),
            (sum(lengths) / len(lengths)) if lengths else 0.0,
            sum(1 for *_, has in table.values() if has),
        )


def bm25(
    repo: KnowledgeRepository,
    collection_id: str,
    question: str,
    *,
    max_rank: int,
    k: int,
    stats: LexicalStats,
) -> list[Hit]:
    """Okapi BM25 over the passages at or below ``max_rank``; the statistics (passage count,
    average length, document frequencies) are the whole collection's, whoever asks."""
    terms = sorted(set(analyze(question)))
    if not terms:
        return []
    blinded = [repo.blinder(term) for term in terms]
    postings = repo.term_postings(collection_id, blinded)
    if not postings:
        return []
    frequencies: dict[str, int] = defaultdict(int)
    for term, _, _ in postings:
        frequencies[term] += 1
    average = stats.average or 1.0
    scores: dict[int, float] = defaultdict(float)
    matched: dict[int, int] = defaultdict(int)
    for term, passage_id, tf in postings:
        known = stats.passages.get(passage_id)
        if known is None or known[2] > max_rank:
            continue
        length = known[1]
        df = frequencies[term]
        idf = math.log(1 + (stats.total - df + 0.5) / (df + 0.5))
        scores[passage_id] += idf * tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * length / average))
        matched[passage_id] += 1
    best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]
    return [
        Hit(
            pid,
            stats.passages[pid][0],
            score,
            lexical=score,
            matched=matched[pid] / len(terms),
        )
        for pid, score in best
    ]


def fuse(
    lexical: Sequence[Hit],
    nearest: Sequence[tuple[int, float]],
    owners: dict[int, str],
    *,
    rrf_k: int,
    dense_weight: float,
) -> list[Hit]:
    """Reciprocal rank fusion of the two rankings (``owners``: passage -> document)."""
    by_id: dict[int, Hit] = {hit.passage_id: hit for hit in lexical}
    scores: dict[int, float] = defaultdict(float)
    for rank, hit in enumerate(lexical, start=1):
        scores[hit.passage_id] += 1.0 / (rrf_k + rank)
    cosines: dict[int, float] = {}
    for rank, (passage_id, cosine) in enumerate(nearest, start=1):
        scores[passage_id] += dense_weight / (rrf_k + rank)
        cosines[passage_id] = cosine
    fused = []
    for passage_id, score in scores.items():
        known = by_id.get(passage_id)
        document_id = known.document_id if known else owners.get(passage_id)
        if document_id is None:
            continue
        fused.append(
            Hit(
                passage_id,
                document_id,
                score,
                lexical=known.lexical if known else 0.0,
                dense=cosines.get(passage_id),
                matched=known.matched if known else 0.0,
            )
        )
    fused.sort(key=lambda hit: (-hit.score, hit.passage_id))
    return fused


def ranked_documents(hits: Sequence[Hit], k: int) -> list[str]:
    """Document ids, best first, each once (at its best passage)."""
    seen: list[str] = []
    for hit in hits:
        if hit.document_id not in seen:
            seen.append(hit.document_id)
            if len(seen) == k:
                break
    return seen
