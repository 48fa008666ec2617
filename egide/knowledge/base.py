"""The knowledge base of one store: collections, ingestion, the embedding pass, search.

Built once per process (the CLI's command, the service's composition root) over the one store
and audit log. Nothing here decides what a model may receive: answers go through the pipeline
(:mod:`egide.knowledge.answers`); searches filter passages by the level their caller may
receive, and every change and query is recorded in the audit trail, with ids and counts only.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from egide.audit import AuditLog
from egide.config import Settings
from egide.knowledge.embedders import EmbeddedEncoder, Encoder, EncoderUnavailable, PipelineEncoder
from egide.knowledge.ingest import FileOutcome, Outcome, document_key, find_files, prepare
from egide.knowledge.records import CollectionRecord, PassageRecord, PreparedDocument
from egide.knowledge.repository import CollectionNotFound, KnowledgeRepository
from egide.knowledge.retrieval import Hit, LexicalStats, bm25, fuse
from egide.knowledge.vectors import DenseIndex, dense_index_for
from egide.policy.levels import Level
from egide.store.db import Store

if TYPE_CHECKING:
    from egide.assistant import Assistant
    from egide.guard import Guard
    from egide.jobs import JobQueue

__all__ = ["COLLECTION_NAME", "KnowledgeBase", "KnowledgeError", "SearchResult"]

COLLECTION_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_log = logging.getLogger("egide.knowledge")
_AUDIT_IDS = 5  # document ids per audit event: 5 × 36 characters stay under its 200


class KnowledgeError(Exception):
    """A request the knowledge base cannot honour; the message is French and says what to do."""


@dataclass(frozen=True)
class SearchResult:
    collection: CollectionRecord
    hits: tuple[Hit, ...]
    dense_used: bool
    withheld: int  # passages above the caller's level among what would have matched
    dense_complete: bool = False  # every passage of the collection has its vector

    @property
    def document_ids(self) -> list[str]:
        seen: list[str] = []
        for hit in self.hits:
            if hit.document_id not in seen:
                seen.append(hit.document_id)
        return seen


class KnowledgeBase:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        audit: Callable[[], AuditLog],
        guard: Callable[[], Guard] | None = None,
        assistant: Callable[[], Assistant] | None = None,
        encoder: Encoder | None = None,
        jobs: Callable[[], JobQueue] | None = None,
    ) -> None:
        """``jobs``: the deployment's job queue; with PostgreSQL, embedding passes are jobs
        that any ``egide worker`` runs (:data:`EMBED_JOB`), else this process's threads."""
        self.settings = settings
        self.options = settings.knowledge
        self.store = store
        self.repo = KnowledgeRepository(store)
        self._audit = audit
        self._guard = guard
        self._assistant = assistant
        self._encoder = encoder
        self._queue = jobs
        self._index: DenseIndex | None = None
        self._lock = threading.Lock()
        self._jobs: dict[str, threading.Thread] = {}
        self._lexical: dict[str, LexicalStats] = {}
        self._stop = threading.Event()

    # -- what it is built on ------------------------------------------------------------------

    @property
    def audit(self) -> AuditLog:
        return self._audit()

    def guard(self) -> Guard:
        if self._guard is not None:
            return self._guard()
        from egide.guard import shared_guard

        return shared_guard()

    @property
    def index(self) -> DenseIndex:
        with self._lock:
            if self._index is None:
                self._index = dense_index_for(self.repo)
            return self._index

    def encoder(self, *, user: str = "egide") -> Encoder:
        """The configured encoder; a configured model's is bound to ``user``, on whose behalf
        the pipeline records what it sends."""
        name = self.options.embeddings
        with self._lock:
            if self._encoder is None and name == "embarque":
                self._encoder = EmbeddedEncoder(workers=self.options.embedding_workers)
            if self._encoder is not None:
                return self._encoder
        return PipelineEncoder(name, self._pipeline_embed(name, user))

    def _pipeline_embed(
        self, model: str, user: str
    ) -> Callable[[Sequence[str]], list[list[float]]]:
        def embed(texts: Sequence[str]) -> list[list[float]]:
            from egide.assistant import AssistantRequest
            from egide.models.base import Message

            if self._assistant is None:
                raise EncoderUnavailable("aucun circuit configuré pour les plongements")
            request = AssistantRequest(
                user=user,
                task="chat",
                model=model,
                messages=tuple(Message("user", text) for text in texts),
            )
            return self._assistant().embed(request)

        return embed

    def assistant(self) -> Assistant:
        """The pipeline, for answers (built by the caller's composition root)."""
        if self._assistant is None:
            raise KnowledgeError("réponse impossible : aucun circuit n'est configuré ici")
        return self._assistant()

    def close(self) -> None:
        self._stop.set()
        encoder = self._encoder
        if isinstance(encoder, EmbeddedEncoder):
            encoder.close()

    # -- collections --------------------------------------------------------------------------

    def collection(self, name: str) -> CollectionRecord:
        return self.repo.collection(name)

    def collections(self) -> list[CollectionRecord]:
        return self.repo.collections()

    def create_collection(
        self,
        name: str,
        *,
        user: str,
        title: str | None = None,
        service: str | None = None,
        max_level: Level | None = None,
    ) -> CollectionRecord:
        if not COLLECTION_NAME.match(name):
            raise KnowledgeError(
                f"nom de collection invalide « {name} » : lettres minuscules, chiffres, « . », "
                "« - » et « _ », 64 caractères au plus (exemple : circulaires-2026)"
            )
        level = max_level if max_level is not None else self.options.default_max_level
        if level > self.options.max_level:
            raise KnowledgeError(
                f"niveau maximal « {level.key} » non permis : la configuration limite les "
                f"collections à « {self.options.max_level.key} » (knowledge.max_level)"
            )
        try:
            self.repo.collection(name)
        except CollectionNotFound:
            pass
        else:
            raise KnowledgeError(f"la collection « {name} » existe déjà")
        self.audit.append(
            user=user,
            action="kb_collection_created",
            level=level,
            extra={"collection": name, "service_owned": service is not None},
        )
        return self.repo.create_collection(
            name, title=title or name, service=service, max_level=level, created_by=user
        )

    def ensure_collection(self, name: str, *, user: str) -> tuple[CollectionRecord, bool]:
        """The collection, created with the defaults when missing; (record, created)."""
        try:
            return self.repo.collection(name), False
        except CollectionNotFound:
            return self.create_collection(name, user=user), True

    def delete_collection(self, collection: CollectionRecord, *, user: str) -> int:
        self.audit.append(
            user=user, action="kb_collection_deleted", extra={"collection": collection.name}
        )
        return self.repo.delete_collection(collection.id)

    # -- ingestion ----------------------------------------------------------------------------

    def ingest_bytes(
        self, collection: CollectionRecord, name: str, data: bytes, *, user: str
    ) -> FileOutcome:
        """Add or replace one document; unchanged bytes are left as they are."""
        key = document_key(name)
        digest = self.repo.content_digest(data)
        current = self.repo.current_digest(collection.id, key)
        if current == digest:
            return FileOutcome(key, name, Outcome.UNCHANGED)
        prepared = prepare(
            self.repo,
            collection,
            name,
            data,
            guard=self.guard,
            passage_words=self.options.passage_words,
        )
        if isinstance(prepared, FileOutcome):
            self.audit.append(
                user=user,
                action="kb_document_refused",
                level=prepared.level,
                counts=prepared.counts,
                extra={"collection": collection.name, "outcome": prepared.outcome.value},
            )
            return prepared
        return self._store(collection, prepared, replaced=current is not None, user=user)

    def _store(
        self, collection: CollectionRecord, prepared: PreparedDocument, *, replaced: bool, user: str
    ) -> FileOutcome:
        outcome = Outcome.REPLACED if replaced else Outcome.ADDED
        # Recorded before it is made: no change of the base goes unrecorded.
        self.audit.append(
            user=user,
            action="kb_document_added",
            level=prepared.level,
            counts=prepared.counts,
            extra={
                "collection": collection.name,
                "passages": len(prepared.passages),
                "outcome": outcome.value,
            },
        )
        document_id = self.repo.replace_document(collection.id, prepared, added_by=user)
        return FileOutcome(
            prepared.key,
            prepared.name,
            outcome,
            level=prepared.level,
            passages=len(prepared.passages),
            counts=prepared.counts,
            reasons=prepared.reasons,
            warnings=prepared.warnings,
            document_id=document_id,
        )

    def ingest_paths(
        self,
        collection: CollectionRecord,
        paths: Iterable[Path],
        *,
        user: str,
        progress: Callable[[int, int, FileOutcome], None] | None = None,
    ) -> tuple[list[FileOutcome], list[Path]]:
        """Every file under ``paths``; (outcomes in order, files skipped for their type)."""
        files, skipped = find_files(list(paths))
        outcomes: list[FileOutcome] = []
        seen: dict[str, Path] = {}
        for done, path in enumerate(files, start=1):
            key = document_key(path.name)
            if key in seen:
                outcome = FileOutcome(
                    key, path.name, Outcome.FAILED,
                    f"un autre fichier a déjà l'identifiant « {key} » dans cet ajout "
                    f"({seen[key]}) : renommez l'un des deux",
                )  # fmt: skip
            else:
                seen[key] = path
                outcome = self._ingest_path(collection, path, user=user)
            outcomes.append(outcome)
            if progress is not None:
                progress(done, len(files), outcome)
        return outcomes, skipped

    def _ingest_path(self, collection: CollectionRecord, path: Path, *, user: str) -> FileOutcome:
        try:
            data = path.read_bytes()
        except OSError as exc:
            reason = exc.strerror or "lecture impossible"
            return FileOutcome(
                document_key(path.name), path.name, Outcome.FAILED,
                f"impossible de lire le fichier : {reason}",
            )  # fmt: skip
        return self.ingest_bytes(collection, path.name, data, user=user)

    def prune(self, collection: CollectionRecord, keep: Iterable[str], *, user: str) -> list[str]:
        gone = self.repo.prune(collection.id, keep)
        if gone:
            self.audit.append(
                user=user,
                action="kb_document_deleted",
                extra={"collection": collection.name, "documents": len(gone)},
            )
        return gone

    def delete_document(self, collection: CollectionRecord, key: str, *, user: str) -> None:
        self.audit.append(
            user=user,
            action="kb_document_deleted",
            extra={"collection": collection.name, "documents": 1},
        )
        self.repo.delete_document(collection.id, key)

    # -- the embedding pass -------------------------------------------------------------------

    def embed_pending(
        self,
        collection: CollectionRecord,
        *,
        user: str = "egide",
        progress: Callable[[int, int], None] | None = None,
        stop: threading.Event | None = None,
    ) -> int:
        """Give a vector to every passage without one; resumable at any point (each batch is
        committed as it comes). The number of passages embedded."""
        encoder = self.encoder(user=user)
        current = self.repo.collection_by_id(collection.id)
        if current.embedder not in (None, encoder.name):
            # Another encoder made the existing vectors: they are not comparable.
            self.repo.clear_vectors(collection.id)
        _, total, embedded = self.repo.counts(collection.id)
        done = 0
        step = self.options.embedding_batch * self.options.embedding_workers
        while stop is None or not stop.is_set():
            pending = self.repo.pending_vectors(
                collection.id, step, words=self.options.embedding_words
            )
            if not pending:
                break
            vectors = encoder.passages([text for _, text in pending])
            if current.embedder != encoder.name:
                self.repo.set_embedder(collection.id, encoder.name, int(vectors.shape[1]))
                current = self.repo.collection_by_id(collection.id)
            self.index.store([(pid, vectors[i]) for i, (pid, _) in enumerate(pending)])
            done += len(pending)
            if progress is not None:
                progress(embedded + done, total)
        return done

    def embed_in_background(self, collection: CollectionRecord) -> None:
        """Start the embedding pass of ``collection``: a job for the workers when the
        deployment shares its database, else a thread of this process, unless one runs."""
        if self._queue is not None and self.settings.is_shared_database:
            from egide.knowledge.jobs import EMBED_JOB

            self._queue().enqueue(EMBED_JOB, {"collection": collection.id})
            return
        with self._lock:
            running = self._jobs.get(collection.id)
            if running is not None and running.is_alive():
                return
            thread = threading.Thread(
                target=self._embed_job, args=(collection,), name="egide-kb-vecteurs", daemon=True
            )
            self._jobs[collection.id] = thread
        thread.start()

    def embedding_running(self, collection_id: str) -> bool:
        """Whether vectors are being computed (or, with workers, are still to compute)."""
        if self._queue is not None and self.settings.is_shared_database:
            _, total, embedded = self.repo.counts(collection_id)
            return embedded < total
        with self._lock:
            job = self._jobs.get(collection_id)
            return job is not None and job.is_alive()

    def _embed_job(self, collection: CollectionRecord) -> None:
        try:
            self.embed_pending(collection, stop=self._stop)
        except Exception as exc:  # a thread's failure must not take the service down
            # The type only: a message could quote a passage.
            _log.error(
                "calcul des vecteurs interrompu (%s) ; il reprendra au prochain ajout",
                type(exc).__name__,
            )

    # -- search -------------------------------------------------------------------------------

    def search(
        self,
        collection: CollectionRecord,
        question: str,
        *,
        user: str,
        max_level: Level,
        k: int = 10,
        dense: bool = True,
        audit: bool = True,
    ) -> SearchResult:
        """The passages that best answer ``question``, at or below ``max_level``."""
        options = self.options
        rank = int(max_level)
        current = self.repo.collection_by_id(collection.id)
        stats = self.lexical_stats(current)
        lexical = bm25(
            self.repo, collection.id, question, max_rank=rank, k=options.candidates, stats=stats
        )
        nearest: list[tuple[int, float]] = []
        dense_used = False
        if dense and current.embedder is not None:
            try:
                encoder = self.encoder(user=user)
            except EncoderUnavailable:
                encoder = None
            if encoder is not None and encoder.name == current.embedder:
                query = encoder.query(question)
                nearest = self.index.search(
                    collection.id, query, k=options.candidates, max_rank=rank
                )
                dense_used = True
        owners = {pid: stats.passages[pid][0] for pid, _ in nearest if pid in stats.passages}
        hits = fuse(
            lexical, nearest, owners, rrf_k=options.rrf_k, dense_weight=options.dense_weight
        )[: max(k, 1) * 4]
        withheld = 0
        if rank < int(Level.DIFFUSION_RESTREINTE):
            above = bm25(
                self.repo, collection.id, question, max_rank=int(Level.DIFFUSION_RESTREINTE),
                k=k, stats=stats,
            )  # fmt: skip
            shown = {hit.passage_id for hit in hits}
            withheld = sum(1 for hit in above if hit.passage_id not in shown)
        complete = dense_used and stats.embedded >= stats.total
        result = SearchResult(current, tuple(hits), dense_used, withheld, complete)
        if audit:
            documents = result.document_ids[:k]
            self.audit.append(
                user=user,
                action="kb_search",
                level=max_level,
                extra={
                    "collection": collection.name,
                    "passages": min(len(hits), k),
                    "documents": ",".join(documents[:_AUDIT_IDS]),
                    "withheld": withheld,
                },
            )
        return result

    def lexical_stats(self, collection: CollectionRecord) -> LexicalStats:
        """The collection's BM25 statistics, reloaded when its version moved."""
        with self._lock:
            cached = self._lexical.get(collection.id)
        if cached is not None and cached.version == collection.version:
            return cached
        loaded = LexicalStats.load(self.repo, collection.id, collection.version)
        with self._lock:
            self._lexical[collection.id] = loaded
        return loaded

    def passages(self, ids: Sequence[int]) -> dict[int, PassageRecord]:
        return self.repo.passages(ids)
