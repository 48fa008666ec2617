"""Names and places in forms and tables, where no sentence gives a context word.

A column headed "NOM", "Prénom(s)" or "Lieu de naissance" (tab- or pipe-separated rows, as
spreadsheets and PDF tables come out) holds a name or a place in each row below; a form's label
"Lieu de naissance :" announces a place. The cells are checked for the shape of a name (letters,
spaces, hyphens, apostrophes; one to six words; a capital first), never believed blindly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from egide.guard.ner.candidates import Candidate
from egide.guard.ner.gazetteers import PARTICLES, STOP_WORDS, TITLE_WORDS
from egide.guard.ner.tokens import fold

__all__ = ["table_candidates"]

_SEPARATORS = ("\t", "|")
_PERSON_HEADER_RE = re.compile(
    r"^(?:nom|noms|prenom|prenoms|prenom\(s\)|nom\(s\)|nom de famille|nom de naissance"
    r"|nom d'usage|nom et prenoms?|nom et prenom\(s\)|nom prenoms?|prenoms? et nom|nom - prenom"
    r"|nom/prenom|identite)$"
)
_PLACE_HEADER_RE = re.compile(
    r"^(?:lieu de naissance|lieu|commune de naissance|ville de naissance|pays de naissance"
    r"|commune|ville|pays|ne\(e\) a|ne a|nee a|commune de residence|residence)$"
)
# A form's label before a place: "Lieu de naissance : Casablanca".
_PLACE_LABEL_RE = re.compile(
    r"(?im)(?<![\w'’])(?:lieu|commune|ville|pays)(?: de naissance| de résidence| de residence)?"
    r"[ \t\u00a0.]{0,40}:[ \t\u00a0.]{0,40}(?=\S)"
)
_NAME_CELL_RE = re.compile(r"[^\W\d_][^\W\d_'’\-]*(?:[ '’\-]{1,2}[^\W\d_]+){0,5}")
_SCORE = 0.9


def _cell(start: int, cell: str, label: str, why: str) -> Iterator[Candidate]:
    value = cell.strip(" \u00a0")
    if not value or _NAME_CELL_RE.fullmatch(value) is None:
        return
    first, _, rest = value.partition(" ")
    if not value[0].isupper() and not (fold(first) in PARTICLES and rest[:1].isupper()):
        return  # "du PONT", "de LA FONTAINE": a particle may open a surname
    key = fold(value)
    if key in STOP_WORDS or key in TITLE_WORDS:
        return
    begin = start + cell.index(value)
    yield Candidate(begin, begin + len(value), label, _SCORE, "rule", why)


def _columns(text: str, separator: str) -> Iterator[Candidate]:
    people: set[int] = set()
    places: set[int] = set()
    position = 0
    for line in text.split("\n"):
        start, position = position, position + len(line) + 1
        cells = line.split(separator)
        if len(cells) < 3:
            people, places = set(), set()
            continue
        keys = [fold(cell.strip(" *:\u00a0")) for cell in cells]
        header_people = {i for i, key in enumerate(keys) if _PERSON_HEADER_RE.match(key)}
        header_places = {i for i, key in enumerate(keys) if _PLACE_HEADER_RE.match(key)}
        if header_people or header_places:
            people, places = header_people, header_places
            continue
        offset = start
        for index, cell in enumerate(cells):
            if index in people:
                yield from _cell(offset, cell, "PERSON", "colonne de noms d'un tableau")
            elif index in places:
                yield from _cell(offset, cell, "LOCATION", "colonne de lieux d'un tableau")
            offset += len(cell) + len(separator)


def table_candidates(text: str) -> Iterator[Candidate]:
    """PERSON and LOCATION candidates from the columns of tables and the labels of forms."""
    for separator in _SEPARATORS:
        if text.count(separator) >= 2:
            yield from _columns(text, separator)
    for match in _PLACE_LABEL_RE.finditer(text):
        end = text.find("\n", match.end(), match.end() + 80)
        value = text[match.end() : end if end >= 0 else match.end() + 80]
        value = re.split(r"[,;(\t|]| - | – ", value, maxsplit=1)[0]
        yield from _cell(match.end(), value, "LOCATION", "libellé de formulaire (lieu)")
