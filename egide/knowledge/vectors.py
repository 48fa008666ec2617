"""Where the vectors live and how the nearest passages are found.

- Everywhere, each passage's vector is kept sealed in ``kb_passages.vector`` (float32, AES-GCM
  bound to its row), so that a backup holds no vector in clear and a restore loses nothing.
- :class:`SealedIndex` (SQLite, and PostgreSQL without pgvector): the collection's vectors are
  opened once per process and version of the collection into one matrix; a search is an exact
  dot product (384 floats × a few thousand passages: about a millisecond) — an approximate
  index would only pay off past hundreds of thousands of passages.
- :class:`PgVectorIndex` (PostgreSQL with pgvector): the vectors are also written to the
  ``embedding vector`` column, in clear (pgvector computes on them), and the database orders
  the passages by cosine distance.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.engine import Engine

from egide.knowledge.repository import KnowledgeRepository
from egide.store.knowledge import KbPassageRow

__all__ = ["DenseIndex", "PgVectorIndex", "SealedIndex", "dense_index_for"]


@dataclass
class _Matrix:
    version: int
    ids: np.ndarray
    ranks: np.ndarray
    vectors: np.ndarray


class DenseIndex:
    """Vectors of a collection's passages and the search for the nearest ones."""

    kind = "abstract"

    def __init__(self, repo: KnowledgeRepository) -> None:
        self.repo = repo

    def store(self, rows: Sequence[tuple[int, np.ndarray]]) -> None:
        """Keep each passage's vector (sealed, and wherever this index searches)."""
        seals = self.repo.passage_seal_ids([i for i, _ in rows])
        collections: set[str] = set()
        with self.repo.store.session() as session:
            for passage_id, vector in rows:
                data = np.ascontiguousarray(vector, dtype="<f4").tobytes()
                session.execute(
                    update(KbPassageRow)
                    .where(KbPassageRow.id == passage_id)
                    .values(vector=self.repo.seal_vector(seals[passage_id], data))
                )
            collections.update(
                session.scalars(
                    select(KbPassageRow.collection_id)
                    .where(KbPassageRow.id.in_([i for i, _ in rows]))
                    .distinct()
                )
            )
        for collection_id in collections:
            self.repo.touch(collection_id)  # other processes see the new vectors

    def search(
        self, collection_id: str, query: np.ndarray, *, k: int, max_rank: int
    ) -> list[tuple[int, float]]:
        raise NotImplementedError


class SealedIndex(DenseIndex):
    kind = "en mémoire (vecteurs chiffrés en base)"

    def __init__(self, repo: KnowledgeRepository) -> None:
        super().__init__(repo)
        self._cache: dict[str, _Matrix] = {}
        self._lock = threading.Lock()

    def _matrix(self, collection_id: str) -> _Matrix | None:
        version = self.repo.version(collection_id)
        with self._lock:
            cached = self._cache.get(collection_id)
            if cached is not None and cached.version == version:
                return cached
        with self.repo.store.session() as session:
            rows = session.execute(
                select(
                    KbPassageRow.id,
                    KbPassageRow.document_id,
                    KbPassageRow.ordinal,
                    KbPassageRow.level_rank,
                    KbPassageRow.vector,
                ).where(
                    KbPassageRow.collection_id == collection_id, KbPassageRow.vector.is_not(None)
                )
            ).all()
        if not rows:
            return None
        vectors = [
            np.frombuffer(
                self.repo.open_vector(f"{row.document_id}:{row.ordinal}", row.vector), dtype="<f4"
            )
            for row in rows
        ]
        dims = {len(v) for v in vectors}
        if len(dims) != 1:
            return None  # vectors of two encoders: unusable until re-embedded
        matrix = _Matrix(
            version,
            np.array([row.id for row in rows], dtype=np.int64),
            np.array([row.level_rank for row in rows], dtype=np.int16),
            np.vstack(vectors).astype(np.float32),
        )
        with self._lock:
            self._cache[collection_id] = matrix
        return matrix

    def search(
        self, collection_id: str, query: np.ndarray, *, k: int, max_rank: int
    ) -> list[tuple[int, float]]:
        matrix = self._matrix(collection_id)
        if matrix is None or matrix.vectors.shape[1] != query.shape[-1]:
            return []
        scores = matrix.vectors @ query.astype(np.float32)
        scores = np.where(matrix.ranks <= max_rank, scores, -np.inf)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(matrix.ids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])]


class PgVectorIndex(DenseIndex):
    kind = "pgvector (PostgreSQL)"

    def store(self, rows: Sequence[tuple[int, np.ndarray]]) -> None:
        super().store(rows)
        statement = text("UPDATE kb_passages SET embedding = CAST(:v AS vector) WHERE id = :id")
        with self.repo.store.session() as session:
            session.execute(
                statement,
                [{"id": passage_id, "v": _literal(vector)} for passage_id, vector in rows],
            )

    def search(
        self, collection_id: str, query: np.ndarray, *, k: int, max_rank: int
    ) -> list[tuple[int, float]]:
        statement = text(
            "SELECT id, 1 - (embedding <=> CAST(:q AS vector)) AS score FROM kb_passages "
            "WHERE collection_id = :c AND level_rank <= :r AND embedding IS NOT NULL "
            "ORDER BY embedding <=> CAST(:q AS vector) LIMIT :k"
        ).bindparams(bindparam("k", type_=None))
        with self.repo.store.session() as session:
            rows = session.execute(
                statement, {"q": _literal(query), "c": collection_id, "r": max_rank, "k": k}
            ).all()
        return [(int(row.id), float(row.score)) for row in rows]


def _literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in np.asarray(vector, dtype=np.float32)) + "]"


def _has_pgvector(engine: Engine) -> bool:
    if engine.dialect.name != "postgresql":
        return False
    # information_schema rather than SQLAlchemy's inspector, which knows no "vector" type.
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = 'kb_passages' AND column_name = 'embedding'"
            )
        ).first()
    return found is not None


def dense_index_for(repo: KnowledgeRepository) -> DenseIndex:
    if _has_pgvector(repo.store.engine):
        return PgVectorIndex(repo)
    return SealedIndex(repo)
