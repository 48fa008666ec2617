"""French identity card numbers: the 12-character CNI (until 2021) and the 9-character one since.

Neither number carries a check key where it is printed, so a context word is required.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from egide.guard.findings import Finding
from egide.guard.recognizers._keyed import LEFT, RIGHT, SEP, ContextWords
from egide.guard.registry import Recognizer, register_recognizer

__all__ = ["IdCardRecognizer", "id_card_recognizer"]

# Until 2021: year and month of issue, the issuing office (département + office, "923", "2A1"),
# then a five-digit serial: "880692310285", sometimes "8806 923 10285".
_OLD = rf"\d{{2}}(?:0[1-9]|1[0-2]){SEP}?[0-9A-Z]{{3}}{SEP}?\d{{5}}"
# Since 2021 (card in credit-card format): nine capital letters and digits, "X4RTBPFW4".
_NEW = r"[0-9A-Z]{9}"
# Never a piece of a compound reference such as "REF-X4RTBPFW4" or "X4RTBPFW4/2".
_PATTERN = re.compile(
    rf"{LEFT}(?<![\w\-/])(?:(?P<old>{_OLD})|(?P<new>{_NEW}))"
    rf"{RIGHT}(?![\-/]\w)"
)

_CONTEXT = ContextWords(
    (
        "carte d'identité", "carte nationale d'identité", "cni", "pièce d'identité",
        "cnie", "titre d'identité",
    ),
    after=30,
)  # fmt: skip

SCORE_OLD = 0.9
SCORE_NEW = 0.85


def _mixed(value: str) -> bool:
    # A nine-letter word in capitals ("IMPORTANT") or a plain number is not a card number.
    return any(ch.isdigit() for ch in value) and any(ch.isalpha() for ch in value)


class IdCardRecognizer:
    """CNI numbers, only next to words such as "carte d'identité" or "CNI"."""

    def __init__(self) -> None:
        self.name = "id_card"
        self.labels: tuple[str, ...] = ("ID_CARD",)

    def find(self, text: str) -> Iterator[Finding]:
        for match in _PATTERN.finditer(text):
            old, new = match.group("old", "new")
            if new is not None and not _mixed(new):
                continue
            start, end = match.span()
            if not _CONTEXT.near(text, start, end):
                continue
            if old is not None:
                score, why = SCORE_OLD, "numéro de CNI (ancien format) ; mot de contexte"
            else:
                score, why = SCORE_NEW, "numéro de CNI (format 2021) ; mot de contexte"
            yield Finding(start, end, "ID_CARD", score, match.group(), self.name, why)


@register_recognizer("id_card")
def id_card_recognizer() -> Recognizer:
    return IdCardRecognizer()
