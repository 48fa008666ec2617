"""The audit chain kept in the database (PostgreSQL deployments): one chain for every process
and machine, appends serialised by the database, each machine's ``audit.head`` a witness.

These tests run here on SQLite (the same statements, the database's write lock) and, bound under
their own names in ``tests/integration/test_shared_state.py``, on a real PostgreSQL server.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, delete, select, update

from egide.audit import AuditError, AuditLog
from egide.audit.dbchain import HEAD_ROW, DatabaseChain
from egide.audit.mirror import DatabaseHead
from egide.store.db import upgrade
from egide.store.models import StoreMeta
from egide.store.shared import AuditEventRow

KEY = b"cle-de-test-fictive-0123456789abcdef"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'partagee.db'}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    created = create_engine(
        database_url, connect_args={"timeout": 30} if "sqlite" in database_url else {}
    )
    upgrade(created)
    yield created
    created.dispose()


def machine(folder: Path, engine: Engine, *, key: bytes = KEY) -> AuditLog:
    """The log as one machine's processes open it: their own audit folder, the shared base."""
    return AuditLog(
        folder / "audit" / "audit.jsonl",
        key=key,
        head_copy=DatabaseHead(str(engine.url), engine=engine),
        chain=DatabaseChain(engine),
    )


def record(log: AuditLog, n: int, user: str = "agent") -> None:
    for i in range(n):
        log.append(user=user, action="summarize", counts={"PERSON": i}, extra={"i": i})


def test_two_machines_append_to_one_chain_that_verifies_from_either(
    tmp_path: Path, engine: Engine
) -> None:
    first, second = machine(tmp_path / "a", engine), machine(tmp_path / "b", engine)
    record(first, 3, "agent-a")
    record(second, 2, "agent-b")
    record(first, 1, "agent-a")
    events = list(first.events())
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert [e.user for e in events] == ["agent-a"] * 3 + ["agent-b"] * 2 + ["agent-a"]
    for log in (first, second):
        report = log.verify()
        assert report.ok, report.message_fr
        assert report.count == 6
    # Each machine's witness is the last event it appended; nothing is written beside it.
    assert not (tmp_path / "a" / "audit" / "audit.jsonl").exists()
    assert json.loads(first.anchor_path.read_bytes())["seq"] == 6
    assert json.loads(second.anchor_path.read_bytes())["seq"] == 5


def test_concurrent_appends_from_many_threads_and_logs_never_fork(
    tmp_path: Path, engine: Engine
) -> None:
    logs = [machine(tmp_path / name, engine) for name in ("a", "b", "c")]
    errors: list[BaseException] = []

    def work(log: AuditLog, who: str) -> None:
        try:
            record(log, 15, who)
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(log, f"agent-{i}-{t}"))
        for i, log in enumerate(logs)
        for t in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    report = logs[0].verify()
    assert report.ok, report.message_fr
    assert report.count == 90
    assert [e.seq for e in logs[1].events()] == list(range(1, 91))


def test_deleting_the_last_events_and_putting_back_an_older_head_is_caught(
    tmp_path: Path, engine: Engine
) -> None:
    """What a database administrator alone can do: the witness of the machine that appended
    the deleted events refuses the next append, and verification says events are missing."""
    log = machine(tmp_path / "a", engine)
    record(log, 3)
    with engine.begin() as connection:
        older_head = connection.execute(
            select(StoreMeta.value).where(StoreMeta.name == HEAD_ROW)
        ).scalar_one()
    record(log, 2)
    with engine.begin() as connection:
        connection.execute(delete(AuditEventRow).where(AuditEventRow.seq > 3))
        connection.execute(
            update(StoreMeta).where(StoreMeta.name == HEAD_ROW).values(value=older_head)
        )
    report = log.verify()
    assert not report.ok
    assert report.problem == "truncated"
    with pytest.raises(AuditError, match="supprimé"):
        record(log, 1)
    # A machine that never saw the deleted events cannot tell; the one that did tells everyone.
    assert machine(tmp_path / "nouvelle", engine).verify().ok


def test_an_edited_event_breaks_verification(tmp_path: Path, engine: Engine) -> None:
    log = machine(tmp_path / "a", engine)
    record(log, 4)
    with engine.begin() as connection:
        line = connection.execute(
            select(AuditEventRow.record).where(AuditEventRow.seq == 2)
        ).scalar_one()
        edited = line.replace('"user":"agent"', '"user":"autre"')
        connection.execute(
            update(AuditEventRow).where(AuditEventRow.seq == 2).values(record=edited)
        )
    report = log.verify()
    assert (report.ok, report.problem, report.broken_seq) == (False, "modified", 2)


def test_a_deleted_head_copy_stops_every_append(tmp_path: Path, engine: Engine) -> None:
    log = machine(tmp_path / "a", engine)
    record(log, 2)
    with engine.begin() as connection:
        connection.execute(delete(StoreMeta).where(StoreMeta.name == HEAD_ROW))
    assert log.verify().problem == "mirror"
    with pytest.raises(AuditError, match="copie de son témoin en base a disparu"):
        record(machine(tmp_path / "b", engine), 1)


def test_a_chain_sealed_with_another_key_is_refused(tmp_path: Path, engine: Engine) -> None:
    record(machine(tmp_path / "a", engine), 1)
    stranger = machine(tmp_path / "b", engine, key=b"une-autre-cle-fictive-0123456789")
    with pytest.raises(AuditError, match="autre clé"):
        record(stranger, 1)


def test_a_file_log_is_taken_over_by_an_empty_database_chain(
    tmp_path: Path, engine: Engine
) -> None:
    """A deployment moving from SQLite to PostgreSQL keeps its audit history."""
    folder = tmp_path / "a"
    before = AuditLog(
        folder / "audit" / "audit.jsonl",
        key=KEY,
        head_copy=DatabaseHead(f"sqlite:///{tmp_path / 'ancienne.db'}"),
    )
    record(before, 3)
    after = machine(folder, engine)
    record(after, 2)
    assert [e.seq for e in after.events()] == [1, 2, 3, 4, 5]
    report = after.verify()
    assert report.ok and report.count == 5


def test_reanchoring_records_where_the_heads_stood(tmp_path: Path, engine: Engine) -> None:
    log = machine(tmp_path / "a", engine)
    record(log, 3)
    with engine.begin() as connection:
        connection.execute(delete(StoreMeta).where(StoreMeta.name == HEAD_ROW))
    event = log.reanchor(user="cli:exploitant")
    assert (event.seq, event.action, event.extra["db_head_seq"]) == (
        4,
        "audit_reanchored",
        "absent",
    )
    assert log.verify().ok
    record(log, 1)
