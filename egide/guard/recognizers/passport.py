"""Passport numbers: French ones ("12AB34567"), and foreign ones next to the word "passeport"."""

from __future__ import annotations

import re
from collections.abc import Iterator

from egide.guard.findings import Finding
from egide.guard.recognizers._keyed import LEFT, RIGHT, ContextWords
from egide.guard.registry import Recognizer, register_recognizer

__all__ = ["PassportRecognizer", "passport_recognizer"]

# French: two digits, two letters, five digits. Foreign passports, common in préfecture files,
# have no shared shape: 6 to 9 capitals and digits ("HG3764797", "A5583189"). Never a piece of a
# compound reference such as "REF-12AB34567" or "12AB34567/2".
_PATTERN = re.compile(
    rf"{LEFT}(?<![\w\-/])(?:(?P<french>\d{{2}}[A-Za-z]{{2}}\d{{5}})|(?P<other>[A-Z0-9]{{6,9}}))"
    rf"{RIGHT}(?![\-/]\w)"
)

_CONTEXT = ContextWords(("passeport", "passport", "titre de voyage", "document de voyage"))
# A foreign number has only its context to go by: the word must be close.
_CLOSE = 40

# No check key is printed: without a context word the French shape alone is weak evidence.
SCORE_ALONE = 0.5
SCORE_CONTEXT = 0.95
SCORE_FOREIGN = 0.85


def _foreign_shape(value: str) -> bool:
    # Letters and at least four digits: neither a word in capitals nor a short number.
    return any(ch.isalpha() for ch in value) and sum(ch.isdigit() for ch in value) >= 4


class PassportRecognizer:
    """French passport numbers anywhere (low score alone); foreign ones only with context."""

    def __init__(self) -> None:
        self.name = "passport"
        self.labels: tuple[str, ...] = ("PASSPORT",)

    def find(self, text: str) -> Iterator[Finding]:
        for match in _PATTERN.finditer(text):
            french, other = match.group("french", "other")
            start, end = match.span()
            if french is not None:
                if _CONTEXT.near(text, start, end):
                    score, why = SCORE_CONTEXT, "numéro de passeport ; mot de contexte"
                elif french.isupper():
                    score, why = SCORE_ALONE, "format d'un numéro de passeport français"
                else:
                    continue
            elif _foreign_shape(other) and _CONTEXT.near(text, start, end, before=_CLOSE):
                score, why = SCORE_FOREIGN, "numéro de passeport étranger ; mot de contexte"
            else:
                continue
            yield Finding(start, end, "PASSPORT", score, match.group(), self.name, why)


@register_recognizer("passport")
def passport_recognizer() -> Recognizer:
    return PassportRecognizer()
