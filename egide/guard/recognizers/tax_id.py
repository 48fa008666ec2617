"""Numéro fiscal (SPI): 13 digits, first one 0-3, last three = the first ten mod 511."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum.fr import nif as stdnum_nif

from egide.guard.findings import Finding
from egide.guard.recognizers._keyed import LEFT, OCR_GAP, RIGHT, ContextWords
from egide.guard.registry import Recognizer, register_recognizer

__all__ = ["TaxIdRecognizer", "tax_id_recognizer"]

# Printed "12 34 567 890 123" on tax notices, packed in forms, grouped otherwise by hand: one
# separator is accepted between any two digits, the key (one chance in 511) does the sorting.
# Forms and scans: a gap between any two digits ("0 4 5 1…", "04.51.102…", a line break).
_PATTERN = re.compile(rf"{LEFT}(?P<value>[0-3](?:{OCR_GAP}?\d){{12}}){RIGHT}")

_CONTEXT = ContextWords(
    (
        "numéro fiscal", "n° fiscal", "no fiscal", "spi", "identifiant fiscal",
        "numéro d'identification fiscale", "référence fiscale", "avis d'impôt",
        "avis d'imposition", "impots.gouv", "contribuable", "déclarant", "foyer fiscal",
    ),
    after=30,
)  # fmt: skip

SCORE_VALID = 0.8
SCORE_CONTEXT = 0.98


class TaxIdRecognizer:
    """Numéros fiscaux with a valid key; "numéro fiscal", "SPI"… raise the score."""

    def __init__(self) -> None:
        self.name = "tax_id"
        self.labels: tuple[str, ...] = ("TAX_ID",)

    def find(self, text: str) -> Iterator[Finding]:
        for match in _PATTERN.finditer(text):
            value = match.group("value")
            digits = "".join(ch for ch in value if ch.isdigit())
            # 0000000000000 passes the key test but is no one's number.
            if digits.strip("0") == "" or not stdnum_nif.is_valid(digits):
                continue
            start, end = match.span("value")
            if _CONTEXT.near(text, start, end):
                score, why = SCORE_CONTEXT, "numéro fiscal avec clé valide ; mot de contexte"
            else:
                score, why = SCORE_VALID, "numéro fiscal avec clé valide"
            yield Finding(start, end, "TAX_ID", score, value, self.name, why)


@register_recognizer("tax_id")
def tax_id_recognizer() -> Recognizer:
    return TaxIdRecognizer()
