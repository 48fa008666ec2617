"""French numbers written in words, as civil-status documents and deeds write dates.

"quatorze mars mille neuf cent quatre-vingt-deux": day and year in words. Not a recognizer:
the package imports it like the others, and it registers nothing.
"""

from __future__ import annotations

import re

__all__ = ["NUMBER_WORDS_RE", "YEAR_WORDS_RE", "parse_number_words"]

_VALUES = {
    "zero": 0, "zéro": 0, "un": 1, "une": 1, "premier": 1, "deux": 2, "trois": 3, "quatre": 4,
    "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12,
    "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20,
    "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
}  # fmt: skip
_MULTIPLIERS = {"cent": 100, "cents": 100, "mil": 1000, "mille": 1000}
_WORDS = sorted([*_VALUES, *_MULTIPLIERS, "et"], key=len, reverse=True)
_WORD = rf"(?:{'|'.join(_WORDS)})"
_JOIN = r"(?:[ \u00a0]{1,2}|-)"

# Up to six words ("trente et un", "vingt-deux"); whole words only. Bounded: linear-time.
NUMBER_WORDS_RE = rf"(?<![^\W\d_]){_WORD}(?:{_JOIN}{_WORD}){{0,5}}(?![^\W\d_])"
# A year starts with its thousands: "mil neuf cent…", "mille neuf cent…", "deux mille…".
YEAR_WORDS_RE = rf"(?<![^\W\d_])(?:mil|mille|deux{_JOIN}mille)(?:{_JOIN}{_WORD}){{0,6}}(?![^\W\d_])"
_SPLIT = re.compile(r"[\s\-]+")


def parse_number_words(text: str) -> int | None:
    """The value of a French number in words (up to 2099), None when it is not one."""
    total = current = 0
    previous = ""
    seen = False
    for word in _SPLIT.split(text.strip().lower()):
        if word == "et":
            continue
        if word in _MULTIPLIERS:
            factor = _MULTIPLIERS[word]
            if factor == 1000:
                total += (current or 1) * 1000
                current = 0
            else:
                current = (current or 1) * 100
        elif word in _VALUES:
            value = _VALUES[word]
            if value == 20 and previous == "quatre":
                current += 80 - 4  # quatre-vingt(s)
            else:
                current += value
        else:
            return None
        previous, seen = word, True
    return total + current if seen else None
