"""The chain's anchors: where the chain ended (sequence number and hash), sealed with the key.

A hash chain proves that nothing was changed, inserted or removed *before* its last event; it
cannot see the removal of its last events, nor the removal of the whole log. Anchors kept in
places that an attacker does not control together can:

- ``audit.head``, beside the log, rewritten after each append;
- a copy of it in the database (:mod:`egide.audit.mirror`), written right after: someone who can
  write the audit folder but not the database (or the reverse) cannot move both back;
- an anchor exported by the operator (``egide audit anchor``) and kept off the server, which
  also holds against whoever has the audit key.

``audit.head`` says whether a database copy exists (``db``), so that deleting that copy is seen
too. Heads written before the copy existed (four fields) are still read.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from egide.audit.errors import os_error_fr
from egide.audit.events import key_id, seal
from egide.audit.files import fsync_dir, write_all
from egide.audit.keys import KeySource, key_for

__all__ = [
    "Anchor",
    "ExportedAnchor",
    "decode_anchor",
    "decode_export",
    "encode_anchor",
    "encode_export",
    "read_anchor",
    "write_anchor",
]

_LEGACY_FIELDS = {"seq", "hash", "kid", "mac"}
_FIELDS = {"seq", "hash", "kid", "db", "mac"}
_EXPORT_KIND = "egide-audit-anchor"
_EXPORT_FIELDS = {"kind", "seq", "hash", "kid", "exported_at", "mac"}


@dataclass(frozen=True, slots=True)
class Anchor:
    seq: int
    hash: str
    key_id: str
    mirrored: bool = False  # a copy is kept in the database: its absence is tampering


@dataclass(frozen=True, slots=True)
class ExportedAnchor:
    seq: int
    hash: str
    key_id: str
    exported_at: str  # ISO 8601, UTC


def _mac(seq: int, last_hash: str, kid: str, mirrored: bool | None, key: bytes | None) -> str:
    payload: dict[str, object] = {"anchor": True, "seq": seq, "hash": last_hash, "kid": kid}
    if mirrored is not None:  # heads of the first format did not carry the flag
        payload["db"] = mirrored
    return seal(payload, key)


def encode_anchor(seq: int, last_hash: str, key: bytes | None, *, mirrored: bool) -> bytes:
    kid = key_id(key)
    mac = _mac(seq, last_hash, kid, mirrored, key)
    record = {"seq": seq, "hash": last_hash, "kid": kid, "db": mirrored, "mac": mac}
    return json.dumps(record).encode("ascii")


def _record(raw: bytes, fields: set[str]) -> dict[str, object]:
    try:
        record = json.loads(raw)
    except ValueError:
        raise ValueError("illisible") from None
    if not isinstance(record, dict) or not set(record) <= fields:
        raise ValueError("illisible")
    return record


def decode_anchor(raw: bytes, keys: KeySource) -> Anchor:
    """ValueError (French, a past participle or adjective) when unreadable or wrongly sealed;
    the key is the one of ``keys`` the anchor names (whether it may seal there is the
    caller's check)."""
    record = _record(raw, _FIELDS)
    if set(record) not in (_FIELDS, _LEGACY_FIELDS):
        raise ValueError("illisible")
    seq, last_hash, kid, mac = (record[name] for name in ("seq", "hash", "kid", "mac"))
    mirrored = record.get("db")
    if not (
        isinstance(seq, int)
        and not isinstance(seq, bool)
        and isinstance(last_hash, str)
        and isinstance(kid, str)
        and (mirrored is None or isinstance(mirrored, bool))
    ):
        raise ValueError("illisible")
    try:
        key = key_for(keys, kid)
    except LookupError:
        raise ValueError("scellé avec une autre clé d'audit") from None
    if not isinstance(mac, str) or not hmac.compare_digest(
        mac, _mac(seq, last_hash, kid, mirrored, key)
    ):
        raise ValueError("modifié")
    return Anchor(seq=seq, hash=last_hash, key_id=kid, mirrored=bool(mirrored))


def read_anchor(path: Path, key: KeySource) -> Anchor | None:
    """None when there is no anchor; ValueError when it is unreadable or its seal is wrong."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    return decode_anchor(raw, key)


def write_anchor(
    path: Path, seq: int, last_hash: str, key: bytes | None, *, mirrored: bool = False
) -> None:
    """Replace the anchor atomically and durably; raises AuditError in French."""
    data = encode_anchor(seq, last_hash, key, mirrored=mirrored)
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


def _export_mac(seq: int, last_hash: str, kid: str, at: str, key: bytes | None) -> str:
    return seal({"export": True, "seq": seq, "hash": last_hash, "kid": kid, "at": at}, key)


def encode_export(anchor: ExportedAnchor, key: bytes | None) -> bytes:
    mac = _export_mac(anchor.seq, anchor.hash, anchor.key_id, anchor.exported_at, key)
    record = {
        "kind": _EXPORT_KIND,
        "seq": anchor.seq,
        "hash": anchor.hash,
        "kid": anchor.key_id,
        "exported_at": anchor.exported_at,
        "mac": mac,
    }
    return json.dumps(record, indent=1).encode("ascii") + b"\n"


def decode_export(raw: bytes, keys: KeySource) -> ExportedAnchor:
    """ValueError (French, a past participle or adjective) when unreadable or wrongly sealed."""
    record = _record(raw, _EXPORT_FIELDS)
    if set(record) != _EXPORT_FIELDS or record["kind"] != _EXPORT_KIND:
        raise ValueError("illisible (ce n'est pas une ancre exportée par « egide audit anchor »)")
    seq, last_hash, kid, at, mac = (
        record[name] for name in ("seq", "hash", "kid", "exported_at", "mac")
    )
    if not (isinstance(seq, int) and not isinstance(seq, bool) and seq >= 1):
        raise ValueError("illisible")
    if not (
        isinstance(last_hash, str)
        and isinstance(kid, str)
        and isinstance(at, str)
        and isinstance(mac, str)
    ):
        raise ValueError("illisible")
    try:
        key = key_for(keys, kid)
    except LookupError:
        raise ValueError("scellée avec une autre clé d'audit") from None
    if not hmac.compare_digest(mac, _export_mac(seq, last_hash, kid, at, key)):
        raise ValueError("modifiée")
    return ExportedAnchor(seq=seq, hash=last_hash, key_id=kid, exported_at=at)
