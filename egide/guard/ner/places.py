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

__all__ = [
    "find_places", "LARGE_TOWN", "in_postal_line", "institutional_place", "NON_IDENTIFYING_PLACES",
]  # fmt: skip

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


# Institutions whose seat names a place that says nothing about a person ("tribunal judiciaire
# de Nanterre", "barreau de Limoges", "PRÉFET DE LA CORRÈZE", "CHU de Bordeaux"): the practice
# of the Cour de cassation's pseudonymisation, which leaves the seats of courts visible.
_INSTITUTIONS = frozenset(
    {
        "tribunal", "tribunaux", "juridiction", "cour", "barreau", "registre", "rcs",
        "societes", "commerce", "prefet", "prefete", "prefecture", "sous-prefecture",
        "sous-prefet", "mairie", "maire", "brigade", "gendarmerie", "commissariat", "police",
        "chu", "chr", "ch", "hospitalier", "hospitaliere", "hopital", "hopitaux", "clinique",
        "universite", "universitaire", "academie", "rectorat", "conseil", "departemental",
        "regional", "caisse", "cpam", "caf", "urssaf", "agence", "ars", "direction", "ddets",
        "ddt", "ddtm", "dreets", "service", "pole", "office", "chambre", "greffe", "parquet",
        "judiciaire", "administratif", "administrative", "appel", "prud'hommes", "instance",
        "correctionnel", "arret", "penitentiaire", "ecole", "lycee", "college", "metropole",
        "diocese", "ministere", "ambassade", "consulat", "procureur", "ordre", "notaires",
        "medecins", "avocats", "huissiers", "bureau", "centre", "maison", "eveche", "region",
        "societe", "entreprise", "association", "sarl", "sas", "eurl", "sci", "etablissements",
    }
)  # fmt: skip
_PREPOSITIONS = frozenset({"de", "du", "des", "d", "la", "l", "le", "les", "pres", "en"})
_DATELINE_AFTER_RE = re.compile(r",?[ \t]{1,3}le[ \t]{1,3}(?:\d|1er|premier)")
# Places that identify no one in a French administration's documents.
NON_IDENTIFYING_PLACES = frozenset({"france", "europe", "union europeenne"})


def institutional_place(text: str, start: int, end: int) -> bool:
    """True when the place at ``start:end`` is the seat of an institution or a dateline."""
    line_start = text.rfind("\n", max(0, start - 80), start) + 1
    window = fold(text[max(line_start, start - 80) : start]).replace("'", " ")
    words = window.replace(",", " , ").split()
    # "Limoges, le 3 mars 2024", "Fait à Nanterre, le …": where a letter was written.
    dateline = not words or words[-2:] in (["fait", "a"], ["faite", "a"]) or words == ["a"]
    if dateline and _DATELINE_AFTER_RE.match(text, end):
        return True
    if not words or words[-1] not in _PREPOSITIONS:
        return False
    while words and words[-1] in _PREPOSITIONS:
        words.pop()
    recent = words[-6:]
    if "," in recent:
        recent = recent[len(recent) - recent[::-1].index(",") :]
    return any(word in _INSTITUTIONS for word in recent)


_POSTCODE_BEFORE_RE = re.compile(r"(?<!\d)\d{5}[ \t\u00a0]{1,3}$")
_CEDEX_AFTER_RE = re.compile(r"[ \t\u00a0]{1,3}(?i:cedex)\b")
# Lower-case words that may sit inside a place's name: "La Roche sur Yon", "Pont de l'Arche".
_NAME_LINKS = frozenset({"de", "du", "des", "d", "la", "le", "les", "l", "sur", "sous", "en",
                         "lez", "aux", "au", "et"})  # fmt: skip


def in_postal_line(text: str, start: int, end: int) -> bool:
    """A commune right after a postal code, or before CEDEX, belongs to an address: the address
    recognizer reports it whole (ADDRESS, or SERVICE_ADDRESS for an administration)."""
    before = text[max(0, start - 10) : start]
    return _POSTCODE_BEFORE_RE.search(before) is not None or (
        _CEDEX_AFTER_RE.match(text, end) is not None
    )


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
        if token is None or (token.shape is Shape.LOWER and token.key not in _NAME_LINKS):
            break  # "La réunion de la commission" is a meeting, not the island
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
        if population is None or in_postal_line(text, token.start, end):
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
        if ok and (
            fold(name) in NON_IDENTIFYING_PLACES or institutional_place(text, token.start, end)
        ):
            covered = end  # neither a place of this person nor a person
            continue
        if ok:
            covered = end
            why = "territoire connu" if population < 0 else "commune du Code officiel géographique"
            yield Candidate(token.start, end, "LOCATION", score, "gazetteer", why)
