"""Case- and accent-insensitive view of a text that keeps the way back to the original offsets."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Folded", "fold", "fold_term"]

# Typographic variants that French documents mix freely (Word, PDF extraction, web pages).
_SPECIAL = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-",
    "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ",
}  # fmt: skip


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    special = _SPECIAL.get(char)
    if special is not None:
        return special
    decomposed = unicodedata.normalize("NFKD", char)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def fold_term(term: str) -> str:
    """The folded spelling of a lexicon entry (same rules as the texts it must match)."""
    return "".join(_fold_char(c) for c in term)


@dataclass(frozen=True, slots=True)
class Folded:
    """``text`` folded (casefold, no accents, plain apostrophes and dashes).

    ``origins[i]`` is the offset in the original text of folded character ``i``; it is ``None``
    when folding kept every character in place, which is the usual case.
    """

    original: str
    text: str
    origins: tuple[int, ...] | None = None

    def start_in_original(self, index: int) -> int:
        if self.origins is None:
            return index
        if index >= len(self.origins):
            return len(self.original)
        return self.origins[index]

    def end_in_original(self, index: int) -> int:
        # The end is where the next folded character comes from, so that combining accents
        # dropped by folding stay inside the span.
        return self.start_in_original(index)

    def span_in_original(self, start: int, end: int) -> tuple[int, int]:
        return self.start_in_original(start), self.end_in_original(end)


def fold(text: str) -> Folded:
    """Fold ``text`` in linear time; character offsets are preserved whenever possible."""
    table = {ord(c): f for c in set(text) if (f := _fold_char(c)) != c}
    if all(len(f) == 1 for f in table.values()):
        return Folded(text, text.translate(table))
    # Rare path (decomposed accents, ligatures, ß…): some characters change length.
    pieces: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        folded = table.get(ord(char), char)
        pieces.append(folded)
        origins.extend([index] * len(folded))
    return Folded(text, "".join(pieces), tuple(origins))
