"""Combine candidates from rules, model and gazetteers into non-overlapping findings.

Persons first: overlapping or adjacent person candidates merge into the longest span (several
sources agreeing raise the score). A known place beats a person that only the model proposed;
otherwise a person beats the place or organisation it overlaps. An organisation that ends with
a place ("Agence régionale de santé d'Île-de-France") is cut before it, so that both remain.
Countries and regions listed three or more in a row ("de l'Islande, du Liechtenstein, de la
Norvège et de la Suisse") are an enumeration of a rule or a form, not a person's place: dropped.
A place is personal data as somebody's place: in a text that names no one ("Si vous habitez à
Paris…", a public page), a place is kept only where a clause ties it to someone ("né à",
"demeurant à") or a form's label announces it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from egide.guard.ner.candidates import Candidate
from egide.guard.ner.gazetteers import ACRONYMS, Gazetteers, gazetteers
from egide.guard.ner.tokens import Shape, Token, fold

__all__ = ["resolve", "propagate_surnames"]

_ADJACENT_RE = re.compile(r"[ \u00a0]?")
_ORG_TAIL_RE = re.compile(r"(?:[ \t]{1,3}(?:de|du|des|de la|en))?[ \t]{0,3}(?:d['’]|l['’])?$")
_AGREEMENT_BONUS = 0.05
# Between two items of a list: a comma or "et"/"ou", and the articles or prepositions of French
# enumerations ("de l'Islande, du Liechtenstein, de la Norvège et de la Suisse").
_LIST_GLUE_RE = re.compile(
    r"[ \t\u00a0]{0,3}(?:,|;|\bet\b|\bou\b)[ \t\u00a0]{0,3}"
    r"(?:(?:de|du|des|la|le|les|en|au|aux|à|a)[ \t\u00a0]{1,3}|[dl]['’]){0,2}",
    re.IGNORECASE,
)
LIST_MIN_ITEMS = 3
# Before a place, in its clause, what ties it to a person even when no name is written ("né le
# 3 mars 1980 à Alger", "domiciliée à Tulle", "il vit seul à Rezé", "originaire du Mali").
_PERSON_PLACE_RE = re.compile(
    r"(?:\bnee?s?\b|\bne\(e\)|demeurant|domiciliee?s?\b|residant|residente?s?\b|reside\b"
    r"|resident\b|residait|habite\b|habitent\b|habitait|\bvit\b|vivant|originaire"
    r"|hospitalisee?s?\b|decedee?s?\b)"
)
# A clause that speaks to the reader ("Si vous êtes né(e) en Nouvelle-Calédonie…") is a rule for
# everyone, not somebody's place.
_READER_RE = re.compile(r"\b(?:vous|votre|vos)\b")
_CLAUSE_END_RE = re.compile(r"[.;!?\n]")
_PLACE_REACH = 60


def _tied_to_someone(text: str, start: int) -> bool:
    window = text[max(0, start - _PLACE_REACH) : start]
    clause = fold(_CLAUSE_END_RE.split(window)[-1])
    return _PERSON_PLACE_RE.search(clause) is not None and _READER_RE.search(clause) is None


def _merge(group: list[Candidate]) -> Candidate:
    best = max(group, key=lambda c: c.score)
    sources = {c.source for c in group}
    score = min(0.99, best.score + _AGREEMENT_BONUS * (len(sources) - 1))
    reasons = list(dict.fromkeys(c.explanation for c in group))
    return Candidate(
        min(c.start for c in group),
        max(c.end for c in group),
        best.label,
        round(score, 3),
        "+".join(sorted(sources)),
        " ; ".join(reasons),
    )


def _group_persons(text: str, persons: list[Candidate]) -> list[Candidate]:
    merged: list[Candidate] = []
    group: list[Candidate] = []
    group_end = -1
    for candidate in sorted(persons, key=lambda c: (c.start, -c.end)):
        touching = group and (
            candidate.start < group_end
            or _ADJACENT_RE.fullmatch(text, group_end, candidate.start) is not None
        )
        if touching and "\n" not in text[group[0].start : max(group_end, candidate.end)]:
            group.append(candidate)
            group_end = max(group_end, candidate.end)
            continue
        if group:
            merged.append(_merge(group))
        group, group_end = [candidate], candidate.end
    if group:
        merged.append(_merge(group))
    return merged


class _Occupied:
    """Non-overlapping spans kept so far, sorted, with logarithmic overlap queries."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.spans: list[Candidate] = []

    def overlapping(self, candidate: Candidate) -> list[Candidate]:
        i = bisect.bisect_left(self.starts, candidate.start)
        found = []
        if i > 0 and self.spans[i - 1].end > candidate.start:
            found.append(self.spans[i - 1])
        while i < len(self.spans) and self.spans[i].start < candidate.end:
            found.append(self.spans[i])
            i += 1
        return found

    def add(self, candidate: Candidate) -> None:
        i = bisect.bisect_left(self.starts, candidate.start)
        self.starts.insert(i, candidate.start)
        self.spans.insert(i, candidate)


