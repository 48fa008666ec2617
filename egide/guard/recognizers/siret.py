"""SIRET (establishment number): 14 digits, Luhn key; La Poste's own rule for its offices."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum.fr import siret as stdnum_siret

from egide.guard.findings import Finding
from egide.guard.recognizers._keyed import LEFT, OCR_GAP, RIGHT, SEP, ContextWords
from egide.guard.registry import Recognizer, register_recognizer

__all__ = ["SiretRecognizer", "siret_recognizer", "is_siret"]

# SIREN in three groups with one consistent separator (or none), then the five-digit NIC, as
# one group or as "000 74": "732 829 320 00074", "73282932000074", "732.829.320.000.74".
_PATTERN = re.compile(
    rf"{LEFT}(?P<value>\d{{3}}(?P<sep>{SEP}?)\d{{3}}(?P=sep)\d{{3}}{SEP}?"
    rf"(?:\d{{5}}|\d{{3}}{SEP}?\d{{2}})){RIGHT}"
)

# Forms and scans: a gap between any two digits ("9 0 6 1 3 9…", "906|139|795|00015", the NIC on
# the next line). A Luhn key passes one number in ten: such a layout is believed only with a
# context word, or when every gap is the same (one space per digit, boxes).
_OCR_PATTERN = re.compile(rf"{LEFT}(?P<value>\d(?:{OCR_GAP}?\d){{13}}){RIGHT}")
_GAPS = re.compile(r"\D+")

_CONTEXT = ContextWords(
    (
        "siret", "siren", "établissement", "société", "entreprise", "rcs", "r.c.s", "insee",
        "raison sociale", "prestataire", "fournisseur", "titulaire du marché", "auto-entrepreneur",
        "micro-entrepreneur",
    ),
    after=30,
)  # fmt: skip

SCORE_GROUPED = 0.85
SCORE_PACKED = 0.75
SCORE_CONTEXT = 0.99


def is_siret(digits: str) -> bool:
    """Luhn key over the 14 digits (sum of digits mod 5 for La Poste), valid SIREN."""
    # All zeros passes the Luhn test but is never issued.
    return digits.strip("0") != "" and stdnum_siret.is_valid(digits)


class SiretRecognizer:
    """SIRET numbers with a valid key; a context word ("SIRET", "société"…) raises the score."""

    def __init__(self) -> None:
        self.name = "siret"
        self.labels: tuple[str, ...] = ("SIRET",)

    def find(self, text: str) -> Iterator[Finding]:
        seen: list[tuple[int, int]] = []
        for pattern in (_PATTERN, _OCR_PATTERN):
            for match in pattern.finditer(text):
                value = match.group("value")
                start, end = match.span("value")
                if any(s < end and start < e for s, e in seen):
                    continue
                if not is_siret("".join(ch for ch in value if ch.isdigit())):
                    continue
                context = _CONTEXT.near(text, start, end)
                if pattern is _OCR_PATTERN and not context and len(set(_GAPS.findall(value))) > 1:
                    continue
                seen.append((start, end))
                if context:
                    score, why = (
                        SCORE_CONTEXT,
                        "SIRET avec clé de contrôle valide ; mot de contexte",
                    )
                else:
                    score = SCORE_PACKED if value.isdigit() else SCORE_GROUPED
                    why = "SIRET avec clé de contrôle valide"
                yield Finding(start, end, "SIRET", score, value, self.name, why)


@register_recognizer("siret")
def siret_recognizer() -> Recognizer:
    return SiretRecognizer()
