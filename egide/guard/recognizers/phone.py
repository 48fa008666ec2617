"""French telephone numbers: national, international (+33, 0033) and overseas (DROM, COM)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from egide.guard.findings import Finding
from egide.guard.recognizers.base import has_context
from egide.guard.registry import Recognizer, register_recognizer

__all__ = ["PhoneRecognizer", "phone_recognizer"]

_SEP = r"[ .\-\u00a0\u202f]"
_SPACE = r"[ \u00a0\u202f]"

# A phone number never sits inside a longer run of digits (SIRET, NIR, IBAN, amounts): refuse a
# digit, a "+" or "digit + separator" just before, and a digit (after one separator) just after.
_LEFT = rf"(?<![\w+])(?<!\d{_SEP})"
_RIGHT = rf"(?!\w)(?!{_SEP}\d)"

# Metropolitan and overseas numbers share the national plan: ten digits starting with 0[1-9]
# (0262, 0269, 0508, 0590, 0594, 0596, 0639, 0690…). Separators must be consistent, which
# keeps dates and references such as "01.23-45" out.
_NATIONAL = (
    rf"0[1-9](?P<sep>{_SEP}?)\d{{2}}(?:(?P=sep)\d{{2}}){{3}}"
    # "0262 12 34 56", the usual layout overseas and for 08 numbers
    rf"|0[1-9]\d{{2}}(?P<sep4>{_SEP})\d{{2}}(?P=sep4)\d{{2}}(?P=sep4)\d{{2}}"
    # "0 800 123 456", special-rate and free numbers
    rf"|0{_SPACE}?[89]\d{{2}}(?P<sep3>{_SEP})\d{{3}}(?P=sep3)\d{{3}}"
)

_PREFIX = rf"(?:\+|00){_SPACE}?"
# "+33 (0)1 …": the trunk zero is sometimes kept in brackets.
_TRUNK = rf"(?:{_SPACE}?\(0\))?{_SEP}?"
_INTERNATIONAL = (
    # France, Réunion/Mayotte, Guadeloupe/Saint-Martin/Saint-Barthélemy, Guyane, Martinique:
    # nine digits after the country code.
    rf"{_PREFIX}(?:33|262|590|594|596){_TRUNK}[1-9](?:{_SEP}?\d{{2}}){{4}}"
    # French Polynesia: eight digits.
    rf"|{_PREFIX}689{_SEP}?\d{{2}}(?:{_SEP}?\d{{2}}){{3}}"
    # Saint-Pierre-et-Miquelon, Wallis-et-Futuna, New Caledonia: six digits.
    rf"|{_PREFIX}(?:508|681|687){_SEP}?\d{{2}}(?:{_SEP}?\d{{2}}){{2}}"
)

_PATTERN = re.compile(rf"{_LEFT}(?:(?P<intl>{_INTERNATIONAL})|(?P<national>{_NATIONAL})){_RIGHT}")

_CONTEXT = (
    "tél", "tel.", "tel :", "tel:", "téléphone", "telephone", "portable", "mobile", "fixe",
    "fax", "joindre", "appeler", "appelez", "rappeler", "standard", "contact", "numéro",
    "numero", "n° de", "sms",
)  # fmt: skip

SCORE_INTERNATIONAL = 0.95
SCORE_SEPARATED = 0.85
SCORE_PACKED = 0.7
SCORE_CONTEXT = 0.97


class PhoneRecognizer:
    """French phone numbers; a bare run of ten digits scores lower unless a context word helps."""

    def __init__(self) -> None:
        self.name = "phone"
        self.labels: tuple[str, ...] = ("PHONE",)

    def find(self, text: str) -> Iterator[Finding]:
        for match in _PATTERN.finditer(text):
            start, end = match.span()
            value = match.group()
            if match.group("intl") is not None:
                score, why = SCORE_INTERNATIONAL, "numéro avec indicatif international français"
            elif value.isdigit():
                score, why = SCORE_PACKED, "dix chiffres au format d'un numéro français"
            else:
                score, why = SCORE_SEPARATED, "numéro français au format 0X XX XX XX XX"
            if has_context(text, start, end, _CONTEXT):
                score = max(score, SCORE_CONTEXT)
                why += " ; mot de contexte"
            yield Finding(start, end, "PHONE", score, value, self.name, why)


@register_recognizer("phone")
def phone_recognizer() -> Recognizer:
    return PhoneRecognizer()
