"""Places named alone: French communes (INSEE's COG), départements, régions and countries.

A large town is a place wherever it is capitalised; a small commune, or one whose name is also a
common word or a first name ("Orange", "Nancy"), needs a locative context ("à Orange",
"commune de Nancy").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from egide.guard.ner.candidates import Candidate
from egide.guard.ner.gazetteers import ACRONYMS, Gazetteers
from egide.guard.ner.tokens import NAME_GAP_RE, Shape, Token, fold, read_token

__all__ = ["find_places", "LARGE_TOWN"]

LARGE_TOWN = 20_000
_MEDIUM_TOWN = 2_000
_MAX_PARTS = 4
_PREVIOUS_WORDS_RE = re.compile(r"[^\W\d_]{1,30}")
# Words right before a name that make it a place.
_STRONG_BEFORE = frozenset({"a", "commune", "ville", "mairie", "maire", "prefecture",
                            "sous-prefecture", "arrondissement", "canton", "village", "bourg",
                            "metropole", "agglomeration", "region", "departement"})  # fmt: skip
_WEAK_BEFORE = frozenset({"de", "d", "du", "en", "sur", "vers", "pres", "depuis", "dans", "le",
                          "la", "les", "l", "au", "aux", "et"})  # fmt: skip
_PERSON_BEFORE = frozenset({"m", "mme", "mlle", "monsieur", "madame", "mademoiselle", "me", "dr",
                            "maitre", "docteur", "pr", "professeur", "epouse", "nee", "veuve"})  # fmt: skip


def _previous_words(text: str, start: int) -> list[str]:
    line_start = text.rfind("\n", max(0, start - 40), start) + 1
    window = text[max(line_start, start - 40) : start]
    return [fold(word) for word in _PREVIOUS_WORDS_RE.findall(window)[-2:]]


def _longest_place(text: str, first: Token, gaz: Gazetteers) -> tuple[int, int | None]:
    """End and population of the longest gazetteer entry starting at ``first``."""
    best_end, best_population = first.end, gaz.place_population(first.text)
    parts = [first.text]
    end = first.end
    for _ in range(_MAX_PARTS - 1):
        gap = NAME_GAP_RE.match(text, end)
        token = read_token(text, gap.end()) if gap else None
        if token is None:
            break
        parts.append(token.text)
        end = token.end
        population = gaz.place_population(" ".join(parts))
        if population is not None:
            best_end, best_population = end, population
    return best_end, best_population


def find_places(text: str, capitalised: list[Token], gaz: Gazetteers) -> Iterator[Candidate]:
    covered = -1
    for token in capitalised:
        if token.start < covered:
            continue
        end, population = _longest_place(text, token, gaz)
        if population is None:
            continue
        if token.shape is Shape.UPPER and (token.key in ACRONYMS or len(token.text) <= 4):
            continue  # "ARS", "CAF": acronyms, even when a village bears the same name
        name = text[token.start : end]
        before = _previous_words(text, token.start)
        last = before[-1] if before else ""
        if last in _PERSON_BEFORE:
            continue
        strong = last in _STRONG_BEFORE or (
            len(before) == 2 and before[0] in _STRONG_BEFORE and last in ("de", "d")
        )
        weak = strong or last in _WEAK_BEFORE
        ambiguous = (
            gaz.is_common_word(name) or gaz.is_first_name(name) or gaz.is_surname(name)
        ) and " " not in name
        if population < 0:  # a country, région or département
            ok, score = (weak if ambiguous else True), 0.85
        elif ambiguous:
            ok, score = (weak if population >= LARGE_TOWN else strong), 0.75
        elif population >= LARGE_TOWN:
            ok, score = True, 0.85
        elif population >= _MEDIUM_TOWN:
            ok, score = weak, 0.75
        else:
            ok, score = strong, 0.7
        if ok:
            covered = end
            why = "territoire connu" if population < 0 else "commune du Code officiel géographique"
            yield Candidate(token.start, end, "LOCATION", score, "gazetteer", why)
