"""IBAN, French and foreign: country length, BBAN structure and the mod 97 check digits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from stdnum import iban as stdnum_iban
from stdnum import numdb

from egide.guard.findings import Finding
from egide.guard.recognizers._keyed import OCR_GAP, ContextWords
from egide.guard.registry import Recognizer, register_recognizer

__all__ = ["IbanRecognizer", "iban_recognizer", "iban_length"]

# Groups of four are separated by spaces (or, rarely, dashes); forms write "FR 76…" and scans
# put dots, pipes or a line break between groups (OCR_GAP). The pattern takes as many characters
# as an IBAN may have (34); the country's length, known only once the country code is read, then
# says where the IBAN really ends, and the mod 97 check decides.
_PATTERN = re.compile(
    rf"(?<!\w)(?P<cc>[A-Za-z]{{2}})[ \u00a0]?\d{{2}}(?:{OCR_GAP}?[A-Za-z0-9]){{11,30}}",
)

_CONTEXT = ContextWords(
    (
        "iban", "rib", "relevé d'identité bancaire", "compte bancaire", "coordonnées bancaires",
        "virement", "prélèvement", "domiciliation", "bic",
    ),
    after=30,
)  # fmt: skip

_BBAN_FIELD = re.compile(r"(\d+)!")

SCORE_VALID = 0.95
SCORE_CONTEXT = 0.99


@lru_cache(maxsize=256)
def iban_length(country: str) -> int | None:
    """Number of characters of an IBAN of ``country`` (FR: 27), None for an unknown country."""
    info = numdb.get("iban").info(country.upper())
    structure = info[0][1].get("bban") if info else None
    if not structure:
        return None
    return 4 + sum(int(n) for n in _BBAN_FIELD.findall(structure))


def _end_of(text: str, start: int, limit: int, count: int) -> int | None:
    """Index just after the ``count``-th letter or digit from ``start`` (before ``limit``)."""
    seen = 0
    for index in range(start, limit):
        if text[index].isalnum():
            seen += 1
            if seen == count:
                return index + 1
    return None


class IbanRecognizer:
    """IBANs with valid check digits, packed or in groups of four, in upper or lower case."""

    def __init__(self) -> None:
        self.name = "iban"
        self.labels: tuple[str, ...] = ("IBAN",)

    def _accept(self, text: str, match: re.Match[str]) -> int | None:
        length = iban_length(match.group("cc"))
        if length is None:
            return None
        start = match.start()
        end = _end_of(text, start, match.end(), length)
        # The IBAN must end where a group ends, not inside a longer run of characters.
        if end is None or (end < len(text) and text[end].isalnum()):
            return None
        # The RIB key inside a French IBAN is covered by the mod 97 check: no country check.
        compact = "".join(ch for ch in text[start:end] if ch.isalnum())
        if not stdnum_iban.is_valid(compact, check_country=False):
            return None
        return end

    def find(self, text: str) -> Iterator[Finding]:
        position = 0
        while (match := _PATTERN.search(text, position)) is not None:
            end = self._accept(text, match)
            start = match.start()
            if end is None:
                # The candidate may have swallowed the start of a following IBAN: look again.
                position = start + 1
                continue
            position = end
            value = text[start:end]
            if _CONTEXT.near(text, start, end):
                score, why = SCORE_CONTEXT, "IBAN avec clé de contrôle valide ; mot de contexte"
            else:
                score, why = SCORE_VALID, "IBAN avec clé de contrôle valide"
            yield Finding(start, end, "IBAN", score, value, self.name, why)


@register_recognizer("iban")
def iban_recognizer() -> Recognizer:
    return IbanRecognizer()
