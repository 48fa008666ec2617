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

__all__ = ["Hit", "bm25", "fuse", "ranked_documents"]

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


def bm25(
    repo: KnowledgeRepository, collection_id: str, question: str, *, max_rank: int, k: int
) -> list[Hit]:
    terms = sorted(set(analyze(question)))
    if not terms:
        return []
    blinded = {repo.blinder(term): term for term in terms}
    postings = repo.postings(collection_id, list(blinded), max_rank=max_rank)
    if not postings:
        return []
    frequencies = repo.document_frequencies(collection_id, list(blinded))
    total, average = repo.length_stats(collection_id)
    average = average or 1.0
    scores: dict[int, float] = defaultdict(float)
    matched: dict[int, int] = defaultdict(int)
    documents: dict[int, str] = {}
    for term, passage_id, document_id, tf, length in postings:
        df = frequencies.get(term, 1)
        idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
        scores[passage_id] += idf * tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * length / average))
        matched[passage_id] += 1
        documents[passage_id] = document_id
    best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]
    return [
        Hit(pid, documents[pid], score, lexical=score, matched=matched[pid] / len(terms))
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
