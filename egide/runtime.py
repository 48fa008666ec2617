"""One process's shared resources, built once at its composition root and handed down.

A web process (``create_app``) and a worker (``egide worker``) each open one :class:`Runtime`:
one store (one engine, one connection pool), one audit log writing through that engine, and the
process's guard. The portal, the workspace, the gateway and the jobs all receive these, so that
a process never opens a second pool or a second audit writer of its own (STYLE.md, 14).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from egide.audit import AuditLog
from egide.config import Settings
from egide.guard import Guard, shared_guard
from egide.store import Store, open_store
from egide.store.db import is_shared_database

__all__ = ["Runtime", "open_runtime"]


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    store: Store
    audit: AuditLog

    @property
    def shared(self) -> bool:
        """Several processes share this deployment's state (PostgreSQL), or this one alone."""
        return is_shared_database(self.settings.database_url)

    def guard(self) -> Guard:
        """The process's guard, loaded on first use (its language model takes seconds)."""
        return shared_guard()

    def close(self) -> None:
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
