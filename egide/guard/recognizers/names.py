"""Names of people (PERSON), places (LOCATION) and organisations (ORG)."""

from __future__ import annotations

from egide.guard.ner.recognizer import NameRecognizer
from egide.guard.registry import register_recognizer

__all__ = ["names_recognizer"]


@register_recognizer("names")
def names_recognizer() -> NameRecognizer:
    return NameRecognizer()
