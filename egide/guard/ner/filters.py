"""Cleaning of the statistical model's entities: its PER label is noisy on administrative text.

Civilities and titles are trimmed out of spans ("Monsieur le Préfet" -> nothing, "Dr Sophie
Lambert" -> "Sophie Lambert"); spans that are lower case, one letter, ordinary words
("Considérant"), headings or organisation names are dropped or relabelled.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from egide.guard.ner.candidates import Candidate
from egide.guard.ner.gazetteers import (
    ACRONYMS,
    CIVILITIES,
    MEDICAL_EPONYMS,
    ORG_WORDS,
    PARTICLES,
    STOP_WORDS,
    TITLE_WORDS,
    Gazetteers,
    follows_establishment_word,
)
from egide.guard.ner.model import ModelEntity
from egide.guard.ner.places import NON_IDENTIFYING_PLACES, in_postal_line, institutional_place
from egide.guard.ner.tokens import Shape, fold, shape_of
from egide.guard.sensitive import is_health_word

__all__ = ["clean_entities"]

# A line break, a tab, a run of spaces or a spaced dash ends what a model saw as one entity:
# "Service de médecine – Dr Anne ROBIN" is a service, then a person.
_SEGMENT_BREAK_RE = re.compile(r"\n|\t|  | [–—-] ")
_PART_RE = re.compile(r"[^\s]{1,60}")
_EDGE_PUNCTUATION = " \t,;:.!?()[]{}«»\"'’-–—/"
_MODEL_SCORE = {"PERSON": 0.6, "LOCATION": 0.65, "ORG": 0.6}


def _parts(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _PART_RE.finditer(text, start, end)]


def _strip_part(start: int, end: int, word: str) -> tuple[int, int, str]:
    stripped = word.strip(_EDGE_PUNCTUATION)
    if not stripped:
        return start, start, ""
    offset = word.index(stripped)
    return start + offset, start + offset + len(stripped), stripped


def _is_prefix_word(word: str) -> bool:
    key = fold(word).rstrip(".")
    return key in CIVILITIES or key in TITLE_WORDS or key in ("le", "la", "les", "l")


def clean_entities(text: str, entities: list[ModelEntity], gaz: Gazetteers) -> Iterator[Candidate]:
    for entity in entities:
        # A line break, a tab or a run of spaces inside an entity ends it: "Jean DURAND\nPréfet"
        # and "Lucas REY\t\tNath LE GALL" (two signatures side by side) are two things.
        segment_start = entity.start
        for gap in _SEGMENT_BREAK_RE.finditer(text, entity.start, entity.end):
            found = _clean(text, segment_start, gap.start(), entity.label, gaz)
            if found is not None:
                yield found
            segment_start = gap.end()
        found = _clean(text, segment_start, entity.end, entity.label, gaz)
        if found is not None:
            yield found


def _clean(text: str, start: int, end: int, label: str, gaz: Gazetteers) -> Candidate | None:
    parts = [_strip_part(*part) for part in _parts(text, start, end)]
    parts = [part for part in parts if part[2]]
    had_civility = False
    if label == "PERSON":
        while parts and _is_prefix_word(parts[0][2]):
            had_civility = had_civility or fold(parts[0][2]).rstrip(".") in CIVILITIES
            parts.pop(0)
    else:
        while parts and fold(parts[0][2]) in ("le", "la", "les", "l"):
            parts.pop(0)
    while parts and (fold(parts[-1][2]) in PARTICLES or parts[-1][2].lower() in ("d'", "l'")):
        parts.pop()
    if not parts:
        return None
    words = [part[2] for part in parts]
    first = words[0]
    span_start, span_end = parts[0][0], parts[-1][1]
    if any(ch.isdigit() for word in words for ch in word) or not first[:1].isupper():
        return None
    if len(first) < 2 and len(words) == 1:
        return None
    keys = [fold(word) for word in words]
    if len(words) == 1 and not had_civility and is_health_word(first):
        return None  # "reçoit du Kardegic", "HTA": a drug or a disease, not a place, a person…
    if (
        len(words) == 1
        and label != "ORG"
        and not had_civility
        and keys[0] in ACRONYMS
        and shape_of(first) is not Shape.UPPER
    ):
        return None  # "la Caf", "sur Ameli": a body or a benefit written in Title case
    if label == "PERSON":
        return _person(text, parts, gaz, after_civility=had_civility)
    if label == "LOCATION":
        # "Décision du Tribunal judiciaire de Villefranche-sur-Saône": keep the place at the end.
        # "Décision du Tribunal de Villefranche-sur-Saône": likewise after an institution.
        lower = [
            i
            for i, part in enumerate(parts)
            if (shape_of(part[2]) is Shape.LOWER and fold(part[2]) not in PARTICLES)
            or (i > 0 and fold(part[2]) in ORG_WORDS)
        ]
        if lower:
            parts = parts[lower[-1] + 1 :]
            while parts and fold(parts[0][2]) in PARTICLES:
                parts.pop(0)
            if not parts:
                return None
            words = [part[2] for part in parts]
            first = words[0]
            span_start, span_end = parts[0][0], parts[-1][1]
            keys = [fold(word) for word in words]
        if follows_establishment_word(text, span_start):
            return None
    if keys[0] in STOP_WORDS or keys[0] in CIVILITIES or keys[0] in TITLE_WORDS:
        return None
    if (
        len(words) == 1
        and shape_of(first) is Shape.UPPER
        and keys[0] in ACRONYMS
        and gaz.place_population(first) != -1
    ):
        return Candidate(span_start, span_end, "ORG", 0.6, "model", _why("ORG"))
    if (
        label == "LOCATION"
        and len(words) == 1
        and gaz.is_common_word(first)
        and (gaz.place_population(first) is None or not _locative(text, span_start, span_end))
    ):
        return None  # "Lilas", "Vu", "Somme d'argent…": ordinary words taken for places
    if (
        label == "ORG"
        and len(words) == 1
        and shape_of(first) is not Shape.UPPER
        and gaz.is_common_word(first)
    ):
        return None
    if label == "LOCATION":
        if keys[0] in ORG_WORDS or (shape_of(first) is Shape.UPPER and keys[0] in ACRONYMS):
            return Candidate(span_start, span_end, "ORG", 0.6, "model", _why("ORG"))
        name = text[span_start:span_end]
        if (
            fold(name) in NON_IDENTIFYING_PLACES
            or institutional_place(text, span_start, span_end)
            or in_postal_line(text, span_start, span_end)
            or _is_eponym(text, span_start, keys)
        ):
            return None
        if gaz.place_population(name) is None and not _locative(text, span_start, span_end):
            return None  # an unknown word outside any locative phrase: "- Pantoprazole"
    score = _MODEL_SCORE[label]
    if label == "LOCATION" and gaz.place_population(text[span_start:span_end]) is not None:
        score = 0.85
    return Candidate(span_start, span_end, label, score, "model", _why(label))


def _person(
    text: str, parts: list[tuple[int, int, str]], gaz: Gazetteers, *, after_civility: bool
) -> Candidate | None:
    words = [part[2] for part in parts]
    keys = [fold(word) for word in words]
    start = parts[0][0]
    if keys[0] in ORG_WORDS:
        return Candidate(start, parts[-1][1], "ORG", 0.6, "model", _why("ORG"))
    full_name = (
        len(words) >= 2
        and gaz.is_unambiguous_first_name(words[0])
        and shape_of(words[1]) is Shape.UPPER
    )
    if follows_establishment_word(text, start, full_name=full_name):
        return None  # "rue Victor-Hugo", "centre hospitalier Jean-Jaurès"
    # "Médecine polyvalente Dr Anne ROBIN": the name starts after the last civility.
    last_civility = max(
        (i for i, key in enumerate(keys) if key.rstrip(".") in CIVILITIES), default=-1
    )
    if last_civility >= 0:
        parts, words, keys = (
            parts[last_civility + 1 :], words[last_civility + 1 :], keys[last_civility + 1 :]
        )  # fmt: skip
        if not parts:
            return None
        start = parts[0][0]
    shapes = [shape_of(word) for word in words]
    # The model often runs on past the name ("Fatoumata Diallo Objet"): cut at the first word
    # that cannot belong to a name.
    keep = 0
    for shape, key in zip(shapes, keys, strict=True):
        if key in TITLE_WORDS or key in STOP_WORDS or key in ORG_WORDS:
            break
        if shape is Shape.LOWER and key not in PARTICLES:
            break
        keep += 1
    while keep and keys[keep - 1] in PARTICLES:
        keep -= 1
    if keep == 0:
        return None
    words, shapes, end = words[:keep], shapes[:keep], parts[keep - 1][1]
    if _is_eponym(text, start, keys[:keep]):
        return None
    if len(words) == 1:
        word = words[0]
        if shapes[0] is Shape.UPPER and keys[0] in ACRONYMS:
            return None
        if shapes[0] is Shape.INITIAL or len(word) < 2:
            return None
        # After a civility ("M. Petit"), an ordinary word is a surname.
        known = after_civility or gaz.is_first_name(word) or gaz.is_surname(word)
        if not known and gaz.is_common_word(word):
            return None
        if not known and gaz.place_population(word) is not None:
            return Candidate(start, end, "LOCATION", 0.7, "model", _why("LOCATION"))
        if not known and shapes[0] is not Shape.UPPER and _starts_sentence(text, start):
            # A capitalised word opening a sentence ("Rédige une note…") is far more often a
            # verb or a noun than an unknown surname standing alone; a real surname seen
            # elsewhere with a civility is found by the rules and propagated.
            return None
    elif gaz.place_population(text[start:end]) is not None and not gaz.is_first_name(words[0]):
        return Candidate(start, end, "LOCATION", 0.7, "model", _why("LOCATION"))
    if (
        not after_civility
        and Shape.UPPER not in shapes
        and all(
            len(word) > 2  # an initial ("J. Petit") makes a name
            and gaz.is_common_word(word)
            and not gaz.is_first_name(word)
            and not gaz.is_surname(word)
            for word in words
        )
    ):
        return None  # "Médecine Polyvalente", "Pompes Funèbres": ordinary words, capitalised
    score = 0.6
    if any(gaz.is_first_name(word) for word in words) or Shape.UPPER in shapes:
        score = 0.8
    return Candidate(start, end, "PERSON", score, "model", _why("PERSON"))


_EPONYM_CUE = re.compile(
    r"(?:maladie|syndrome|signe|test|manoeuvre|manœuvre|score|échelle|echelle|thyroïdite|"
    r"thyroidite|œsophage|oesophage|sarcome|lymphome|chorée|choree|phénomène|phenomene|"
    r"classification|critères|criteres|stade|formule|classe|triade|méthode|methode)"
    r"\s+(?:de\s+|d'|du\s+)?$",
    re.IGNORECASE,
)


def _is_eponym(text: str, start: int, keys: list[str]) -> bool:
    """ "maladie de Parkinson", "signe de Babinski", "score CKD-EPI": no person is named."""
    if (len(keys) <= 3 and "-".join(keys) in MEDICAL_EPONYMS) or keys[0] in MEDICAL_EPONYMS:
        return True
    return _EPONYM_CUE.search(text[max(0, start - 30) : start]) is not None


_LOCATIVE_WORDS = frozenset(
    {"a", "en", "au", "aux", "de", "d", "du", "depuis", "vers", "pres", "dans", "sur", "sous"}
)
_LAST_WORD_RE = re.compile(r"([^\W\d_]{1,20})['’ \t]{1,3}$")


def _locative(text: str, start: int, end: int) -> bool:
    """ "né à Conakry", "en Guinée", "Hanoï (Viêt Nam)", "(Algérie)": a phrase about a place."""
    before = text[max(0, start - 25) : start]
    if before.rstrip(" \t").endswith("(") or text[end : end + 3].lstrip(" ").startswith("("):
        return True
    last = _LAST_WORD_RE.search(before)
    return last is not None and fold(last.group(1)) in _LOCATIVE_WORDS


def _starts_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 40) : start].rstrip(" \t\u00a0«\"'(")
    return not before or before[-1] in ".!?:;\n-–—•*"


def _why(label: str) -> str:
    names = {"PERSON": "PER", "LOCATION": "LOC", "ORG": "ORG"}
    return f"modèle statistique spaCy ({names[label]})"
