"""Verification of the audit chain: the first broken event, and why, in French."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from egide.audit.anchor import Anchor, read_anchor
from egide.audit.errors import os_error_fr
from egide.audit.events import GENESIS_HASH, AuditEvent, key_id, seal
from egide.policy.wording import format_int_fr

__all__ = ["VerifyReport", "verify_chain"]


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """``problem`` is a stable code: ok, modified, reordered, unreadable, wrong_key,
    truncated, anchor. ``count`` is the number of events found intact before the break."""

    ok: bool
    count: int
    broken_seq: int | None
    problem: str
    message_fr: str

    def __bool__(self) -> bool:
        return self.ok


_WHAT = {
    "modified": "contenu modifié",
    "reordered": "événement supprimé, inséré ou réordonné",
    "unreadable": "ligne illisible",
    "wrong_key": "scellé avec une autre clé d'audit (vérifiez EGIDE_AUDIT_KEY)",
}


def _intact(count: int) -> VerifyReport:
    if count == 0:
        message = "chaîne d'audit intègre : aucun événement enregistré"
    elif count == 1:
        message = "chaîne d'audit intègre : 1 événement vérifié"
    else:
        message = f"chaîne d'audit intègre : {format_int_fr(count)} événements vérifiés"
    return VerifyReport(True, count, None, "ok", message)


def _broken_at(seq: int, problem: str, count: int, what: str | None = None) -> VerifyReport:
    message = (
        f"chaîne d'audit rompue à l'événement n° {format_int_fr(seq)} : {what or _WHAT[problem]}"
    )
    return VerifyReport(False, count, seq, problem, message)


def _broken_anchor(count: int, what: str) -> VerifyReport:
    message = (
        f"chaîne d'audit rompue : témoin de fin (audit.head) {what} ; la suppression des "
        f"derniers événements ne peut pas être exclue ({format_int_fr(count)} événements intègres)"
    )
    return VerifyReport(False, count, None, "anchor", message)


def verify_chain(log_path: Path, anchor_path: Path, key: bytes | None) -> VerifyReport:
    """Check every event's seal and link, then the anchor; stop at the first break."""
    kid = key_id(key)
    anchor: Anchor | None = None
    anchor_problem: str | None = None
    try:
        anchor = read_anchor(anchor_path, key)
    except ValueError as exc:
        anchor_problem = str(exc)
    except OSError as exc:
        raise os_error_fr(exc, "de lire le témoin de fin du journal d'audit", anchor_path) from None

    expected, previous, hash_at_anchor = 1, GENESIS_HASH, None
    try:
        handle = log_path.open("rb")
    except FileNotFoundError:
        handle = None
    except OSError as exc:
        raise os_error_fr(exc, "de lire le journal d'audit", log_path) from None
    if handle is not None:
        with handle:
            for raw in handle:
                count = expected - 1
                if not raw.endswith(b"\n"):
                    return _broken_at(expected, "unreadable", count)
                try:
                    event = AuditEvent.from_record(json.loads(raw))
                except ValueError:  # also covers invalid JSON and invalid UTF-8
                    return _broken_at(expected, "unreadable", count)
                if event.key_id != kid:
                    return _broken_at(expected, "wrong_key", count)
                if not hmac.compare_digest(seal(event.payload(), key), event.hash):
                    return _broken_at(expected, "modified", count)
                if event.seq != expected or event.prev_hash != previous:
                    return _broken_at(expected, "reordered", count)
                if anchor is not None and event.seq == anchor.seq:
                    hash_at_anchor = event.hash
                previous, expected = event.hash, expected + 1

    count = expected - 1
    if anchor_problem is not None:
        return _broken_anchor(count, anchor_problem)
    if anchor is None:
        return _intact(0) if count == 0 else _broken_anchor(count, "absent")
    if anchor.seq > count:
        missing = anchor.seq - count
        return _broken_at(
            count + 1,
            "truncated",
            count,
            f"{format_int_fr(missing)} dernier(s) événement(s) supprimé(s) (le témoin de fin "
            f"en annonce {format_int_fr(anchor.seq)}, le journal en contient {format_int_fr(count)})",
        )
    if anchor.seq < 1 or hash_at_anchor != anchor.hash:
        return _broken_anchor(count, "ne correspond pas au journal (chaîne réécrite)")
    # anchor.seq < count is tolerated: a crash between writing an event and its anchor.
    return _intact(count)
