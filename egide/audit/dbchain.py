"""The audit chain kept in the database, for deployments of several processes and machines.

With PostgreSQL, web processes on several machines and the workers all append to one chain:
the events are rows of ``audit_events`` (the exact JSON line a file log would hold), and each
append is one transaction that first takes a lock every Égide process takes (a
transaction-scoped advisory lock on PostgreSQL; the write lock on SQLite), reads the end of the
chain, checks both anchors, inserts the next event and rewrites the head's sealed copy in
``store_meta``. The database orders the appends: two processes can never chain onto the same
event, and the sequence number is the primary key besides.

The anchors keep their meaning: the database copy of the head is written in the same
transaction as the event; ``audit.head`` in each machine's audit folder becomes that machine's
*witness* — the last event it appended or saw — written after the commit. A database
administrator who deletes the last events (and puts back an older head) is caught by any
witness that saw them; someone who can write one machine's folder cannot move the database.
Since other machines append in between, a witness may be any number of events behind, but
never ahead of the chain, and its hash must be the chain's at its sequence number.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from egide.audit.errors import AuditError
from egide.audit.events import GENESIS_HASH, AuditEvent
from egide.audit.keys import key_after
from egide.store.db import explain_database_error
from egide.store.models import StoreMeta
from egide.store.shared import AuditEventRow

__all__ = ["ChainEnd", "DatabaseChain", "HEAD_ROW"]

HEAD_ROW = "audit_head"
# Any constant will do, as long as every Égide process uses the same one ("AUDT" in ASCII).
_APPEND_LOCK_ID = 0x41554454
_WHERE = "journal d'audit en base"
_BATCH = 1000


@dataclass(frozen=True, slots=True)
class ChainEnd:
    """The last two links of the chain, and the sealed head copy, read under the lock."""

    last_seq: int
    last_hash: str
    before_last: str
    last_key_id: str  # "" when the chain is empty
    head_copy: bytes | None
    next_key_id: str = ""  # the key that seals the next event ("" when the chain is empty)


class DatabaseChain:
    """Appends and reads of the chain in one database (the store's engine)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _fail(self, exc: DBAPIError, doing: str) -> AuditError:
        return AuditError(
            f"{_WHERE} : impossible {doing} ({explain_database_error(exc)}) ; "
            "l'action demandée n'est pas effectuée"
        )

    @staticmethod
    def _lock(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _APPEND_LOCK_ID})
        else:
            # SQLite: a write statement first takes the database's write lock for the whole
            # transaction (pysqlite opens it before any UPDATE), so reads below see the end.
            connection.execute(
                update(StoreMeta).where(StoreMeta.name == HEAD_ROW).values(name=HEAD_ROW)
            )

    def append(
        self,
        make: Callable[[ChainEnd, Callable[[int], str | None]], AuditEvent],
        encode_head: Callable[[AuditEvent], bytes],
    ) -> AuditEvent:
        """Under the lock: read the end, let ``make`` check it and build the next event (it
        raises AuditError to refuse; its second argument reads the hash of any event), insert
        it and rewrite the head copy; all in one transaction."""
        try:
            with self.engine.begin() as connection:
                self._lock(connection)
                end = self._end(connection)
                event = make(end, lambda seq: self.hash_at(seq, connection))
                line = json.dumps(event.to_record(), ensure_ascii=False, separators=(",", ":"))
                connection.execute(insert(AuditEventRow).values(seq=event.seq, record=line))
                _write_head(connection, encode_head(event), exists=end.head_copy is not None)
        except DBAPIError as exc:
            raise self._fail(exc, "d'ajouter l'événement") from None
        return event

    def end(self) -> ChainEnd:
        """The end of the chain as it stands (outside any append)."""
        try:
            with self.engine.connect() as connection:
                return self._end(connection)
        except DBAPIError as exc:
            raise self._fail(exc, "de lire la fin de la chaîne") from None

    def _end(self, connection: Connection) -> ChainEnd:
        rows = connection.execute(
            select(AuditEventRow.record).order_by(AuditEventRow.seq.desc()).limit(1)
        ).all()
        head = connection.execute(
            select(StoreMeta.value).where(StoreMeta.name == HEAD_ROW)
        ).scalar_one_or_none()
        copy = None if head is None else bytes(head)
        if not rows:
            return ChainEnd(0, GENESIS_HASH, GENESIS_HASH, "", copy)
        try:
            last = AuditEvent.from_record(json.loads(rows[0].record))
        except ValueError:
            raise AuditError(
                f"{_WHERE} : le dernier événement est illisible ; lancez « egide audit verify » ; "
                "aucune action n'est effectuée"
            ) from None
        return ChainEnd(last.seq, last.hash, last.prev_hash, last.key_id, copy, key_after(last))

    def hash_at(self, seq: int, connection: Connection | None = None) -> str | None:
        """The hash of event ``seq`` as the database holds it (None when there is none)."""
        query = select(AuditEventRow.record).where(AuditEventRow.seq == seq)
        try:
            with contextlib.ExitStack() as stack:
                if connection is None:
                    connection = stack.enter_context(self.engine.connect())
                record = connection.execute(query).scalar_one_or_none()
        except DBAPIError as exc:
            raise self._fail(exc, "de lire l'événement") from None
        if record is None:
            return None
        try:
            value = json.loads(record).get("hash")
        except (ValueError, AttributeError):
            return None
        return value if isinstance(value, str) else None

    def last_seq(self) -> int:
        """The sequence number of the last event (0 when none): the dashboard's change mark."""
        try:
            with self.engine.connect() as connection:
                found = connection.execute(select(func.max(AuditEventRow.seq))).scalar()
        except DBAPIError as exc:
            raise self._fail(exc, "de lire la fin de la chaîne") from None
        return int(found or 0)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[tuple[bytes | None, Iterator[bytes]]]:
        """The head copy and every event's line, in order, as of one instant.

        On PostgreSQL the reads share one REPEATABLE READ snapshot, so that appends made while
        a long chain is read never make the head look older than the events read.
        """
        try:
            with self.engine.connect() as connection:
                if connection.dialect.name == "postgresql":
                    connection = connection.execution_options(isolation_level="REPEATABLE READ")
                with connection.begin():
                    head = connection.execute(
                        select(StoreMeta.value).where(StoreMeta.name == HEAD_ROW)
                    ).scalar_one_or_none()
                    yield (None if head is None else bytes(head)), self._lines(connection)
        except DBAPIError as exc:
            raise self._fail(exc, "de lire la chaîne") from None

    @staticmethod
    def _lines(connection: Connection) -> Iterator[bytes]:
        # By ranges of sequence numbers: a chain of millions of events is never held at once,
        # and a gap or a duplicate is left for verification to see in the lines themselves.
        after = -1
        while True:
            rows = connection.execute(
                select(AuditEventRow.seq, AuditEventRow.record)
                .where(AuditEventRow.seq > after)
                .order_by(AuditEventRow.seq)
                .limit(_BATCH)
            ).all()
            if not rows:
                return
            for row in rows:
                yield row.record.encode("utf-8") + b"\n"
            after = rows[-1].seq

    def is_empty(self) -> bool:
        return self.last_seq() == 0

    def import_lines(self, lines: list[bytes], encode_head: Callable[[AuditEvent], bytes]) -> int:
        """Copy a file log's verified events into an empty chain (a deployment moving to
        PostgreSQL keeps its history); nothing when the chain already holds events."""
        try:
            with self.engine.begin() as connection:
                self._lock(connection)
                end = self._end(connection)
                if end.last_seq:
                    return 0
                last: AuditEvent | None = None
                for raw in lines:
                    record = raw.rstrip(b"\n").decode("utf-8")
                    last = AuditEvent.from_record(json.loads(record))
                    connection.execute(insert(AuditEventRow).values(seq=last.seq, record=record))
                if last is not None:
                    _write_head(connection, encode_head(last), exists=end.head_copy is not None)
        except DBAPIError as exc:
            raise self._fail(exc, "d'importer le journal") from None
        return len(lines)


def _write_head(connection: Connection, value: bytes, *, exists: bool) -> None:
    if exists:
        connection.execute(update(StoreMeta).where(StoreMeta.name == HEAD_ROW).values(value=value))
    else:
        connection.execute(insert(StoreMeta).values(name=HEAD_ROW, value=value))
