"""SIREN (company number): 9 digits with a Luhn key, too common a shape to trust alone."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum.fr import siren as stdnum_siren

from egide.guard.findings import Finding
from egide.guard.recognizers._keyed import LEFT, RIGHT, SEP, ContextWords
from egide.guard.registry import Recognizer, register_recognizer

__all__ = ["SirenRecognizer", "siren_recognizer"]

# Three groups of three digits with one consistent separator, or packed. RIGHT keeps the first
# nine digits of a SIRET ("732 829 320 00074") out.
_PATTERN = re.compile(rf"{LEFT}(?P<value>\d{{3}}(?P<sep>{SEP}?)\d{{3}}(?P=sep)\d{{3}}){RIGHT}")

# "RCS Paris 732 829 320" but also "732 829 320 R.C.S. Paris": look on both sides.
_CONTEXT = ContextWords(
    (
        "siren", "rcs", "r.c.s", "immatriculée", "immatriculé", "société",
        "registre du commerce", "n° d'identification", "entreprise",
    ),
    after=30,
)  # fmt: skip

# A spaced 9-digit number is also how French writes large amounts: "123 456 789 €".
_AMOUNT_AFTER = re.compile(
    r"[ \u00a0\u202f]{0,2}"
    r"(?:€|\$|%|,\d|eur\b|euros?\b|k€|m€|habitants?\b|personnes?\b|francs?\b)",
    re.IGNORECASE,
)
_SPACES = frozenset(" \u00a0\u202f")

SCORE_CONTEXT = 0.95
SCORE_SPACED = 0.6


class SirenRecognizer:
    """A Luhn-valid 9-digit number next to a context word, or written "732 829 320"."""

    def __init__(self) -> None:
        self.name = "siren"
        self.labels: tuple[str, ...] = ("SIREN",)

    def find(self, text: str) -> Iterator[Finding]:
        for match in _PATTERN.finditer(text):
            value, sep = match.group("value", "sep")
            digits = "".join(ch for ch in value if ch.isdigit())
            if digits == "000000000" or not stdnum_siren.is_valid(digits):
                continue
            start, end = match.span("value")
            if _CONTEXT.near(text, start, end):
                score, why = SCORE_CONTEXT, "SIREN avec clé de contrôle valide ; mot de contexte"
            elif sep in _SPACES and not _AMOUNT_AFTER.match(text, end):
                score, why = SCORE_SPACED, "SIREN avec clé de contrôle valide, au format 3-3-3"
            else:
                continue
            yield Finding(start, end, "SIREN", score, value, self.name, why)


@register_recognizer("siren")
def siren_recognizer() -> Recognizer:
    return SirenRecognizer()
