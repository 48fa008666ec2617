"""The knowledge base's embedding pass as a job of the deployment's queue.

With PostgreSQL, a document added in the portal (or by ``egide kb add`` without
``--sans-vecteurs`` on another machine) queues ``kb.vecteurs`` for its collection; any
``egide worker`` runs it, one at a time per collection (the job's lock). The pass is resumable
at any point — every batch of vectors is committed as it comes — so a worker stopped in the
middle hands the rest to the next one, and a pass queued twice finds nothing left to do.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from egide.jobs import JobContext, register_job
from egide.jobs.context import JobInterrupted
from egide.knowledge.repository import CollectionNotFound

__all__ = ["EMBED_JOB"]

EMBED_JOB = "kb.vecteurs"


class _Stopping(threading.Event):
    """Set when the worker running the pass is stopping."""

    def __init__(self, context: JobContext) -> None:
        super().__init__()
        self._context = context

    def is_set(self) -> bool:
        return super().is_set() or self._context.should_stop()


def _lock(payload: Mapping[str, Any]) -> str:
    return f"kb:{payload['collection']}"


@register_job(EMBED_JOB, queue="connaissances", lock=_lock)
def embed(context: JobContext, payload: Mapping[str, Any]) -> None:
    kb = context.runtime.knowledge()
    try:
        collection = kb.repo.collection_by_id(str(payload["collection"]))
    except CollectionNotFound:
        return  # removed since it was queued: nothing to do
    kb.embed_pending(collection, stop=_Stopping(context))
    if context.should_stop():
        raise JobInterrupted(EMBED_JOB)
