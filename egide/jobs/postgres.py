"""Jobs on PostgreSQL with Procrastinate (MIT): its tables live in Égide's own database.

Every Égide job is one Procrastinate task, ``egide.travail``, whose arguments are the job's
name and JSON payload (:mod:`egide.jobs.registry`). Web processes defer jobs; ``egide worker``
processes, on any machine that reaches the database, run them, each job on a thread of its own.

A worker killed mid-job (``kill -9``, a machine lost) stops sending heartbeats: after
``jobs.stalled_after_s`` another worker prunes it and puts its jobs back in the queue, where
they are taken up from their own journal. A worker asked to stop (SIGTERM: an upgrade, a
restart) tells its jobs to stop at their next safe point and puts them back the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import procrastinate
from procrastinate import RetryDecision
from procrastinate.jobs import Job
from procrastinate.retry import BaseRetryStrategy
from sqlalchemy import text
from sqlalchemy.engine import make_url

from egide.jobs.context import JobContext, JobInterrupted
from egide.jobs.queue import check_payload
from egide.jobs.registry import JobError, job_named, load_job_modules

if TYPE_CHECKING:
    from egide.runtime import Runtime

__all__ = [
    "TASK_NAME",
    "JobInterrupted",
    "PostgresQueue",
    "conninfo",
    "ensure_schema",
    "run_worker",
]

_log = logging.getLogger("egide.jobs")
TASK_NAME = "egide.travail"
# The migrations' lock (egide/store/migrations/env.py): Procrastinate's schema is created under
# it, so that processes starting together on a new database do not both create it.
_SCHEMA_LOCK_ID = 0x45474944
_FIRST_RETRY_S = 10


def conninfo(database_url: str) -> str:
    """libpq's address of the store's database (SQLAlchemy's ``postgresql+psycopg://…``)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def ensure_schema(runtime: Runtime) -> None:
    """Create Procrastinate's tables in the store's database when they are missing."""
    schema = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo="")
    ).schema_manager.get_schema()
    with runtime.store.engine.connect() as connection, connection.begin():
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _SCHEMA_LOCK_ID})
        present = connection.execute(
            text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
        ).scalar()
        if not present:
            # The driver's own cursor: no parameter parsing of the schema's % signs.
            raw = connection.connection.driver_connection
            assert raw is not None
            raw.execute(schema)


class _Retry(BaseRetryStrategy):
    """A job interrupted by its worker's stop runs again at once; a failing one is tried up to
    its ``max_attempts`` (10 s, then 20 s, 40 s… apart)."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if isinstance(exception, JobInterrupted):
            return RetryDecision(retry_in={"seconds": 0})
        try:
            spec = job_named(str(job.task_kwargs.get("name", "")))
        except JobError:
            return None
        if job.attempts + 1 >= spec.max_attempts:
            return None
        return RetryDecision(retry_in={"seconds": _FIRST_RETRY_S * 2**job.attempts})


def _app(runtime: Runtime, *, pool_max: int) -> procrastinate.App:
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(runtime.settings.database_url), min_size=1, max_size=pool_max
    )
    app = procrastinate.App(connector=connector)

    @app.task(name=TASK_NAME, pass_context=True, retry=_Retry())
    def run(context: procrastinate.JobContext, name: str, payload: dict[str, Any]) -> None:
        stopping: threading.Event = context.additional_context["stopping"]
        job = context.job
        assert job is not None
        spec = job_named(name)
        mine = JobContext(runtime, str(job.id), job.attempts + 1, stopping)
        spec.function(mine, payload)
        if stopping.is_set():
            raise JobInterrupted(name)

    # Once a day for the whole deployment: Procrastinate records each periodic run, so that
    # several workers never run the same day's upkeep twice.
    @app.periodic(cron=runtime.settings.jobs.upkeep_cron, periodic_id="entretien")
    @app.task(name="egide.entretien", pass_context=True, queue="entretien")
    def upkeep(context: procrastinate.JobContext, timestamp: int) -> None:
        from egide.jobs.maintenance import daily_upkeep

        job = context.job
        daily_upkeep(JobContext(runtime, str(job.id if job else "")), {"timestamp": timestamp})

    return app


class PostgresQueue:
    """The deferring side, for web processes (a small pool of its own: two connections)."""

    def __init__(self, runtime: Runtime) -> None:
        ensure_schema(runtime)
        self._runtime = runtime
        self._app = _app(runtime, pool_max=2)
        self._app.open()

    def enqueue(self, name: str, payload: Mapping[str, Any]) -> str:
        spec = job_named(name)
        data = json.loads(check_payload(payload))
        lock = spec.lock(data) if spec.lock is not None else None
        job_id = self._app.configure_task(TASK_NAME, queue=spec.queue, lock=lock).defer(
            name=spec.name, payload=data
        )
        return str(job_id)

    def depth(self) -> dict[str, int]:
        return queue_depth(self._runtime)

    def close(self) -> None:
        self._app.close()


def queue_depth(runtime: Runtime) -> dict[str, int]:
    """Jobs waiting and running, every queue together."""
    with runtime.store.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT status::text, count(*) FROM procrastinate_jobs "
                "WHERE status IN ('todo', 'doing') GROUP BY status"
            )
        ).all()
    counts = {str(status): int(n) for status, n in rows}
    return {"en_attente": counts.get("todo", 0), "en_cours": counts.get("doing", 0)}


async def _take_up_stalled(app: procrastinate.App, runtime: Runtime, stop: asyncio.Event) -> None:
    """Put back in the queue the jobs of workers that stopped answering (killed, lost)."""
    jobs = runtime.settings.jobs
    while not stop.is_set():
        try:
            await app.job_manager.prune_stalled_workers(jobs.stalled_after_s)
            for job in await app.job_manager.get_stalled_jobs(
                seconds_since_heartbeat=jobs.stalled_after_s
            ):
                _log.warning("travail %s repris : son processus ne répond plus", job.id)
                await app.job_manager.retry_job(job)
        except Exception as exc:  # the database may be restarting: try again next round
            _log.warning("reprise des travaux en suspens impossible (%s)", type(exc).__name__)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max(1.0, jobs.heartbeat_s))


def run_worker(
    runtime: Runtime,
    *,
    concurrency: int,
    queues: list[str] | None = None,
    name: str = "egide-worker",
    ready: threading.Event | None = None,
) -> None:
    """Run jobs until SIGTERM or SIGINT; then tell the running jobs to stop at their next safe
    point, wait for them, and return."""
    load_job_modules(runtime.settings.jobs.modules)
    ensure_schema(runtime)
    stopping = threading.Event()
    app = _app(runtime, pool_max=concurrency + 2)
    jobs = runtime.settings.jobs

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def request_stop() -> None:
            stopping.set()
            stop.set()

        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, request_stop)
        async with app.open_async():
            chosen: dict[str, Any] = {} if queues is None else {"queues": queues}
            worker = asyncio.create_task(
                app.run_worker_async(
                    **chosen,
                    concurrency=concurrency,
                    name=name,
                    install_signal_handlers=False,
                    additional_context={"stopping": stopping},
                    update_heartbeat_interval=jobs.heartbeat_s,
                    stalled_worker_timeout=jobs.stalled_after_s,
                    delete_jobs="successful",
                )
            )
            caretaker = asyncio.create_task(_take_up_stalled(app, runtime, stop))
            if ready is not None:
                ready.set()
            await stop.wait()
            # Procrastinate's own stop: no new job, wait for the running ones (they saw
            # ``stopping`` and come back at their next safe point).
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            await caretaker

    asyncio.run(main())
