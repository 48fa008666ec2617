"""Re-encryption of the store after a key rotation: which values still need it, and doing it.

Every sealed column is listed here with the row id its values are bound to (see
:mod:`egide.store.crypto`); a test checks that no binary column is forgotten. The work goes by
batches of rows, each in its own short transaction, in primary-key order: the service keeps
running, an interruption loses nothing (a value is replaced only by the same text sealed with
the current key), and running it again resumes where it stopped, since only values not yet
sealed with the current key are selected. A value that the service changes meanwhile is left
to the service (the update only applies while the value is still the one read).
"""

from __future__ import annotations

import base64
import binascii
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Column, ColumnElement, Table, and_, func, select, tuple_, update

from egide.store.crypto import LEGACY_KEY_ID, StoreCipher, sealed_key_id
from egide.store.db import Store
from egide.store.errors import StoreError
from egide.store.models import Base

__all__ = [
    "NOT_SEALED",
    "SEALED_COLUMNS",
    "RekeyReport",
    "SealedColumn",
    "count_by_key",
    "reencrypt",
]

_TEXT_MARK = "sealed:"  # egide.store.batches: a sealed value kept in a text column


@dataclass(frozen=True)
class SealedColumn:
    table: str
    column: str
    row_id: tuple[str, ...] = ("id",)  # the columns the value is bound to, joined by ":"
    text: bool = False  # base64 after "sealed:" in a text column (batch_jobs)
    skip: dict[str, str] = field(default_factory=dict)  # rows of these values hold no seal


SEALED_COLUMNS: tuple[SealedColumn, ...] = (
    SealedColumn("store_meta", "value", ("name",), skip={"name": "audit_head"}),
    SealedColumn("drafts", "title"),
    SealedColumn("drafts", "content"),
    SealedColumn("drafts", "source_name"),
    SealedColumn("users", "totp_secret"),
    SealedColumn("web_sessions", "totp_pending"),
    SealedColumn("web_sessions", "recovery_pending"),
    SealedColumn("web_sessions", "notice_pending"),
    SealedColumn("factor_changes", "payload", ("user_id",)),
    SealedColumn("conversations", "title"),
    SealedColumn("agent_profiles", "data", ("owner",)),
    SealedColumn("uploads", "name"),
    SealedColumn("uploads", "text"),
    SealedColumn("uploads", "sections"),
    SealedColumn("uploads", "warnings"),
    SealedColumn("work_requests", "title"),
    SealedColumn("work_requests", "prompt"),
    SealedColumn("work_requests", "answer"),
    SealedColumn("work_requests", "sent_digest"),
    SealedColumn("batch_jobs", "source_name"),
    SealedColumn("batch_jobs", "source_data"),
    SealedColumn("batch_jobs", "analysis", text=True),
    SealedColumn("batch_jobs", "error", text=True),
    SealedColumn("batch_jobs", "options", text=True),
    SealedColumn("batch_items", "entry", ("job_id", "item")),
    SealedColumn("kb_documents", "key"),
    SealedColumn("kb_documents", "name"),
    SealedColumn("kb_documents", "title"),
    SealedColumn("kb_documents", "warnings"),
    SealedColumn("kb_passages", "text", ("document_id", "ordinal")),
    SealedColumn("kb_passages", "heading", ("document_id", "ordinal")),
)
# Binary columns that hold no value sealed by the store's cipher.
NOT_SEALED = frozenset({"kb_passages.vector"})


@dataclass
class RekeyReport:
    """What a run did: values re-encrypted, values that could not be opened, time spent."""

    done: int = 0
    unreadable: list[str] = field(default_factory=list)  # "table.colonne ligne ID"
    seconds: float = 0.0
    stopped: bool = False  # asked to stop before the end: run again to finish

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _selected(spec: SealedColumn, table: Table) -> ColumnElement[bool]:
    column = table.c[spec.column]
    conditions: list[ColumnElement[bool]] = [column.is_not(None)]
    if spec.text:
        conditions.append(column.like(_TEXT_MARK + "%"))
    for name, value in spec.skip.items():
        conditions.append(table.c[name] != value)
    return and_(*conditions)


def _pending(spec: SealedColumn, table: Table, cipher: StoreCipher) -> ColumnElement[bool]:
    column = table.c[spec.column]
    prefix = cipher.sealed_prefix()
    if spec.text:
        mark = _TEXT_MARK + base64.urlsafe_b64encode(prefix).decode("ascii")
        return and_(_selected(spec, table), func.substr(column, 1, len(mark)) != mark)
    return and_(_selected(spec, table), func.substr(column, 1, len(prefix)) != prefix)


