"""Verification of the audit chain: the first broken event or anchor, and why, in French."""

from __future__ import annotations

import contextlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from egide.audit.anchor import Anchor, ExportedAnchor, decode_anchor, read_anchor
from egide.audit.errors import os_error_fr
from egide.audit.events import GENESIS_HASH, AuditEvent, seal
from egide.audit.heads import MAX_LAG, Mark, head_problem
from egide.audit.keys import KeySource, key_after, key_for
from egide.audit.mirror import HeadStore
from egide.policy.wording import format_int_fr

__all__ = ["VerifyReport", "verify_chain"]

FILE_HEAD = "le témoin de fin"
DB_HEAD = "la copie du témoin en base"
EXPORTED = "l'ancre exportée"


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """``problem`` is a stable code: ok, modified, reordered, unreadable, wrong_key,
    truncated, anchor (``audit.head``), mirror (its database copy), export (an anchor
    exported by the operator). ``count`` is the number of events found intact before the
    break."""

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
    "retired_key": "scellé avec une clé d'audit remplacée par une rotation antérieure : elle ne "
    "scelle plus rien après l'événement de rotation, cet événement est donc un faux",
}


def _intact(count: int, exported: ExportedAnchor | None) -> VerifyReport:
    if count == 0:
        message = "chaîne d'audit intègre : aucun événement enregistré"
    elif count == 1:
        message = "chaîne d'audit intègre : 1 événement vérifié"
    else:
        message = f"chaîne d'audit intègre : {format_int_fr(count)} événements vérifiés"
    if exported is not None:
        message += (
            f" ; l'ancre exportée le {exported.exported_at} (événement n° "
            f"{format_int_fr(exported.seq)}) est retrouvée à l'identique"
        )
    return VerifyReport(True, count, None, "ok", message)


def _broken_at(seq: int, problem: str, count: int, what: str | None = None) -> VerifyReport:
    message = (
        f"chaîne d'audit rompue à l'événement n° {format_int_fr(seq)} : {what or _WHAT[problem]}"
    )
    return VerifyReport(False, count, seq, problem, message)


def _broken_anchor(count: int, what: str, problem: str = "anchor") -> VerifyReport:
    message = (
        f"chaîne d'audit rompue : {what} ; la suppression des derniers événements ne peut pas "
        f"être exclue ({format_int_fr(count)} événements intègres)"
    )
    return VerifyReport(False, count, None, problem, message)


def _read_copy(head_copy: HeadStore, key: KeySource) -> tuple[Anchor | None, str | None]:
    raw = head_copy.read()
    if raw is None:
        return None, None
    try:
        return decode_anchor(raw, key), None
    except ValueError as exc:
        return None, str(exc)


def verify_chain(
    log_path: Path,
    anchor_path: Path,
    key: KeySource,
    *,
    head_copy: HeadStore | None = None,
    exported: ExportedAnchor | None = None,
    chain_only: bool = False,
    lines: Iterable[bytes] | None = None,
) -> VerifyReport:
    """Check every event's seal and link, then each anchor; stop at the first break.

    ``head_copy`` is the database copy of the head (None: not checked); ``exported`` an
    anchor the operator kept elsewhere, which the log must still contain as it was;
    ``chain_only`` checks the events alone (before anchoring them again).

    ``lines`` are the events of a chain kept in the database (:mod:`egide.audit.dbchain`),
    instead of the file at ``log_path``: there the database copy is the head, required as
    soon as there are events, and ``audit.head`` is this machine's witness, which other
    machines' appends may leave any number of events behind (never ahead), and which a
    machine that never appended does not have.
    """
    in_database = lines is not None
    anchor: Anchor | None = None
    anchor_problem: str | None = None
    try:
        anchor = read_anchor(anchor_path, key)
    except ValueError as exc:
        anchor_problem = str(exc)
    except OSError as exc:
        raise os_error_fr(exc, "de lire le témoin de fin du journal d'audit", anchor_path) from None
    copy, copy_problem = _read_copy(head_copy, key) if head_copy else (None, None)
    wanted = {a.seq for a in (anchor, copy, exported) if a is not None}
    hashes: dict[int, str] = {}
    sealing_after: dict[int, str] = {}  # which key may seal the anchors of the wanted events
    sealing: str | None = None  # the key the next event must be sealed with (after a rotation)

    expected, previous = 1, GENESIS_HASH
    source: contextlib.AbstractContextManager[Iterable[bytes]] | None
    if lines is not None:
        source = contextlib.nullcontext(lines)
    else:
        try:
            source = log_path.open("rb")
        except FileNotFoundError:
            source = None
        except OSError as exc:
            raise os_error_fr(exc, "de lire le journal d'audit", log_path) from None
    if source is not None:
        with source as handle:
            for raw in handle:
                count = expected - 1
                if not raw.endswith(b"\n"):
                    return _broken_at(expected, "unreadable", count)
                try:
                    event = AuditEvent.from_record(json.loads(raw))
                except ValueError:  # also covers invalid JSON and invalid UTF-8
                    return _broken_at(expected, "unreadable", count)
                try:
                    event_key = key_for(key, event.key_id)
                except LookupError:
                    return _broken_at(expected, "wrong_key", count)
                if not hmac.compare_digest(seal(event.payload(), event_key), event.hash):
                    return _broken_at(expected, "modified", count)
                if event.seq != expected or event.prev_hash != previous:
                    return _broken_at(expected, "reordered", count)
                if sealing is not None and event.key_id != sealing:
                    return _broken_at(expected, "retired_key", count)
                sealing = key_after(event)
                if event.seq in wanted:
                    hashes[event.seq] = event.hash
                    sealing_after[event.seq] = sealing
                previous, expected = event.hash, expected + 1

    count = expected - 1
    if chain_only:
        return _intact(count, None)
    # Deleted events first: the most telling, whichever anchor reveals them.
    checks: list[tuple[Mark | None, str, str, int | None]] = [
        (anchor, FILE_HEAD, "anchor", None if in_database else MAX_LAG),
        (copy, DB_HEAD, "mirror", MAX_LAG),
        (exported, EXPORTED, "export", None),  # any age: the operator keeps it
    ]
    problems = []
    for found, where, code, max_lag in checks:
        if found is None:
            continue
        problem = head_problem(found, where, last_seq=count, hash_at=hashes.get, max_lag=max_lag)
        if problem is not None and problem.code == "truncated":
            return _broken_at(count + 1, "truncated", count, problem.message)
        if problem is not None:
            problems.append((code, problem.message))
        elif (
            code != "export"
            and found.seq in sealing_after
            and getattr(found, "key_id", None) != sealing_after[found.seq]
        ):
            problems.append((code, f"{where} est scellé avec une clé d'audit remplacée"))
    if anchor_problem is not None:
        return _broken_anchor(count, f"témoin de fin (audit.head) {anchor_problem}")
    if copy_problem is not None:
        return _broken_anchor(count, f"copie du témoin en base {copy_problem}", "mirror")
    if in_database and copy is None and count > 0:
        return _broken_anchor(count, "copie du témoin en base absente", "mirror")
    if anchor is None and count > 0 and not in_database:
        return _broken_anchor(count, "témoin de fin (audit.head) absent")
    if head_copy is not None and copy is None and anchor is not None and anchor.mirrored:
        return _broken_anchor(
            count,
            "copie du témoin en base absente alors que le témoin de fin (audit.head) en "
            "signale une",
            "mirror",
        )
    if problems:
        code, message = problems[0]
        return _broken_anchor(count, message, code)
    return _intact(count, exported)
