"""The append-only, hash-chained audit log: ``<EGIDE_HOME>/audit/audit.jsonl``.

One JSON line per event, appended under an exclusive ``flock`` (so that several processes
keep the sequence in order) and flushed to disk (``fsync``) before :meth:`AuditLog.append`
returns; ``audit.head`` and its copy in the database anchor the end of the chain (see
:mod:`egide.audit.anchor`). Both are checked before each append, so that nothing chains onto a
log whose last events were deleted, and rewritten after it: a crash leaves them one event
behind at most.

With PostgreSQL, the chain lives in the database instead (:mod:`egide.audit.dbchain`), so that
every web process and worker, on every machine, appends to one chain serialised by the
database; ``audit.head`` is then each machine's witness of the last event it appended.

The pipeline must fail closed: when :meth:`AuditLog.append` raises :class:`AuditError` (disk
full, folder not writable, log tampered with), the caller does not perform — or does not
deliver — the action it was about to record.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from egide.audit.anchor import (
    Anchor,
    ExportedAnchor,
    decode_anchor,
    encode_anchor,
    read_anchor,
    write_anchor,
)
from egide.audit.dbchain import ChainEnd, DatabaseChain
from egide.audit.errors import AuditError, os_error_fr
from egide.audit.events import GENESIS_HASH, AuditEvent, Scalar, build_event, key_id
from egide.audit.files import FileLock, write_all
from egide.audit.heads import head_problem
from egide.audit.keys import (
    ROTATION_ACTION,
    KeySource,
    current_key,
    key_after,
    key_for,
    load_audit_keyring,
)
from egide.audit.mirror import DatabaseHead, HeadStore
from egide.audit.verify import DB_HEAD, FILE_HEAD, VerifyReport, verify_chain
from egide.audit.witness import (
    FixedHead,
    advance_witness,
    anchor_key,
    database_anchor_problem,
    database_events,
    import_file_log,
)
from egide.config import Settings
from egide.policy.levels import Level
from egide.policy.tiers import Tier

__all__ = ["AuditLog", "audit_log_path"]

_VERIFY_HINT = "lancez « egide audit verify » ; aucune action n'est effectuée sans audit"


def audit_log_path(home: Path) -> Path:
    return home / "audit" / "audit.jsonl"


class AuditLog:
    """``key`` seals the chain with HMAC-SHA-256; ``None`` falls back to plain SHA-256, which
    anyone able to edit the file can recompute (tests and throw-away setups only).

    ``head_copy`` keeps a copy of the head away from the audit folder (the database);
    ``read_only`` logs refuse to append (see :meth:`open`); ``chain`` keeps the events in the
    database instead of ``path`` (then ``audit.head`` is this machine's witness).
    """

    def __init__(
        self,
        path: Path,
        *,
        key: KeySource,
        head_copy: HeadStore | None = None,
        read_only: bool = False,
        chain: DatabaseChain | None = None,
    ) -> None:
        self.path = Path(path)
        self.anchor_path = self.path.with_suffix(".head")
        self.lock_path = self.path.with_suffix(".lock")
        self.keys = key
        self.head_copy = head_copy
        self.read_only = read_only
        self.chain = chain
        self._imported = False
        self._observers: list[Callable[[AuditEvent], None]] = []

    @property
    def key(self) -> bytes | None:
        """The key a new chain starts with (after a rotation, the chain says which seals)."""
        return current_key(self.keys)

    @classmethod
    def open(
        cls,
        where: Settings | Path,
        *,
        environ: Mapping[str, str] | None = None,
        engine: Engine | None = None,
    ) -> AuditLog:
        """The log of an Égide installation, sealed with its key (created on first use).

        From its settings, the head is copied into the store's database at every append: that
        is how every part of Égide opens it; ``engine`` is the store's, when the caller has
        one open (one pool per process). With PostgreSQL the events themselves are kept in the
        database. From a bare ``EGIDE_HOME`` folder, the database is unknown: the log is
        read-only (events, and verification against ``audit.head`` alone), so that no append
        can leave the database copy behind.
        """
        if isinstance(where, Settings):
            home = Path(where.home)
            key = load_audit_keyring(home, environ=environ)
            url = where.database_url
            copy = DatabaseHead(url, engine=engine)
            chain = None
            if where.is_shared_database:
                chain = DatabaseChain(copy.engine())
            return cls(audit_log_path(home), key=key, head_copy=copy, chain=chain)
        ring = load_audit_keyring(where, environ=environ)
        return cls(audit_log_path(where), key=ring, read_only=True)

    @property
    def where(self) -> str:
        """Where the events are, for messages: the file, or the database."""
        return "(base de données)" if self.chain is not None else str(self.path)

    def append(
        self,
        *,
        user: str,
        action: str,
        model: str | None = None,
        tier: Tier | str | None = None,
        level: Level | str | None = None,
        counts: Mapping[str, int] | None = None,
        decision: str | None = None,
        extra: Mapping[str, Scalar] | None = None,
        now: datetime | None = None,
    ) -> AuditEvent:
        """Record one event durably (event, then anchor), or raise AuditError in French.

        ValueError (French) when a field looks like content or is malformed: nothing is written.
        """
        if action == ROTATION_ACTION and (extra or {}).get("kind") == "audit":
            raise ValueError("la rotation de la clé d'audit passe par AuditLog.rotate_key")
        return self._append(
            lambda seq, prev_hash, key: build_event(
                seq=seq, prev_hash=prev_hash, key=key, user=user, action=action,
                model=model, tier=tier, level=level, counts=counts, decision=decision,
                extra=extra, now=now,
            )
        )  # fmt: skip

    def reanchor(self, *, user: str) -> AuditEvent:
        """Anchor the log again as it stands, for an operator, after a restore left an anchor
        behind (the database restored alone, say): the seals and links of every event are
        checked first, and the event ``audit_reanchored`` records where each anchor stood, so
        that the break stays visible in the chain. Anchors exported earlier still apply.
        """

        def make(seq: int, prev_hash: str, key: bytes | None) -> AuditEvent:
            report = self._check(chain_only=True)
            if not report.ok:
                raise AuditError(
                    f"{report.message_fr} : la chaîne elle-même est atteinte, elle ne peut pas "
                    "être ancrée de nouveau ; restaurez le journal d'audit depuis une sauvegarde"
                )
            extra: dict[str, Scalar] = {
                "log_seq": report.count,
                "file_head_seq": _where(lambda: read_anchor(self.anchor_path, self.keys)),
                "db_head_seq": _where(self._read_copy),
            }
            return build_event(
                seq=seq, prev_hash=prev_hash, key=key, user=user,
                action="audit_reanchored", extra=extra,
            )  # fmt: skip

        return self._append(make, check_anchors=False)

    def rotate_key(self, new_key: bytes, *, user: str) -> AuditEvent:
        """Hand the chain over to ``new_key``: the event ``key_rotated``, sealed with the key
        that sealed the chain so far, names the new key's fingerprint (never the key); every
        later event is sealed with the new key, and the old one can no longer seal anything
        that verification accepts. ``new_key`` must be in this log's keyring already (the next
        key, deployed on every machine first), so that every process can follow."""
        new_id = key_id(new_key)

        def make(seq: int, prev_hash: str, key: bytes | None) -> AuditEvent:
            try:
                known = key_for(self.keys, new_id)
            except LookupError:
                known = None
            if known != new_key:
                raise AuditError(
                    f"la nouvelle clé d'audit {new_id} n'est pas dans le trousseau de ce "
                    "processus (keys/audit.next.key ou EGIDE_AUDIT_KEY_NEXT) : aucune rotation"
                )
            if key_id(key) == new_id:
                raise AuditError(f"la chaîne d'audit est déjà scellée avec la clé {new_id}")
            extra: dict[str, Scalar] = {
                "kind": "audit", "old_key_id": key_id(key), "new_key_id": new_id,
            }  # fmt: skip
            return build_event(
                seq=seq, prev_hash=prev_hash, key=key, user=user, action=ROTATION_ACTION,
                extra=extra,
            )  # fmt: skip

        return self._append(make)

    def sealing_key_id(self) -> str:
        """The fingerprint of the key that seals the next event (the chain's, or the current
        key's for an empty chain)."""
        if self.chain is not None:
            sealing = self.chain.end().next_key_id
        else:
            try:
                fd = os.open(self.path, os.O_RDONLY)
            except FileNotFoundError:
                return key_id(self.key)
            except OSError as exc:
                raise os_error_fr(exc, "de lire le journal d'audit", self.path) from None
            try:
                sealing = self._last_link(fd, os.fstat(fd).st_size)[3]
            finally:
                os.close(fd)
        return sealing or key_id(self.key)

    def observe(self, observer: Callable[[AuditEvent], None]) -> None:
        """Call ``observer`` with each event once it is recorded (metrics: it sees what the
        trail holds — actions, decisions, counts — never content). An observer's failure
        never undoes nor blocks the event."""
        self._observers.append(observer)

    def _sealing_key(self, kid: str) -> bytes | None:
        if not kid:
            return self.key
        try:
            return key_for(self.keys, kid)
        except LookupError:
            raise AuditError(
                f"le journal d'audit {self.where} est scellé avec une autre clé ({kid}) : "
                "vérifiez EGIDE_AUDIT_KEY ou le fichier keys/audit.key (et, après une rotation, "
                "keys/audit.next.key ou EGIDE_AUDIT_KEY_NEXT) ; aucune action n'est effectuée"
            ) from None

    def _append(
        self, make: Callable[[int, str, bytes | None], AuditEvent], *, check_anchors: bool = True
    ) -> AuditEvent:
        event = self._record(make, check_anchors=check_anchors)
        for observer in self._observers:
            with contextlib.suppress(Exception):
                observer(event)
        return event

    def _record(
        self, make: Callable[[int, str, bytes | None], AuditEvent], *, check_anchors: bool = True
    ) -> AuditEvent:
        if self.read_only:
            raise AuditError(
                f"le journal d'audit {self.path} est ouvert en lecture seule, sans la base de "
                "données qui garde la copie de son témoin : ouvrez-le depuis la configuration "
                "d'Égide (AuditLog.open(settings)) ; aucune action n'est effectuée"
            )
        if self.chain is not None:
            return self._append_to_database(self.chain, make, check_anchors=check_anchors)
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            lock = FileLock(self.lock_path)
        except OSError as exc:
            raise os_error_fr(exc, "d'écrire le journal d'audit dans", self.path.parent) from None
        with lock:
            event = self._append_locked(make, check_anchors=check_anchors)
            mirrored = self.head_copy is not None
            key = anchor_key(self.keys, event)
            write_anchor(self.anchor_path, event.seq, event.hash, key, mirrored=mirrored)
            if self.head_copy is not None:
                self.head_copy.write(encode_anchor(event.seq, event.hash, key, mirrored=True))
        return event

    def _append_locked(
        self, build: Callable[[int, str, bytes | None], AuditEvent], *, check_anchors: bool
    ) -> AuditEvent:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            raise os_error_fr(exc, "d'ouvrir le journal d'audit", self.path) from None
        try:
            size = os.fstat(fd).st_size
            last_seq, last_hash, before_last, sealing = self._last_link(fd, size)
            key = self._sealing_key(sealing)
            if check_anchors:
                self._check_anchors(last_seq, last_hash, before_last)
            event = build(last_seq + 1, last_hash, key)
            line = json.dumps(event.to_record(), ensure_ascii=False, separators=(",", ":"))
            try:
                write_all(fd, line.encode("utf-8") + b"\n")
                os.fsync(fd)
            except OSError as exc:
                # Never leave half a line behind: the next append would chain onto garbage.
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, size)
                raise os_error_fr(exc, "d'écrire le journal d'audit", self.path) from None
            return event
        finally:
            os.close(fd)

    def _last_link(self, fd: int, size: int) -> tuple[int, str, str, str]:
        """Sequence number, hash and previous hash of the last event, from the file's end,
        and the fingerprint of the key that seals the next one ("" for an empty log)."""
        if size == 0:
            return 0, GENESIS_HASH, GENESIS_HASH, ""
        try:
            tail = _read_last_line(fd, size)
            event = AuditEvent.from_record(json.loads(tail))
        except ValueError:
            raise AuditError(
                f"la dernière ligne du journal d'audit {self.path} est incomplète ou illisible ; "
                + _VERIFY_HINT
            ) from None
        except OSError as exc:
            raise os_error_fr(exc, "de lire le journal d'audit", self.path) from None
        return event.seq, event.hash, event.prev_hash, key_after(event)

    def _check_anchors(self, last_seq: int, last_hash: str, before_last: str) -> None:
        # Chaining onto a truncated log would overwrite the anchors and hide the truncation.
        anchor = self._read_file_anchor()
        copy = self._read_copy()
        if anchor is None and last_seq > 0:
            self._refuse("son témoin de fin (audit.head) a disparu")
        if self.head_copy is None and anchor is not None and anchor.mirrored:
            raise AuditError(
                f"le témoin du journal d'audit {self.path} a une copie en base : ouvrez le "
                "journal avec la configuration d'Égide (celle du service) pour y écrire ; "
                "aucune action n'est effectuée"
            )
        if copy is None and anchor is not None and anchor.mirrored:
            self._refuse("la copie de son témoin en base a disparu")

        def hash_at(seq: int) -> str | None:
            return {last_seq: last_hash, last_seq - 1: before_last}.get(seq)

        for found, where in ((anchor, FILE_HEAD), (copy, DB_HEAD)):
            if found is not None:
                problem = head_problem(found, where, last_seq=last_seq, hash_at=hash_at)
                if problem is not None:
                    self._refuse(problem.message)

    def _refuse(self, why: str) -> None:
        raise AuditError(
            f"le journal d'audit {self.where} ne correspond plus à son témoin de fin ({why}) ; "
            + _VERIFY_HINT
        )

    # -- the chain in the database -----------------------------------------------------------

    def _append_to_database(
        self,
        chain: DatabaseChain,
        make: Callable[[int, str, bytes | None], AuditEvent],
        *,
        check_anchors: bool,
    ) -> AuditEvent:
        if not self._imported:
            import_file_log(self.path, self.anchor_path, self.keys, chain)
            self._imported = True
        # Read before the transaction: a witness is written after its event's commit, so the
        # chain read under the lock is never behind it unless events were deleted.
        witness = self._read_file_anchor() if check_anchors else None

        def build(end: ChainEnd, hash_at: Callable[[int], str | None]) -> AuditEvent:
            key = self._sealing_key(end.next_key_id if end.last_seq else "")
            if check_anchors:
                problem = database_anchor_problem(end, witness, hash_at, self.keys)
                if problem is not None:
                    self._refuse(problem)
            return make(end.last_seq + 1, end.last_hash, key)

        def head(event: AuditEvent) -> bytes:
            return encode_anchor(event.seq, event.hash, anchor_key(self.keys, event), mirrored=True)

        event = chain.append(build, head)
        advance_witness(self.anchor_path, self.lock_path, event, self.keys)
        return event

    def _read_file_anchor(self) -> Anchor | None:
        try:
            return read_anchor(self.anchor_path, self.keys)
        except ValueError as exc:
            raise AuditError(
                f"le témoin de fin du journal d'audit {self.anchor_path} est {exc} ; "
                + _VERIFY_HINT
            ) from None
        except OSError as exc:
            raise os_error_fr(
                exc, "de lire le témoin du journal d'audit", self.anchor_path
            ) from None

    def _read_copy(self) -> Anchor | None:
        raw = self.head_copy.read() if self.head_copy is not None else None
        if raw is None:
            return None
        try:
            return decode_anchor(raw, self.keys)
        except ValueError as exc:
            raise AuditError(
                f"la copie en base du témoin du journal d'audit est {exc} ; " + _VERIFY_HINT
            ) from None

    def verify(self, *, exported: ExportedAnchor | None = None) -> VerifyReport:
        """Check the whole chain and its anchors (``exported``: one the operator kept
        elsewhere); a copy in a read-only folder can be checked."""

        def check() -> VerifyReport:
            return self._check(exported=exported)

        if self.chain is not None:
            return check()
        try:
            lock = FileLock(self.lock_path, shared=True)
        except OSError:  # no lock to share: nobody can be appending there
            return check()
        with lock:
            return check()

    def _check(
        self, *, exported: ExportedAnchor | None = None, chain_only: bool = False
    ) -> VerifyReport:
        if self.chain is None:
            copy = None if chain_only else self.head_copy
            return verify_chain(
                self.path, self.anchor_path, self.keys, head_copy=copy, exported=exported,
                chain_only=chain_only,
            )  # fmt: skip
        with self.chain.snapshot() as (head, lines):
            return verify_chain(
                self.path, self.anchor_path, self.keys, head_copy=FixedHead(head),
                exported=exported, chain_only=chain_only, lines=lines,
            )  # fmt: skip

    def stamp(self) -> tuple[int, int]:
        """A mark that changes whenever an event is appended (readers cache on it)."""
        if self.chain is not None:
            return (self.chain.last_seq(), 0)
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return (0, 0)
        return (stat.st_size, stat.st_mtime_ns)

    def events(self) -> Iterator[AuditEvent]:
        """Every event in order, unverified (use :meth:`verify` for that)."""
        if self.chain is not None:
            yield from database_events(self.chain)
            return
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            return
        except OSError as exc:
            raise os_error_fr(exc, "de lire le journal d'audit", self.path) from None
        with handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.endswith(b"\n"):
                    return  # an append in progress
                try:
                    event = AuditEvent.from_record(json.loads(raw))
                except ValueError:
                    raise AuditError(
                        f"ligne {number} du journal d'audit illisible ; lancez « egide audit verify »"
                    ) from None
                yield event


def _where(read: Callable[[], Anchor | None]) -> Scalar:
    """Where an anchor stood, for the record: its sequence number, or what was wrong with it."""
    try:
        anchor = read()
    except (ValueError, AuditError):
        return "illisible"
    return "absent" if anchor is None else anchor.seq


def _read_last_line(fd: int, size: int) -> bytes:
    """The last line, without its newline; ValueError when the file does not end with one."""
    if os.pread(fd, 1, size - 1) != b"\n":
        raise ValueError("dernière ligne incomplète")
    position, buffer = size - 1, b""  # buffer holds bytes [position, size - 1)
    while position > 0:
        step = min(4096, position)
        position -= step
        buffer = os.pread(fd, step, position) + buffer
        newline = buffer.rfind(b"\n")
        if newline >= 0:
            return buffer[newline + 1 :]
    return buffer
