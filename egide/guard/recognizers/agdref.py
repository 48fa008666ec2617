"""AGDREF number (numéro étranger, on residence permits): ten digits, no key, context required."""

from __future__ import annotations

import re
from collections.abc import Iterator

from egide.guard.findings import Finding
from egide.guard.recognizers._keyed import LEFT, RIGHT, SEP, ContextWords
from egide.guard.registry import Recognizer, register_recognizer

__all__ = ["AgdrefRecognizer", "agdref_recognizer"]

_PATTERN = re.compile(rf"{LEFT}(?P<value>\d(?:{SEP}?\d){{9}}){RIGHT}")

_CONTEXT = ContextWords(
    (
        "agdref", "titre de séjour", "carte de séjour", "n° étranger", "numéro étranger",
        "n° d'étranger", "numéro d'étranger", "no étranger", "récépissé de demande",
    )
)  # fmt: skip

# A préfecture letter about a residence permit often gives a phone number too: ten digits
# starting with 0 right after one of these words is a phone number, not an AGDREF number.
_PHONE_CONTEXT = ContextWords(
    ("tél", "tel", "téléphone", "portable", "mobile", "appeler", "appelez", "joindre", "fax"),
    before=30,
)
_PHONE_PAIRS = re.compile(rf"0[1-9](?:{SEP}\d{{2}}){{4}}")

SCORE_CONTEXT = 0.9


class AgdrefRecognizer:
    """Ten-digit numbers next to "AGDREF", "titre de séjour", "n° étranger"…"""

    def __init__(self) -> None:
        self.name = "agdref"
        self.labels: tuple[str, ...] = ("AGDREF",)

    def find(self, text: str) -> Iterator[Finding]:
        for match in _PATTERN.finditer(text):
            value = match.group("value")
            start, end = match.span("value")
            if not _CONTEXT.near(text, start, end):
                continue
            if value.startswith("0") and (
                _PHONE_PAIRS.fullmatch(value) or _PHONE_CONTEXT.near(text, start, end)
            ):
                continue
            why = "numéro AGDREF ; mot de contexte"
            yield Finding(start, end, "AGDREF", SCORE_CONTEXT, value, self.name, why)


@register_recognizer("agdref")
def agdref_recognizer() -> Recognizer:
    return AgdrefRecognizer()
