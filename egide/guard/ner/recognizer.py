"""The names recognizer: persons, places and organisations in French text.

It combines three sources, then resolves them (``resolve``): spaCy's entity recogniser
(``model``, cleaned by ``filters``), deterministic context rules (``context``) and gazetteers
of first names and places (``gazetteers``, ``places``).
"""

from __future__ import annotations

from collections.abc import Iterable

from egide.guard.findings import Finding
from egide.guard.ner.context import NameRules
from egide.guard.ner.filters import clean_entities
from egide.guard.ner.gazetteers import gazetteers
from egide.guard.ner.model import load_model, model_entities
from egide.guard.ner.places import find_places
from egide.guard.ner.resolve import propagate_surnames, resolve
from egide.guard.ner.tokens import CAPITALISED_RE, Token, shape_of

__all__ = ["NameRecognizer", "LABELS"]

LABELS = ("PERSON", "LOCATION", "ORG")


class NameRecognizer:
    """Finds names of people (PERSON), places (LOCATION) and organisations (ORG).

    With ``use_model=False`` only the rules and gazetteers run (several times faster, lower
    recall on names without any context word).
    """

    name: str = "names"
    labels: tuple[str, ...] = LABELS

    def __init__(self, *, use_model: bool = True) -> None:
        self.use_model = use_model
        self.gazetteers = gazetteers()
        if use_model:
            load_model()

    def find(self, text: str) -> Iterable[Finding]:
        if not text.strip():
            return []
        gaz = self.gazetteers
        capitalised = [
            Token(m.start(), m.end(), m.group(), shape_of(m.group()))
            for m in CAPITALISED_RE.finditer(text)
        ]
        rules = list(NameRules(text, gaz, capitalised).candidates())
        candidates = rules + propagate_surnames(text, capitalised, rules, gaz)
        candidates += find_places(text, capitalised, gaz)
        if self.use_model:
            candidates += clean_entities(text, model_entities(text), gaz)
        return [
            Finding(
                c.start, c.end, c.label, c.score, text[c.start : c.end], self.name, c.explanation
            )
            for c in resolve(text, candidates)
        ]
