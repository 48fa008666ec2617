"""The rule every anchor obeys, for appends and for verification alike.

An anchor (``audit.head`` or its database copy) is written right after each event, so a crash
can leave it one event behind the log, never more: the *crash tolerance is the last event*.
An anchor beyond the end of the log means its last events were deleted; an anchor two or more
events behind means it was replaced by an older one (rolled back); an anchor whose hash is
not the log's at its sequence number means the chain was rewritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from egide.policy.wording import format_int_fr

__all__ = ["MAX_LAG", "HeadProblem", "Mark", "head_problem"]

MAX_LAG = 1  # events a crash can leave between the log and an anchor


class Mark(Protocol):
    """An anchor of any kind: the sequence number and hash of the event it points at."""

    @property
    def seq(self) -> int: ...

    @property
    def hash(self) -> str: ...


@dataclass(frozen=True, slots=True)
class HeadProblem:
    code: str  # truncated | rolled_back | rewritten
    message: str  # French, starts with where the anchor is


def head_problem(
    anchor: Mark,
    where: str,
    *,
    last_seq: int,
    hash_at: Callable[[int], str | None],
    max_lag: int | None = MAX_LAG,
) -> HeadProblem | None:
    """None when ``anchor`` agrees with a log ending at ``last_seq``.

    ``hash_at(seq)`` is the hash of the event ``seq`` of the log (None when unknown);
    ``max_lag`` None accepts an anchor of any age (an exported one).
    """
    n = format_int_fr
    if anchor.seq > last_seq:
        missing = anchor.seq - last_seq
        return HeadProblem(
            "truncated",
            f"{n(missing)} dernier(s) événement(s) supprimé(s) ({where} en annonce "
            f"{n(anchor.seq)}, le journal en contient {n(last_seq)})",
        )
    if max_lag is not None and last_seq - anchor.seq > max_lag:
        return HeadProblem(
            "rolled_back",
            f"{where} s'arrête à l'événement n° {n(anchor.seq)} alors que le journal en contient "
            f"{n(last_seq)} ; un arrêt brutal n'en laisse qu'un au plus hors du témoin : "
            "celui-ci a été remplacé par une version plus ancienne",
        )
    if anchor.seq < 1 or hash_at(anchor.seq) != anchor.hash:
        return HeadProblem("rewritten", f"{where} ne correspond pas au journal (chaîne réécrite)")
    return None
