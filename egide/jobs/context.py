"""What a running job is given: the process's resources, and whether to stop now."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from egide.config import Settings

if TYPE_CHECKING:
    from egide.runtime import Runtime

__all__ = ["JobContext", "JobInterrupted"]


class JobInterrupted(Exception):
    """The job stopped at a safe point because its process is stopping: it runs again."""


@dataclass(frozen=True)
class JobContext:
    """``runtime``: the store, the audit log and the guard of the process running the job;
    ``job_id``: the queue's id of this run; ``attempt``: 1 for the first run, more when the job
    is taken up again (after a failure, or a worker that stopped answering)."""

    runtime: Runtime
    job_id: str
    attempt: int = 1
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def should_stop(self) -> bool:
        """True when the worker is shutting down: stop at the next safe point (the job will
        be taken up again from its journal)."""
        return self.stopping.is_set()