def _decode(spec: SealedColumn, value: object) -> bytes:
    if not spec.text:
        return bytes(value)  # type: ignore[call-overload]
    try:
        return base64.urlsafe_b64decode(str(value)[len(_TEXT_MARK) :])
    except (binascii.Error, ValueError):
        return b""


def _encode(spec: SealedColumn, blob: bytes) -> object:
    if not spec.text:
        return blob
    return _TEXT_MARK + base64.urlsafe_b64encode(blob).decode("ascii")


def count_by_key(store: Store) -> Counter[str]:
    """How many sealed values each key fingerprint holds (LEGACY_KEY_ID: the first format,
    whose key is not written), across every sealed column."""
    counts: Counter[str] = Counter()
    with store.engine.connect() as connection:
        for spec in SEALED_COLUMNS:
            table = _table(spec.table)
            column = table.c[spec.column]
            if spec.text:  # a few rows per batch: read in Python
                for (value,) in connection.execute(select(column).where(_selected(spec, table))):
                    counts[sealed_key_id(_decode(spec, value)) or LEGACY_KEY_ID] += 1
                continue
            version = func.substr(column, 1, 1)
            head = func.substr(column, 1, 9)
            legacy = connection.execute(
                select(func.count()).where(_selected(spec, table), version == b"\x01")
            ).scalar_one()
            if legacy:
                counts[LEGACY_KEY_ID] += int(legacy)
            rows = connection.execute(
                select(head, func.count())
                .where(_selected(spec, table), version == b"\x02")
                .group_by(head)
            ).all()
            for prefix, number in rows:
                counts[sealed_key_id(bytes(prefix)) or LEGACY_KEY_ID] += int(number)
    return counts


def reencrypt(
    store: Store,
    *,
    batch: int = 500,
    pause_s: float = 0.0,
    progress: Callable[[str, int], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> RekeyReport:
    """Seal again with the current key every value sealed with another key (or the first
    format), ``batch`` rows per transaction, ``pause_s`` between two transactions (to leave
    room to the service). ``progress(table.column, done so far)`` after each batch; ``stop()``
    true ends the pass after the batch in hand (``report.stopped``: run it again to finish)."""
    cipher = store.cipher
    report = RekeyReport()
    started = time.perf_counter()
    for spec in SEALED_COLUMNS:
        table = _table(spec.table)
        _reencrypt_column(store, cipher, spec, table, batch, pause_s, report, progress, stop)
        if report.stopped:
            break
    report.seconds = time.perf_counter() - started
    return report


def _reencrypt_column(
    store: Store,
    cipher: StoreCipher,
    spec: SealedColumn,
    table: Table,
    batch: int,
    pause_s: float,
    report: RekeyReport,
    progress: Callable[[str, int], None] | None,
    stop: Callable[[], bool] | None = None,
) -> None:
    keys: list[Column[object]] = list(table.primary_key.columns)
    bound = [table.c[name] for name in spec.row_id]
    column = table.c[spec.column]
    where = f"{spec.table}.{spec.column}"
    after: tuple[object, ...] | None = None
    while True:
        query = select(*keys, *bound, column).where(_pending(spec, table, cipher))
        if after is not None:
            query = query.where(tuple_(*keys) > tuple_(*after))
        query = query.order_by(*keys).limit(batch)
        with store.session() as session:
            rows = session.execute(query).all()
            if not rows:
                return
            for row in rows:
                key_values = tuple(row[: len(keys)])
                row_id = ":".join(str(v) for v in row[len(keys) : len(keys) + len(bound)])
                old = row[-1]
                try:
                    plain = cipher.open_bytes(
                        _decode(spec, old), table=spec.table, column=spec.column, row_id=row_id
                    )
                except StoreError:
                    report.unreadable.append(f"{where} ligne {row_id}")
                    continue
                sealed = cipher.seal_bytes(
                    plain, table=spec.table, column=spec.column, row_id=row_id
                )
                changed = session.execute(
                    update(table)
                    .where(*(k == v for k, v in zip(keys, key_values, strict=True)), column == old)
                    .values({spec.column: _encode(spec, sealed)})
                )
                report.done += int(getattr(changed, "rowcount", 0) or 0)
            after = tuple(rows[-1][: len(keys)])
        if progress is not None:
            progress(where, report.done)
        if stop is not None and stop():
            report.stopped = True
            return
        if pause_s > 0:
            time.sleep(pause_s)
