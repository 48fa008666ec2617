"""A copy of the audit chain's head in the database (``store_meta``, row ``audit_head``).

The audit folder and the database are two places: whoever can rewrite one of them only (a log
collector's account on the folder, a database administrator) cannot take both heads back to
an earlier point, and a wiped log no longer verifies as "no event yet".

The copy is written with its own connection to the store's database, without the store's key
(``egide audit verify`` must work where only the audit key is given). One database serves one
audit folder (one ``EGIDE_HOME``), like the rest of the store.
"""

from __future__ import annotations

import os
from pathlib import Path
from threading import Lock
from typing import Protocol

from sqlalchemy import Engine, create_engine, insert, inspect, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from egide.audit.errors import AuditError
from egide.store.db import explain_database_error, upgrade
from egide.store.errors import StoreError
from egide.store.models import StoreMeta

__all__ = ["DatabaseHead", "HEAD_ROW", "HeadStore"]

HEAD_ROW = "audit_head"
_WHERE = "copie du témoin d'audit en base"


class HeadStore(Protocol):
    """Where a copy of the sealed head lives, away from the audit folder.

    Both methods raise AuditError in French; the caller checks the seal.
    """

    def read(self) -> bytes | None: ...

    def write(self, data: bytes) -> None: ...


class DatabaseHead:
    """The head's copy in the store's database."""

    def __init__(
        self, database_url: str, *, busy_timeout_s: float = 5.0, engine: Engine | None = None
    ) -> None:
        """``engine``: the store's own, when the process has it open (one pool per process)."""
        self.database_url = database_url
        self._busy_timeout_s = busy_timeout_s
        self._engine: Engine | None = engine
        self._lock = Lock()
        self._schema_ready = False

    def engine(self) -> Engine:
        """The engine of the database (created when needed, with the file for SQLite)."""
        engine = self._get_engine(create=True)
        assert engine is not None
        return engine

    def _sqlite_path(self) -> Path | None:
        url = make_url(self.database_url)
        if url.get_backend_name() != "sqlite":
            return None
        database = url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return Path(database).expanduser()

    def _get_engine(self, *, create: bool) -> Engine | None:
        with self._lock:
            if self._engine is not None:
                return self._engine
            try:
                path = self._sqlite_path()
            except ArgumentError:
                raise AuditError(f"{_WHERE} : adresse de base de données invalide") from None
            if path is not None:
                if not path.exists():
                    if not create:
                        return None  # no database yet: nothing was ever copied there
                    try:  # private before SQLite creates it with the umask's permissions
                        flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
                        os.close(os.open(path, flags, 0o600))
                    except OSError as exc:
                        raise AuditError(
                            f"{_WHERE} : impossible de créer la base {path} : {exc.strerror} ; "
                            "l'action demandée n'est pas effectuée"
                        ) from None
                self._engine = create_engine(
                    self.database_url, connect_args={"timeout": self._busy_timeout_s}
                )
            else:
                self._engine = create_engine(self.database_url, pool_pre_ping=True)
            return self._engine

    def _has_table(self, engine: Engine) -> bool:
        if not self._schema_ready:
            with engine.connect() as connection:
                self._schema_ready = inspect(connection).has_table(StoreMeta.__tablename__)
        return self._schema_ready

    def read(self) -> bytes | None:
        """The copy, or None when the database holds none (or does not exist yet)."""
        engine = self._get_engine(create=False)
        if engine is None:
            return None
        try:
            if not self._has_table(engine):
                return None
            with engine.connect() as connection:
                value = connection.execute(
                    select(StoreMeta.value).where(StoreMeta.name == HEAD_ROW)
                ).scalar_one_or_none()
        except DBAPIError as exc:
            raise AuditError(f"{_WHERE} illisible : {explain_database_error(exc)}") from None
        return None if value is None else bytes(value)

    def write(self, data: bytes) -> None:
        engine = self._get_engine(create=True)
        assert engine is not None
        try:
            if not self._has_table(engine):
                upgrade(engine)  # an audit event came before anything else made the store
                self._schema_ready = True
            with engine.begin() as connection:
                changed = connection.execute(
                    update(StoreMeta).where(StoreMeta.name == HEAD_ROW).values(value=data)
                ).rowcount
                if not changed:
                    connection.execute(insert(StoreMeta).values(name=HEAD_ROW, value=data))
        except (DBAPIError, StoreError) as exc:
            reason = explain_database_error(exc) if isinstance(exc, DBAPIError) else exc
            raise AuditError(
                f"{_WHERE} non écrite : {reason} ; l'événement est dans le journal, "
                "l'action demandée n'est pas effectuée"
            ) from None
