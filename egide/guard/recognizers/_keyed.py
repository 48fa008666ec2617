"""Helpers shared by the recognizers of identifiers with a check key (NIR, SIRET, IBAN…).

Not a recognizer: the package imports it like the others, and it registers nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["SEP", "LEFT", "OCR_GAP", "RIGHT", "ContextWords", "fold"]

# What people and word processors put between the groups of an identifier: spaces, non-breaking
# spaces (U+00A0, U+202F), dots and dashes.
SEP = r"[ .\-\u00a0\u202f]"

# An identifier never starts or ends inside a longer run of digits or letters, even one written
# in groups ("12 1 84 12…", "…45 67"): refuse a word character, or a digit and one or two
# separators, on either side.
LEFT = rf"(?<!\w)(?<!\d{SEP})(?<!\d{SEP}{SEP})"
RIGHT = rf"(?!\w)(?!{SEP}{{1,2}}\d)"

# What forms, scanned documents and spreadsheets put between the characters of an identifier,
# wherever they like: one space per digit ("1 8 4 1 2…"), boxes ("|1|8|4|"), dots, slashes,
# underscores, or a line break where the line was full. One gap is a few spaces, or one such
# mark with up to two spaces on either side, or one line break: each alternative is bounded, so
# a pattern made of a fixed number of digits and gaps stays linear-time.
_SPACE = r"[ \u00a0\u202f]"
OCR_GAP = rf"(?:{_SPACE}{{0,2}}[.\-|/_\\]{_SPACE}{{0,2}}|{_SPACE}{{1,3}}|{_SPACE}{{0,2}}\n{_SPACE}{{0,2}})"

_PLAIN = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u00ba": "°", "\u00a0": " "})


def fold(text: str) -> str:
    """Lower case, no accents, plain apostrophes: "N° de Sécurité" -> "n° de securite"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class ContextWords:
    """Whole words or phrases looked for next to a span, ignoring case and accents.

    Unlike a plain substring test, "nir" is not found in "fournir" nor "caf" in "cafétéria".
    A final "s" (plural) is accepted.
    """

    def __init__(self, words: Iterable[str], *, before: int = 60, after: int = 0) -> None:
        folded = sorted({fold(word) for word in words}, key=len, reverse=True)
        # A phrase ending in a letter must end a word; one ending in "°" or "." may touch the next.
        alternatives = [re.escape(w) + (r"s?(?!\w)" if w[-1].isalnum() else "") for w in folded]
        self.pattern = re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})")
        self.before = before
        self.after = after

    def near(self, text: str, start: int, end: int, *, before: int | None = None) -> bool:
        reach = self.before if before is None else before
        window = text[max(0, start - reach) : start]
        if self.after:
            window += " " + text[end : end + self.after]
        return self.pattern.search(fold(window)) is not None
