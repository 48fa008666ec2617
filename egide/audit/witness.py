"""The anchors of a chain kept in the database (:mod:`egide.audit.dbchain`).

There, the head's sealed copy in ``store_meta`` is written in the same transaction as each
event: it must agree with the end of the chain (within the one event a crash tolerates, the
rule of :mod:`egide.audit.heads`). Each machine's ``audit.head`` is its *witness*: the last
event this machine appended, written after the commit. Other machines append meanwhile, so a
witness may be any number of events behind — but never ahead of the chain (its last events
were deleted), and its hash must be the chain's at its sequence number (the chain was
rewritten). A machine that never appended has no witness yet.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from egide.audit.anchor import Anchor, decode_anchor, encode_anchor, read_anchor, write_anchor
from egide.audit.dbchain import ChainEnd, DatabaseChain
from egide.audit.errors import AuditError, os_error_fr
from egide.audit.events import AuditEvent
from egide.audit.files import FileLock
from egide.audit.heads import MAX_LAG, head_problem
from egide.audit.keys import KeySource, key_after, key_for
from egide.audit.verify import DB_HEAD, FILE_HEAD, verify_chain

__all__ = [
    "FixedHead",
    "advance_witness",
    "anchor_key",
    "database_anchor_problem",
    "database_events",
    "import_file_log",
]

_VERIFY_HINT = "lancez « egide audit verify » ; aucune action n'est effectuée sans audit"


def database_anchor_problem(
    end: ChainEnd,
    witness: Anchor | None,
    hash_at: Callable[[int], str | None],
    key: KeySource,
) -> str | None:
    """Why nothing may be appended after ``end`` (French), or None."""
    copy = None
    if end.head_copy is not None:
        try:
            copy = decode_anchor(end.head_copy, key)
        except ValueError as exc:
            raise AuditError(
                f"la copie en base du témoin du journal d'audit est {exc} ; " + _VERIFY_HINT
            ) from None
    if copy is None and end.last_seq > 0:
        return "la copie de son témoin en base a disparu"
    if copy is not None:
        ends = {end.last_seq: end.last_hash, end.last_seq - 1: end.before_last}
        problem = head_problem(
            copy, DB_HEAD, last_seq=end.last_seq, hash_at=ends.get, max_lag=MAX_LAG
        )
        if problem is not None:
            return problem.message
    if witness is not None:
        problem = head_problem(
            witness, FILE_HEAD, last_seq=end.last_seq, hash_at=hash_at, max_lag=None
        )
        if problem is not None:
            return problem.message
    return None


def advance_witness(anchor_path: Path, lock_path: Path, event: AuditEvent, key: KeySource) -> None:
    """This machine's witness moves forward to ``event``, never back: the processes of one
    machine commit in one order and may come to write their witnesses in another. It is
    sealed with the key that seals the next event (the new one after a rotation)."""
    try:
        anchor_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock = FileLock(lock_path)
    except OSError as exc:
        raise os_error_fr(
            exc, "d'écrire le témoin du journal d'audit dans", anchor_path.parent
        ) from None
    with lock:
        try:
            current = read_anchor(anchor_path, key)
        except ValueError:
            current = None  # unreadable: replaced by a good one (verification reported it)
        except OSError as exc:
            raise os_error_fr(exc, "de lire le témoin du journal d'audit", anchor_path) from None
        if current is None or current.seq < event.seq:
            write_anchor(anchor_path, event.seq, event.hash, _sealing(key, event), mirrored=True)


def _sealing(keys: KeySource, event: AuditEvent) -> bytes | None:
    try:
        return key_for(keys, key_after(event))
    except LookupError:
        raise AuditError(
            f"la clé d'audit {key_after(event)} qui scelle la suite de la chaîne est inconnue "
            "de ce processus : déployez-la (EGIDE_AUDIT_KEY_NEXT ou keys/audit.next.key) ; "
            "aucune action n'est effectuée"
        ) from None


def anchor_key(keys: KeySource, event: AuditEvent) -> bytes | None:
    """The key that seals the anchors of ``event``: the one that will seal the next event."""
    return _sealing(keys, event)


def import_file_log(log_path: Path, anchor_path: Path, key: KeySource, chain: DatabaseChain) -> int:
    """A deployment that moves to PostgreSQL keeps its history: the events of this folder's
    file log are copied, once verified, into an empty chain. How many were copied."""
    try:
        has_file = log_path.stat().st_size > 0
    except FileNotFoundError:
        return 0
    except OSError as exc:
        raise os_error_fr(exc, "de lire le journal d'audit", log_path) from None
    if not has_file or not chain.is_empty():
        return 0
    report = verify_chain(log_path, anchor_path, key, chain_only=True)
    if not report.ok:
        raise AuditError(
            f"le journal d'audit {log_path} ne peut pas être repris en base : "
            f"{report.message_fr} ; restaurez-le depuis une sauvegarde"
        )
    with log_path.open("rb") as handle:
        lines = handle.readlines()

    def head(event: AuditEvent) -> bytes:
        return encode_anchor(event.seq, event.hash, _sealing(key, event), mirrored=True)

    return chain.import_lines(lines, head)


def database_events(chain: DatabaseChain) -> Iterator[AuditEvent]:
    """Every event of the chain in order, unverified."""
    with chain.snapshot() as (_head, lines):
        for raw in lines:
            try:
                event = AuditEvent.from_record(json.loads(raw))
            except ValueError:
                raise AuditError(
                    "événement illisible dans le journal d'audit en base ; lancez "
                    "« egide audit verify »"
                ) from None
            yield event


class FixedHead:
    """A head copy read once, in the snapshot of the events it is checked against."""

    def __init__(self, value: bytes | None) -> None:
        self._value = value

    def read(self) -> bytes | None:
        return self._value

    def write(self, data: bytes) -> None:
        raise AuditError("copie du témoin en lecture seule : rien n'est écrit")
