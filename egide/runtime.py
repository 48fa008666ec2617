"""One process's shared resources, built once at its composition root and handed down.

A web process (``create_app``) and a worker (``egide worker``) each open one :class:`Runtime`:
one store (one engine, one connection pool), one audit log writing through that engine, and the
process's guard. The portal, the workspace, the gateway and the jobs all receive these, so that
a process never opens a second pool or a second audit writer of its own (STYLE.md, 14).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from egide.audit import AuditLog
from egide.config import Settings
from egide.guard import Guard, shared_guard
from egide.store import Store, open_store

if TYPE_CHECKING:
    from egide.jobs import JobQueue
    from egide.knowledge import KnowledgeBase
    from egide.workspace import Workspace

__all__ = ["Runtime", "open_runtime"]


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    store: Store
    audit: AuditLog
    _jobs: list[JobQueue] = field(default_factory=list, repr=False)
    _workspace: list[Workspace] = field(default_factory=list, repr=False)
    _knowledge: list[KnowledgeBase] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def shared(self) -> bool:
        """Several processes share this deployment's state (PostgreSQL), or this one alone."""
        return self.settings.is_shared_database

    def guard(self) -> Guard:
        """The process's guard, loaded on first use (its language model takes seconds)."""
        return shared_guard()

    @property
    def jobs(self) -> JobQueue:
        """The deployment's job queue (opened on first use: most requests never enqueue)."""
        with self._lock:
            if not self._jobs:
                from egide.jobs import open_queue

                self._jobs.append(open_queue(self))
            return self._jobs[0]

    def workspace(self) -> Workspace:
        """The process's workspace: the portal's own in a web process (jobs run there on
        SQLite), else one built on this runtime (a worker)."""
        with self._lock:
            if not self._workspace:
                from egide.workspace import Workspace

                self._workspace.append(
                    Workspace(
                        self.settings,
                        lambda: self.store,
                        audit=lambda: self.audit,
                        jobs=lambda: self.jobs,
                    )
                )
            return self._workspace[0]

    def knowledge(self) -> KnowledgeBase:
        """The process's knowledge base (one for the portal, the gateway and the jobs: one
        index in memory, one embedding pass at a time); its answers go through the
        workspace's pipeline, its embedding passes through the job queue."""
        workspace = self.workspace()  # outside the lock: it takes it too
        with self._lock:
            if not self._knowledge:
                from egide.knowledge import KnowledgeBase

                self._knowledge.append(
                    KnowledgeBase(
                        self.settings,
                        self.store,
                        audit=lambda: self.audit,
                        assistant=lambda: workspace.assistant,
                        jobs=lambda: self.jobs,
                    )
                )
            return self._knowledge[0]

    def attach_workspace(self, workspace: Workspace) -> None:
        """The composition root's workspace is the process's (see :meth:`workspace`)."""
        with self._lock:
            self._workspace[:] = [workspace]

    def close(self) -> None:
        with self._lock:
            for kb in self._knowledge:
                kb.close()
            self._knowledge.clear()
            for queue in self._jobs:
                queue.close()
            self._jobs.clear()
        self.store.close()


def open_runtime(settings: Settings, *, environ: Mapping[str, str] | None = None) -> Runtime:
    """Open the store (creating or migrating it when needed) and the audit log over it;
    StoreError or AuditError in French when they cannot be."""
    store = open_store(settings, environ=environ)
    try:
        audit = AuditLog.open(settings, environ=environ, engine=store.engine)
    except BaseException:
        store.close()
        raise
    return Runtime(settings, store, audit)