def resolve(text: str, candidates: Iterable[Candidate]) -> list[Candidate]:
    by_label: dict[str, list[Candidate]] = {"PERSON": [], "LOCATION": [], "ORG": []}
    for candidate in candidates:
        by_label[candidate.label].append(candidate)
    people = _group_persons(text, by_label["PERSON"])
    places = _group_persons(text, by_label["LOCATION"])

    # A known place beats a person that only the model proposed ("Saint-Denis", "Nancy").
    strong_places = _Occupied()
    for place in places:
        if place.score >= 0.85:
            strong_places.add(place)
    kept = _Occupied()
    for person in people:
        if person.source == "model" and strong_places.overlapping(person):
            continue
        kept.add(person)
    for place in places:
        if not kept.overlapping(place):
            kept.add(place)
    for org in by_label["ORG"]:
        cut = _cut_before_place(text, org, kept.overlapping(org))
        if cut is not None and not kept.overlapping(cut):
            kept.add(cut)
    return _places_of_people(text, _without_territory_lists(text, kept.spans))


def _places_of_people(text: str, spans: list[Candidate]) -> list[Candidate]:
    """Without any person in the text, keep only the places a clause or a label ties to one."""
    if any(c.label == "PERSON" for c in spans):
        return spans
    return [
        c
        for c in spans
        if c.label != "LOCATION" or c.source == "rule" or _tied_to_someone(text, c.start)
    ]


def _without_territory_lists(text: str, spans: list[Candidate]) -> list[Candidate]:
    """Drop runs of LIST_MIN_ITEMS or more countries or regions joined as a list."""
    gaz = gazetteers()

    def territory(c: Candidate) -> bool:
        return c.label == "LOCATION" and gaz.place_population(text[c.start : c.end]) == -1

    dropped: set[int] = set()
    run: list[int] = []
    for index, candidate in enumerate([*spans, None]):
        joined = (
            candidate is not None
            and territory(candidate)
            and bool(run)
            and _LIST_GLUE_RE.fullmatch(text, spans[run[-1]].end, candidate.start) is not None
        )
        if joined:
            run.append(index)
            continue
        if len(run) >= LIST_MIN_ITEMS:
            dropped.update(run)
        run = [index] if candidate is not None and territory(candidate) else []
    return [c for i, c in enumerate(spans) if i not in dropped]


def _cut_before_place(text: str, org: Candidate, rivals: list[Candidate]) -> Candidate | None:
    places = [c for c in rivals if c.label == "LOCATION"]
    if not places:
        return org
    first = min(places, key=lambda c: c.start)
    if first.start <= org.start:
        return None
    head = text[org.start : first.start]
    tail = _ORG_TAIL_RE.search(head)
    end = org.start + (tail.start() if tail else len(head))
    end = org.start + len(text[org.start : end].rstrip())
    if end - org.start < 2:
        return None
    return Candidate(org.start, end, "ORG", org.score, org.source, org.explanation)


def _given_names(words: list[str], gaz: Gazetteers) -> set[str]:
    """The given names of a strong mention: known first names written in mixed case ("Patrick
    FONTAINE", "DUPONT Jean", "Marie-Laure Petit"), never the upper-case surname."""
    given: set[str] = set()
    for word in words:
        if word.isupper() or word.endswith("."):
            continue
        pieces = word.split("-")
        if gaz.is_unambiguous_first_name(word) or (
            len(pieces) > 1 and all(gaz.is_first_name(piece) for piece in pieces)
        ):
            given.add(fold(word))
    return given


def propagate_surnames(
    text: str, capitalised: list[Token], persons: list[Candidate], gaz: Gazetteers
) -> list[Candidate]:
    """Bare mentions of a name found with strong evidence elsewhere in the text: the surname
    ("DUPONT a déclaré", after "M. Jean DUPONT") and the given name ("J1 : Marie-Laure est
    apyrétique", after "Mme Marie-Laure PETIT"), as clinical notes and judgments write them."""
    surnames: set[str] = set()
    given: set[str] = set()
    for person in persons:
        if person.label != "PERSON" or person.score < 0.9:
            continue
        words = text[person.start : person.end].split()
        given |= _given_names(words, gaz) if len(words) > 1 else set()
        for word in words:
            if len(word) < 3 or word.endswith("."):
                continue
            upper = word.isupper()
            if upper or not (gaz.is_first_name(word) or gaz.is_common_word(word)):
                surnames.add(fold(word))
    if not surnames and not given:
        return []
    found: list[Candidate] = []
    for token in capitalised:
        key = token.key
        if key in ACRONYMS:
            continue
        if key in surnames:
            if token.shape is not Shape.UPPER and gaz.is_common_word(token.text):
                continue
            why = "nom déjà reconnu dans le texte"
        elif key in given and token.shape is not Shape.INITIAL:
            why = "prénom d'une personne déjà reconnue dans le texte"
        else:
            continue
        found.append(Candidate(token.start, token.end, "PERSON", 0.75, "document", why))
    return found
