"""Background work on a real queue: batches, knowledge-base ingestion, retention runs.

Register a job once, enqueue it from any process, let a worker run it::

    @register_job("kb.ingest", queue="connaissances", lock=lambda p: f"kb:{p['collection']}")
    def ingest(context: JobContext, payload: Mapping[str, Any]) -> None: ...

    runtime.jobs.enqueue("kb.ingest", {"collection": "circulaires", "upload": upload_id})

With PostgreSQL, jobs wait in Procrastinate's tables and ``egide worker`` processes run them,
anywhere; with SQLite, the service runs them on its own threads. A job can run more than once
(a worker killed, a failure retried): it must skip what its journal says is done.
"""

from egide.jobs.context import JobContext, JobInterrupted
from egide.jobs.queue import JobQueue, LocalQueue, open_queue
from egide.jobs.registry import JobError, JobSpec, job_named, register_job, registered_jobs

__all__ = [
    "JobContext",
    "JobError",
    "JobInterrupted",
    "JobQueue",
    "JobSpec",
    "LocalQueue",
    "job_named",
    "open_queue",
    "register_job",
    "registered_jobs",
]
