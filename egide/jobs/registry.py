"""Named background jobs: what an ``egide worker`` (or, on SQLite, the service itself) runs.

A job is a function registered under a name, given a JSON payload::

    from egide.jobs import JobContext, register_job

    @register_job("kb.ingest", queue="connaissances")
    def ingest(context: JobContext, payload: Mapping[str, Any]) -> None:
        ...

and enqueued from any process of the deployment with ``runtime.jobs.enqueue("kb.ingest",
{...})``. A job may be run again: after a worker was killed, another takes it up from the start,
so a job keeps its own journal (in the store) and skips what it already did. Built-in jobs live
in the modules of :data:`JOB_MODULES`; an extension registers its own exactly like them, from a
module named in the setting ``jobs.modules`` or in the entry-point group ``egide.jobs``.
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from egide.jobs.context import JobContext

__all__ = [
    "JOB_MODULES",
    "JobError",
    "JobFunction",
    "JobSpec",
    "job_named",
    "load_job_modules",
    "register_job",
    "registered_jobs",
]

JobFunction = Callable[["JobContext", Mapping[str, Any]], None]
# Modules whose import registers the built-in jobs (a worker imports them all).
JOB_MODULES = (
    "egide.jobs.maintenance",
    "egide.workspace.batch_queue",
    "egide.knowledge.jobs",
    "egide.jobs.rekey",
)
ENTRY_POINT_GROUP = "egide.jobs"
_NAME = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
_QUEUE = re.compile(r"[a-z][a-z0-9_-]{0,31}")


class JobError(Exception):
    """A job that cannot be registered, enqueued or run; the message is French."""


@dataclass(frozen=True, slots=True)
class JobSpec:
    name: str
    function: JobFunction
    queue: str
    # Jobs with the same lock run one after the other (two launches of one batch never
    # process it side by side); the lock is computed from the payload.
    lock: Callable[[Mapping[str, Any]], str | None] | None
    max_attempts: int


_jobs: dict[str, JobSpec] = {}
_lock = threading.Lock()
_loaded: set[str] = set()


def register_job(
    name: str,
    *,
    queue: str = "defaut",
    lock: Callable[[Mapping[str, Any]], str | None] | None = None,
    max_attempts: int = 3,
) -> Callable[[JobFunction], JobFunction]:
    """Register ``function`` under ``name``; a second registration of a name is refused."""
    if not _NAME.fullmatch(name) or len(name) > 64:
        raise JobError(f"nom de travail invalide « {name} » (ex. « lot.executer »)")
    if not _QUEUE.fullmatch(queue):
        raise JobError(f"nom de file invalide « {queue} »")
    if max_attempts < 1:
        raise JobError("max_attempts : au moins 1")

    def decorate(function: JobFunction) -> JobFunction:
        with _lock:
            known = _jobs.get(name)
            if known is not None and known.function is not function:
                raise JobError(f"travail « {name} » déjà enregistré")
            _jobs[name] = JobSpec(name, function, queue, lock, max_attempts)
        return function

    return decorate


def load_job_modules(extra: tuple[str, ...] = ()) -> None:
    """Import the modules that register jobs: the built-in ones, the extensions' (entry
    points), and ``extra`` (the setting ``jobs.modules``). JobError when one is missing."""
    names = [*JOB_MODULES, *extra]
    if not _loaded:
        names += [entry.value for entry in entry_points(group=ENTRY_POINT_GROUP)]
    for module in names:
        if module in _loaded:
            continue
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise JobError(
                f"module de travaux introuvable « {module} » ({exc}) : vérifiez jobs.modules "
                "ou l'installation de l'extension"
            ) from None
        _loaded.add(module)


def job_named(name: str) -> JobSpec:
    load_job_modules()
    with _lock:
        spec = _jobs.get(name)
    if spec is None:
        known = ", ".join(sorted(_jobs)) or "aucun"
        raise JobError(f"travail inconnu « {name} » (travaux connus : {known})")
    return spec


def registered_jobs() -> tuple[JobSpec, ...]:
    load_job_modules()
    with _lock:
        return tuple(sorted(_jobs.values(), key=lambda spec: spec.name))
