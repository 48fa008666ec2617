"""Where jobs wait: the queue a deployment already has.

With PostgreSQL (several processes, several machines), jobs go to Procrastinate's tables in the
same database (:mod:`egide.jobs.postgres`) and any ``egide worker`` runs them. With SQLite (the
embedded default: one machine, one service process), the service runs them itself on a few
threads (:class:`LocalQueue`), as ``make run`` always did; ``egide worker`` is then refused.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

from egide.jobs.context import JobContext, JobInterrupted
from egide.jobs.registry import JobError, job_named, load_job_modules

if TYPE_CHECKING:
    from egide.runtime import Runtime

__all__ = ["JobQueue", "LocalQueue", "check_payload", "open_queue"]

_log = logging.getLogger("egide.jobs")
_MAX_PAYLOAD = 64 * 1024


class JobQueue(Protocol):
    def enqueue(self, name: str, payload: Mapping[str, Any]) -> str:
        """Queue the job ``name`` with its JSON ``payload``; its id. JobError (French) when
        the name is unknown or the payload is not small JSON."""
        ...

    def depth(self) -> dict[str, int]:
        """Jobs waiting and running, by state (``en_attente``, ``en_cours``): for metrics."""
        ...

    def close(self) -> None: ...


def check_payload(payload: Mapping[str, Any]) -> str:
    """The payload as compact JSON; JobError when it is not JSON or too large (a payload names
    what to work on — ids, options — never the content itself)."""
    try:
        text = json.dumps(dict(payload), ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        raise JobError("les paramètres d'un travail doivent être du JSON") from None
    if len(text.encode("utf-8")) > _MAX_PAYLOAD:
        raise JobError(
            f"paramètres du travail trop volumineux ({_MAX_PAYLOAD // 1024} Kio au plus) : "
            "passez des identifiants, le contenu reste dans la base"
        )
    return text


class LocalQueue:
    """Jobs run by this process on a few threads (SQLite deployments: one service process).

    Nothing survives the process: a batch it was running is marked interrupted when the service
    starts again, and resumes from its journal when its owner launches it again.
    """

    def __init__(self, runtime: Runtime, *, workers: int = 2) -> None:
        self._runtime = runtime
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="egide-travail")
        self._lock = threading.Lock()
        self._waiting = 0
        self._running = 0
        self._stopping = threading.Event()

    def enqueue(self, name: str, payload: Mapping[str, Any]) -> str:
        spec = job_named(name)
        data = json.loads(check_payload(payload))
        job_id = f"local-{uuid.uuid4()}"
        with self._lock:
            self._waiting += 1
        self._executor.submit(self._run, spec.name, job_id, data)
        return job_id

    def _run(self, name: str, job_id: str, payload: dict[str, Any]) -> None:
        with self._lock:
            self._waiting -= 1
            self._running += 1
        try:
            spec = job_named(name)
            context = JobContext(self._runtime, job_id, 1, self._stopping)
            spec.function(context, payload)
        except JobInterrupted:
            _log.info("travail %s interrompu par l'arrêt du service", name)
        except Exception as exc:  # a background thread: say what stopped it, never content
            _log.error("travail %s arrêté (%s)", name, type(exc).__name__)
        finally:
            with self._lock:
                self._running -= 1

    def depth(self) -> dict[str, int]:
        with self._lock:
            return {"en_attente": self._waiting, "en_cours": self._running}

    def close(self) -> None:
        self._stopping.set()
        self._executor.shutdown(wait=False, cancel_futures=True)


def open_queue(runtime: Runtime) -> JobQueue:
    """The deployment's queue: Procrastinate on PostgreSQL, this process's threads on SQLite."""
    load_job_modules(runtime.settings.jobs.modules)
    if runtime.shared:
        from egide.jobs.postgres import PostgresQueue

        return PostgresQueue(runtime)
    return LocalQueue(runtime, workers=runtime.settings.jobs.concurrency)
