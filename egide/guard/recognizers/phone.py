"""French telephone numbers: national, international (+33, 0033) and overseas (DROM, COM)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from egide.guard.findings import Finding
from egide.guard.recognizers._institutional import service_cue, service_phone
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

# Irregular groupings ("06 1234 5678", "0612 34 56 78", "06.12 34.56.78", one space per digit):
# ten digits with at most one space or dot between any two; or pairs joined by slashes, as
# hand-filled forms write them ("06/12/34/56/78"). Dashes stay consistent (the pattern above):
# "01.23-45" is a reference, not a phone.
_GAP = r"[ .\u00a0\u202f]"
# "12/03/2024 10", "01.02.2024 12": a date with its hour is not a phone number.
_DATE_INSIDE = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)\d\d")
_IRREGULAR = re.compile(
    rf"{_LEFT}(?P<value>(?:(?:\+|00){_SPACE}?33{_SPACE}?(?:\(0\){_SPACE}?)?[1-9]|0{_GAP}?[1-9])"
    rf"(?:{_GAP}?\d){{8}}|0[1-9](?:/\d\d){{4}}){_RIGHT}"
)
# Short numbers of public services ("3939", "3646"): only after a verb or a word of calling.
_SHORT = re.compile(
    r"(?i:(?:au|le|composez|composer|appelez|appeler|contactez|numéro|numero)\s(?:le\s)?)"
    r"(?P<value>3\d{3})(?![\w,.]\d)(?!\s?(?:€|euros?|ans|km|m²|habitants|personnes))"
)

_CONTEXT = (
    "tél", "tel.", "tel :", "tel:", "téléphone", "telephone", "portable", "mobile", "fixe",
    "fax", "joindre", "appeler", "appelez", "rappeler", "standard", "contact", "numéro",
    "numero", "n° de", "sms",
)  # fmt: skip

SCORE_INTERNATIONAL = 0.95
SCORE_SEPARATED = 0.85
SCORE_PACKED = 0.7
SCORE_CONTEXT = 0.97


SCORE_IRREGULAR = 0.75


def _national_digits(value: str) -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    if value.lstrip().startswith(("+", "00")):
        digits = digits[2:] if value.lstrip().startswith("00") else digits
        if digits.startswith("33"):
            rest = digits[2:]
            return rest if rest.startswith("0") else "0" + rest
        return digits
    return digits


class PhoneRecognizer:
    """French phone numbers; a bare run of ten digits scores lower unless a context word helps.

    A service's number (switchboard, toll-free, "accueil", "du lundi au vendredi…") is reported
    as SERVICE_PHONE: institutional, not personal (see ``_institutional``).
    """

    def __init__(self) -> None:
        self.name = "phone"
        self.labels: tuple[str, ...] = ("PHONE", "SERVICE_PHONE")

    def find(self, text: str) -> Iterator[Finding]:
        taken: list[tuple[int, int]] = []
        for match in _PATTERN.finditer(text):
            start, end = match.span()
            value = match.group()
            if match.group("intl") is not None:
                score, why = SCORE_INTERNATIONAL, "numéro avec indicatif international français"
            elif value.isdigit():
                score, why = SCORE_PACKED, "dix chiffres au format d'un numéro français"
            else:
                score, why = SCORE_SEPARATED, "numéro français au format 0X XX XX XX XX"
            taken.append((start, end))
            yield self._finding(text, start, end, score, why)
        for match in _IRREGULAR.finditer(text):
            start, end = match.span("value")
            value = match.group("value")
            if value.isdigit() or any(s < end and start < e for s, e in taken):
                continue
            groups = len(re.findall(r"\d+", value))
            if 5 < groups < 10 or _DATE_INSIDE.search(value):
                continue  # "01 02 2024 12 30": pieces of several things, not one number
            taken.append((start, end))
            yield self._finding(text, start, end, SCORE_IRREGULAR,
                                "dix chiffres d'un numéro français, groupés autrement")  # fmt: skip
        for match in _SHORT.finditer(text):
            start, end = match.span("value")
            if has_context(text, start, end, _CONTEXT) or service_cue(text, start, end):
                yield Finding(start, end, "SERVICE_PHONE", SCORE_SEPARATED, match.group("value"),
                              self.name, "numéro court d'un service public")  # fmt: skip

    def _finding(self, text: str, start: int, end: int, score: float, why: str) -> Finding:
        value = text[start:end]
        if has_context(text, start, end, _CONTEXT):
            score = max(score, SCORE_CONTEXT)
            why += " ; mot de contexte"
        if service_phone(text, start, end, _national_digits(value)):
            return Finding(start, end, "SERVICE_PHONE", score, value, self.name,
                           why + " ; numéro d'un service (standard, accueil, numéro vert…)")  # fmt: skip
        return Finding(start, end, "PHONE", score, value, self.name, why)


@register_recognizer("phone")
def phone_recognizer() -> Recognizer:
    return PhoneRecognizer()
