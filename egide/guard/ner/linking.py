"""Which person mentions name the same person: a key for the pseudonymiser.

Heuristic, in order:

1. Civilities and titles are dropped ("M.", "Monsieur le Préfet", "Dr", "Maître").
2. The surname is the upper-case part when the mention mixes cases ("Jean DUPONT",
   "DUPONT Jean", "Jean-Pierre MARTIN-LEROY").
3. Otherwise, leading known first names and initials are given names and the rest is the
   surname ("Jean Dupont", "J.-P. Martin", "Marie Le Goff"); when only the last part is a known
   first name, the mention is surname-first ("Dupont Jean"). A lone word is its own surname.
4. The key is the surname folded: lower case, no accents, hyphens and apostrophes as spaces.

So "M. DUPONT", "Jean Dupont", "DUPONT Jean", "J. Dupont" and "Monsieur Jean DUPONT" share the
key "dupont". Two different people with the same surname share it too: ``may_corefer`` tells
them apart when both mentions carry given names or initials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from egide.guard.ner.gazetteers import CIVILITIES, PARTICLES, TITLE_WORDS, gazetteers
from egide.guard.ner.tokens import Shape, fold, shape_of

__all__ = ["PersonName", "person_name", "person_key", "may_corefer"]

_PART_RE = re.compile(
    r"[A-ZÀ-ÖØ-Þ]\.(?:-[A-ZÀ-ÖØ-Þ]\.)?(?![^\W\d_])|[^\W\d_]{1,40}(?:['’\-][^\W\d_]{1,40}){0,6}\.?"
)
_SEPARATORS_RE = re.compile(r"[\s'\-]+")


@dataclass(frozen=True, slots=True)
class PersonName:
    given: tuple[str, ...]  # folded given names, or initials such as "j." / "j.-p."
    surname: str  # the key: folded surname

    @property
    def initials(self) -> tuple[str, ...]:
        return tuple(name[0] for name in self.given if name)


def _normalise(words: list[str]) -> str:
    return _SEPARATORS_RE.sub(" ", fold(" ".join(words))).strip()


def person_name(text: str) -> PersonName:
    words = [m.group() for m in _PART_RE.finditer(text)]
    while words:
        head = fold(words[0])
        if head.rstrip(".") in CIVILITIES or head in TITLE_WORDS:
            words.pop(0)
        elif head in ("le", "la") and len(words) > 1 and fold(words[1]) in TITLE_WORDS:
            words.pop(0)  # "Monsieur le Préfet …", but "LE GOFF" is a surname
        else:
            break
    words = [w if shape_of(w) is Shape.INITIAL else w.rstrip(".") for w in words]
    if not words:
        return PersonName((), _normalise(text.split()))
    gaz = gazetteers()
    shapes = [shape_of(word) for word in words]
    is_given = [
        shape is Shape.INITIAL or gaz.is_first_name(word)
        for word, shape in zip(words, shapes, strict=True)
    ]
    upper = [shape is Shape.UPPER for shape in shapes]
    if any(upper) and not all(upper):
        surname = [w for w, up in zip(words, upper, strict=True) if up]
        given = [w for w, up in zip(words, upper, strict=True) if not up]
    elif len(words) > 1 and is_given[-1] and not is_given[0]:
        surname, given = [words[0]], words[1:]  # "Dupont Jean"
    else:
        split = 0
        while split < len(words) - 1 and is_given[split]:
            split += 1
        given, surname = words[:split], words[split:]
    # Particles are kept with the surname ("de Gaulle") but never count as given names.
    while given and fold(given[-1]) in PARTICLES:
        surname.insert(0, given.pop())
    return PersonName(tuple(fold(g) for g in given), _normalise(surname))


def person_key(text: str) -> str:
    """Key shared by the mentions that plausibly name the same person (see module docstring)."""
    return person_name(text).surname


def may_corefer(first: str, second: str) -> bool:
    """Same surname, and given names (or their initials) that do not contradict each other."""
    a, b = person_name(first), person_name(second)
    if a.surname != b.surname:
        return False
    for name_a, name_b in zip(a.given, b.given, strict=False):
        if name_a.endswith(".") or name_b.endswith("."):
            if name_a[0] != name_b[0]:
                return False
        elif name_a != name_b:
            return False
    return True
