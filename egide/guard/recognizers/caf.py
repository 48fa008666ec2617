"""CAF allocataire number: seven digits (eight at some CAF), no key, context required."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from egide.guard.findings import Finding
from egide.guard.recognizers._keyed import LEFT, RIGHT, ContextWords
from egide.guard.registry import Recognizer, register_recognizer

__all__ = ["CafRecognizer", "caf_recognizer"]

# Written packed: a spaced seven-digit number ("1 234 567") is an amount.
_PATTERN = re.compile(rf"{LEFT}(?P<value>\d{{7,8}}){RIGHT}")

_CONTEXT = ContextWords(
    (
        "caf", "allocataire", "n° allocataire", "numéro d'allocataire",
        "caisse d'allocations familiales",
    )
)  # fmt: skip

# What introduces a date: "du 12032024", "le 12032024", "date : 12032024".
_DATE_CUE = re.compile(r"\b(?:le|du|au|depuis|née?|date)[ \u00a0]?:?[ \u00a0]?$", re.IGNORECASE)
_AMOUNT_AFTER = re.compile(r"[ \u00a0\u202f]{0,2}(?:€|eur\b|euros?\b|,\d)", re.IGNORECASE)

SCORE_CONTEXT = 0.9


def _is_date(text: str, start: int, digits: str) -> bool:
    """Eight digits that read as a date (DDMMYYYY) and are introduced as one: "du 12032024"."""
    if len(digits) != 8 or digits[4:6] not in ("19", "20"):
        return False
    if not _DATE_CUE.search(text[max(0, start - 12) : start]):
        return False
    try:
        date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
    except ValueError:
        return False
    return True


class CafRecognizer:
    """Allocataire numbers next to "CAF", "allocataire", "n° allocataire"…"""

    def __init__(self) -> None:
        self.name = "caf"
        self.labels: tuple[str, ...] = ("CAF",)

    def find(self, text: str) -> Iterator[Finding]:
        for match in _PATTERN.finditer(text):
            value = match.group("value")
            start, end = match.span("value")
            if _is_date(text, start, value) or _AMOUNT_AFTER.match(text, end):
                continue
            if not _CONTEXT.near(text, start, end):
                continue
            why = "numéro d'allocataire ; mot de contexte"
            yield Finding(start, end, "CAF", SCORE_CONTEXT, value, self.name, why)


@register_recognizer("caf")
def caf_recognizer() -> Recognizer:
    return CafRecognizer()
