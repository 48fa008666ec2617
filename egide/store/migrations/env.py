"""Alembic environment: runs on the connection handed over by ``open_store``.

``open_store`` passes its own connection in ``config.attributes["connection"]``, so that the
migrations run with the same engine settings as the application. Offline (SQL script) mode is
not supported: migrations always run against a live database.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection

from egide.store.models import Base

# Any constant will do, as long as every Égide process uses the same one ("EGID" in ASCII).
_MIGRATION_LOCK_ID = 0x45474944


def _lock(connection: Connection) -> None:
    """Serialise concurrent migrations of one database until this transaction ends.

    Processes starting together on a fresh database (server workers, a CLI command) would all
    run CREATE TABLE, and all but one would fail. Under this lock the others wait, then find
    the schema at head and change nothing.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
    elif connection.dialect.name == "sqlite" and not getattr(
        connection.connection.driver_connection, "in_transaction", True
    ):
        # pysqlite opens no transaction before DDL: take the write lock now, so that the version
        # check below already happens under it (waits up to the busy timeout).
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _run(connection: Connection) -> None:
    _lock(connection)
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds the table when a revision asks.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection and no sqlalchemy.url given to the migrations")
    engine = create_engine(url)
    try:
        with engine.begin() as own:
            _run(own)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported")
_main()
