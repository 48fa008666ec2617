"""The append-only, hash-chained audit log: ``<EGIDE_HOME>/audit/audit.jsonl``.

One JSON line per event, appended under an exclusive ``flock`` (so that several processes
keep the sequence in order) and flushed to disk (``fsync``) before :meth:`AuditLog.append`
returns; ``audit.head`` anchors the end of the chain (see :mod:`egide.audit.anchor`).

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

from egide.audit.anchor import read_anchor, write_anchor
from egide.audit.errors import AuditError, os_error_fr
from egide.audit.events import GENESIS_HASH, AuditEvent, Scalar, build_event, key_id
from egide.audit.files import FileLock, write_all
from egide.audit.keys import load_audit_key
from egide.audit.verify import VerifyReport, verify_chain
from egide.policy.levels import Level
from egide.policy.tiers import Tier

__all__ = ["AuditLog", "audit_log_path"]

_VERIFY_HINT = "lancez « egide audit verify » ; aucune action n'est effectuée sans audit"


def audit_log_path(home: Path) -> Path:
    return home / "audit" / "audit.jsonl"


class AuditLog:
    """``key`` seals the chain with HMAC-SHA-256; ``None`` falls back to plain SHA-256, which
    anyone able to edit the file can recompute (tests and throw-away setups only)."""

    def __init__(self, path: Path, *, key: bytes | None) -> None:
        self.path = Path(path)
        self.anchor_path = self.path.with_suffix(".head")
        self.lock_path = self.path.with_suffix(".lock")
        self.key = key

    @classmethod
    def open(cls, home: Path, *, environ: Mapping[str, str] | None = None) -> AuditLog:
        """The log of an Égide home, sealed with its key (created on first use)."""
        return cls(audit_log_path(home), key=load_audit_key(home, environ=environ))

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
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            lock = FileLock(self.lock_path)
        except OSError as exc:
            raise os_error_fr(exc, "d'écrire le journal d'audit dans", self.path.parent) from None
        with lock:
            event = self._append_locked(
                lambda seq, prev_hash: build_event(
                    seq=seq, prev_hash=prev_hash, key=self.key, user=user, action=action,
                    model=model, tier=tier, level=level, counts=counts, decision=decision,
                    extra=extra, now=now,
                )
            )  # fmt: skip
            write_anchor(self.anchor_path, event.seq, event.hash, self.key)
        return event

    def _append_locked(self, build: Callable[[int, str], AuditEvent]) -> AuditEvent:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            raise os_error_fr(exc, "d'ouvrir le journal d'audit", self.path) from None
        try:
            size = os.fstat(fd).st_size
            last_seq, last_hash = self._last_link(fd, size)
            self._check_anchor(last_seq, last_hash)
            event = build(last_seq + 1, last_hash)
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

    def _last_link(self, fd: int, size: int) -> tuple[int, str]:
        """Sequence number and hash of the last event, read from the end of the file."""
        if size == 0:
            return 0, GENESIS_HASH
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
        if event.key_id != key_id(self.key):
            raise AuditError(
                f"le journal d'audit {self.path} est scellé avec une autre clé : vérifiez "
                "EGIDE_AUDIT_KEY ou le fichier keys/audit.key ; aucune action n'est effectuée"
            )
        return event.seq, event.hash

    def _check_anchor(self, last_seq: int, last_hash: str) -> None:
        # Chaining onto a truncated log would overwrite the anchor and hide the truncation.
        try:
            anchor = read_anchor(self.anchor_path, self.key)
        except ValueError as exc:
            raise AuditError(
                f"le témoin de fin du journal d'audit {self.anchor_path} est {exc} ; "
                + _VERIFY_HINT
            ) from None
        except OSError as exc:
            raise os_error_fr(
                exc, "de lire le témoin du journal d'audit", self.anchor_path
            ) from None
        if anchor is None:
            consistent = last_seq == 0
        elif anchor.seq == last_seq:
            consistent = anchor.hash == last_hash
        else:
            consistent = anchor.seq < last_seq  # an anchor left behind by a crash
        if not consistent:
            raise AuditError(
                f"le journal d'audit {self.path} ne correspond plus à son témoin de fin "
                "(événements supprimés ou réécrits) ; " + _VERIFY_HINT
            )

    def verify(self) -> VerifyReport:
        """Check the whole chain and its anchor; a copy in a read-only folder can be checked."""
        try:
            lock = FileLock(self.lock_path, shared=True)
        except OSError:  # no lock to share: nobody can be appending there
            return verify_chain(self.path, self.anchor_path, self.key)
        with lock:
            return verify_chain(self.path, self.anchor_path, self.key)

    def events(self) -> Iterator[AuditEvent]:
        """Every event in file order, unverified (use :meth:`verify` for that)."""
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
