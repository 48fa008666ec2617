"""The chain's anchor, ``audit.head``: the last sequence number and hash, sealed.

A hash chain proves that nothing was changed, inserted or removed *before* its last event; it
cannot see the removal of its last events. The anchor, rewritten after each append, records
where the chain ended, so that a truncated log no longer matches it.

Residual risk: whoever holds the key (or, without a key, anyone who can write both files) can
truncate the log and rewrite the anchor consistently. Copy the anchor elsewhere (a backup, a
remote log collector) to narrow that window.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from egide.audit.errors import os_error_fr
from egide.audit.events import key_id, seal
from egide.audit.files import fsync_dir, write_all

__all__ = ["Anchor", "read_anchor", "write_anchor"]

_FIELDS = {"seq", "hash", "kid", "mac"}


@dataclass(frozen=True, slots=True)
class Anchor:
    seq: int
    hash: str
    key_id: str


def _mac(seq: int, last_hash: str, kid: str, key: bytes | None) -> str:
    return seal({"anchor": True, "seq": seq, "hash": last_hash, "kid": kid}, key)


def read_anchor(path: Path, key: bytes | None) -> Anchor | None:
    """None when there is no anchor; ValueError when it is unreadable or its seal is wrong."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        record = json.loads(raw)
    except ValueError:
        raise ValueError("illisible") from None
    if not isinstance(record, dict) or set(record) != _FIELDS:
        raise ValueError("illisible")
    seq, last_hash, kid, mac = (record[name] for name in ("seq", "hash", "kid", "mac"))
    if not (isinstance(seq, int) and isinstance(last_hash, str) and isinstance(kid, str)):
        raise ValueError("illisible")
    if kid != key_id(key):
        raise ValueError("scellé avec une autre clé d'audit")
    if mac != _mac(seq, last_hash, kid, key):
        raise ValueError("modifié")
    return Anchor(seq=seq, hash=last_hash, key_id=kid)


def write_anchor(path: Path, seq: int, last_hash: str, key: bytes | None) -> None:
    """Replace the anchor atomically and durably; raises AuditError in French."""
    kid = key_id(key)
    data = json.dumps(
        {"seq": seq, "hash": last_hash, "kid": kid, "mac": _mac(seq, last_hash, kid, key)}
    ).encode("ascii")
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".audit.head.", suffix=".tmp")
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        tmp = None
        fsync_dir(path.parent)
    except OSError as exc:
        raise os_error_fr(exc, "d'écrire le témoin de fin du journal d'audit", path) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
