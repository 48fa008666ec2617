"""Name-shaped tokens: how a word is written (capitals, initials) and how it folds for look-ups.

Every regex here is linear-time: character classes with bounded repetitions, no nested
quantifiers over the same characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

__all__ = [
    "Shape",
    "Token",
    "WORD_RE",
    "CAPITALISED_RE",
    "fold",
    "fold_text",
    "shape_of",
    "read_token",
    "tokens_before",
]

# A word: letters, optionally joined by hyphens or apostrophes ("Jean-Pierre", "N'Diaye").
WORD_RE = re.compile(r"[^\W\d_]{1,40}(?:['’\-][^\W\d_]{1,40}){0,6}")
# An initial: "J." or "J.-P." (never followed by another letter, so "Jo." is a word).
INITIAL_RE = re.compile(r"[A-ZÀ-ÖØ-Þ]\.(?:-[A-ZÀ-ÖØ-Þ]\.)?(?![^\W\d_])")
# A capitalised word that does not continue another word ("Saint-Denis" is one word; after an
# elision, "d'Île-de-France" gives "Île-de-France").
CAPITALISED_RE = re.compile(
    r"(?<![\w\-.])[A-ZÀ-ÖØ-Þ]\.(?:-[A-ZÀ-ÖØ-Þ]\.)?(?![^\W\d_])"
    r"|(?<![\w\-.])[A-ZÀ-ÖØ-Þ][^\W\d_]{0,40}(?:['’\-][^\W\d_]{1,40}){0,6}"
)
# Between two words of one name: spaces only, never a line break (a signature block puts the
# name and the function on two lines).
NAME_GAP_RE = re.compile(r"[ \u00a0\u202f]{1,2}")


class Shape(Enum):
    UPPER = "upper"  # DUPONT, MARTIN-LEROY, N'DIAYE
    TITLE = "title"  # Dupont, Jean-Pierre, d'Artagnan
    INITIAL = "initial"  # J., J.-P.
    LOWER = "lower"  # anything else


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str
    shape: Shape

    @property
    def key(self) -> str:
        return fold(self.text)


class _CombiningMarks(dict[int, int | None]):
    """``str.translate`` table deleting combining marks, filled as characters are met (the
    gazetteers fold some 100,000 names at start-up: a per-character generator cost 0.1 s)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_WITHOUT_MARKS = _CombiningMarks()


def fold_text(value: str) -> str:
    """Case- and accent-insensitive form used for every gazetteer look-up."""
    if value.isascii():
        return value.casefold()  # nothing to decompose, no apostrophe to fold
    decomposed = unicodedata.normalize("NFD", value.replace("’", "'"))
    return decomposed.translate(_WITHOUT_MARKS).casefold()


# Names repeat within and across documents: the cache turns most look-ups into one dict hit.
fold = lru_cache(maxsize=65536)(fold_text)


@lru_cache(maxsize=65536)  # a pure function of the word; words repeat
def shape_of(word: str) -> Shape:
    if INITIAL_RE.fullmatch(word):
        return Shape.INITIAL
    letters = [ch for ch in word if ch.isalpha()]
    if not letters:
        return Shape.LOWER
    # "d'Artagnan", "L'Hermite": the elided particle does not decide the shape; "l'Agence",
    # with a lower-case article, is never a name.
    head = word[2:] if len(word) > 2 and word[1] in "'’" and word[0] in "dDL" else word
    if not head[:1].isupper():
        return Shape.LOWER
    if len(letters) >= 2 and all(ch.isupper() for ch in letters):
        # "DBVX-V-B" is a reference number, not a double-barrelled surname.
        if any(len(piece) < 2 for piece in word.split("-")):
            return Shape.LOWER
        return Shape.UPPER
    return Shape.TITLE


def read_token(text: str, pos: int) -> Token | None:
    """The word or initial starting exactly at ``pos``, if any."""
    match = INITIAL_RE.match(text, pos) or WORD_RE.match(text, pos)
    if match is None:
        return None
    word = match.group()
    if text[match.end() : match.end() + 1].isdigit():
        return Token(match.start(), match.end(), word, Shape.LOWER)  # part of a code: "B7G"
    return Token(match.start(), match.end(), word, shape_of(word))


_BACK_WINDOW = 160
_BACK_TOKEN_RE = re.compile(
    r"[A-ZÀ-ÖØ-Þ]\.(?:-[A-ZÀ-ÖØ-Þ]\.)?(?![^\W\d_])|[^\W\d_]{1,40}(?:['’\-][^\W\d_]{1,40}){0,6}"
)


def tokens_before(text: str, end: int) -> list[Token]:
    """Tokens of the same line just before ``end``, nearest last, each separated by a name gap.

    The walk stops at the first separator that cannot sit inside a name (comma, line break…).
    """
    line_start = text.rfind("\n", max(0, end - _BACK_WINDOW), end) + 1
    start = max(line_start, end - _BACK_WINDOW)
    found = [
        Token(m.start(), m.end(), m.group(), shape_of(m.group()))
        for m in _BACK_TOKEN_RE.finditer(text, start, end)
    ]
    chain: list[Token] = []
    limit = end
    for token in reversed(found):
        gap = text[token.end : limit]
        if chain and not NAME_GAP_RE.fullmatch(gap):
            break
        if not chain and gap.strip(" \t,"):
            break
        chain.append(token)
        limit = token.start
    chain.reverse()
    return chain
