"""The database as lines of JSON, for backups: consistent, and restorable into either engine.

A dump is taken from one instant of the database — a REPEATABLE READ snapshot on PostgreSQL,
a page-level copy made by SQLite's online backup on SQLite — while the service keeps running.
Each table becomes one member: a header line (its name and columns), then one JSON list per row;
bytes are base64 (they are the store's ciphertexts: a dump is no more readable than the
database), instants ISO 8601. Tables of moment-to-moment state are left out: sessions (everyone
signs in again on the restored service), sign-in failures and request windows.

A restore creates the schema of the dump's revision, loads the rows in the order of the foreign
keys, then brings the schema to this version's latest: a backup restores into the same or a
newer version of Égide, on SQLite or PostgreSQL alike.
"""

from __future__ import annotations

import base64
import contextlib
import json
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, MetaData, Table, create_engine, func, select, text
from sqlalchemy.engine import make_url

from egide.store.db import upgrade
from egide.store.models import Base

__all__ = ["TRANSIENT", "DumpError", "dump_database", "load_database"]

# State of the moment, not worth restoring (and sessions must not survive onto another machine).
TRANSIENT = frozenset({"web_sessions", "auth_throttle", "rate_hits"})
_BATCH = 500


class DumpError(Exception):
    """The dump cannot be taken or loaded; the message is French."""


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"b": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "b" in value:
            return base64.b64decode(value["b"])
        if "t" in value:
            return datetime.fromisoformat(value["t"])
    return value


def _rows(connection: Connection, table: Table) -> Iterator[bytes]:
    columns = [column.name for column in table.columns]
    yield json.dumps({"table": table.name, "columns": columns}).encode("utf-8") + b"\n"
    result = connection.execution_options(yield_per=_BATCH).execute(select(table))
    for row in result:
        values = [_encode(value) for value in row]
        yield json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def _tables() -> list[Table]:
    return [table for table in Base.metadata.sorted_tables if table.name not in TRANSIENT]


@contextlib.contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            snapshot = connection.execution_options(isolation_level="REPEATABLE READ")
            with snapshot.begin():
                snapshot.execute(text("SET TRANSACTION READ ONLY"))
                yield snapshot
        return
    # SQLite: copy the pages at once (the online backup API), then read the copy at leisure:
    # writers of the live database wait only for the copy, not for the whole dump.
    database = make_url(str(engine.url)).database
    if not database:
        raise DumpError("base SQLite sans fichier : rien à sauvegarder")
    with tempfile.TemporaryDirectory(prefix="egide-sauvegarde-") as folder:
        copy = Path(folder) / "copie.db"
        source = sqlite3.connect(database, timeout=30)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        snapshot_engine = create_engine(f"sqlite:///{copy}")
        try:
            with snapshot_engine.connect() as connection:
                yield connection
        finally:
            snapshot_engine.dispose()


def dump_database(engine: Engine, emit: Callable[[str, Iterable[bytes]], None]) -> dict[str, Any]:
    """Hand each table's lines to ``emit(member_name, lines)``; what the dump holds (the
    schema's revision and each table's row count), for the archive's manifest."""
    counts: dict[str, int] = {}
    with _snapshot(engine) as connection:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        for table in _tables():
            lines = _rows(connection, table)
            counted = _Counted(lines)
            emit(f"base/{table.name}.jsonl", counted)
            counts[table.name] = counted.rows
    return {"revision": revision, "tables": counts}


class _Counted:
    def __init__(self, lines: Iterator[bytes]) -> None:
        self._lines = lines
        self.rows = -1  # the header line is not a row

    def __iter__(self) -> Iterator[bytes]:
        for line in self._lines:
            self.rows += 1
            yield line


def load_database(
    engine: Engine, revision: str, members: Iterable[tuple[str, Iterable[bytes]]]
) -> dict[str, int]:
    """Into an empty database: the schema of ``revision``, the rows of each ``(member name,
    lines)`` in the dump's order, then the latest schema. Counts by table."""
    with engine.connect() as connection:
        if _has_table(connection, "alembic_version"):
            raise DumpError(
                "la base de destination n'est pas vide (elle a déjà un schéma Égide) : "
                "restaurez dans une base neuve ; rien n'a été modifié"
            )
    upgrade(engine, revision)
    counts: dict[str, int] = {}
    wanted = {f"base/{table.name}.jsonl": table.name for table in _tables()}
    with engine.begin() as connection:
        reflected = MetaData()
        reflected.reflect(connection)
        for name, lines in members:
            table = wanted.get(name)
            if table is None or table not in reflected.tables:
                continue
            counts[table] = _load(connection, reflected.tables[table], lines)
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection, reflected)
    upgrade(engine)
    return counts


def _has_table(connection: Connection, name: str) -> bool:
    from sqlalchemy import inspect

    return inspect(connection).has_table(name)


def _load(connection: Connection, table: Table, lines: Iterable[bytes]) -> int:
    iterator = iter(lines)
    try:
        header = json.loads(next(iterator))
    except (StopIteration, ValueError):
        raise DumpError(f"sauvegarde illisible : table {table.name} sans en-tête") from None
    columns = [str(name) for name in header.get("columns", [])]
    unknown = [name for name in columns if name not in table.columns]
    if unknown:
        raise DumpError(
            f"sauvegarde d'une autre version : colonnes inconnues dans {table.name} "
            f"({', '.join(unknown)})"
        )
    count = 0
    batch: list[dict[str, Any]] = []
    for line in iterator:
        values = json.loads(line)
        batch.append({name: _decode(value) for name, value in zip(columns, values, strict=True)})
        if len(batch) >= _BATCH:
            connection.execute(table.insert(), batch)
            count += len(batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)
        count += len(batch)
    return count


def _reset_sequences(connection: Connection, metadata: MetaData) -> None:
    """Rows came with their ids: the sequences of serial keys go on after the largest."""
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            if not column.autoincrement or str(column.type).upper() not in ("INTEGER", "BIGINT"):
                continue
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            ).scalar()
            if sequence is None:
                continue
            largest = connection.execute(select(func.max(column))).scalar()
            if largest is not None:
                connection.execute(
                    text("SELECT setval(:sequence, :value)"),
                    {"sequence": sequence, "value": largest},
                )
