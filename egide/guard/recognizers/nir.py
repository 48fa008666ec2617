"""NIR (numéro de sécurité sociale): 13 characters and a two-digit key, 97 - (number mod 97)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum.fr import nir as stdnum_nir

from egide.guard.findings import Finding
from egide.guard.recognizers._keyed import LEFT, OCR_GAP, RIGHT, SEP, ContextWords
from egide.guard.registry import Recognizer, register_recognizer

__all__ = ["NirRecognizer", "nir_recognizer", "is_nir"]

_GAP = f"{SEP}{{0,2}}"
# "123 - 45", "123 -- 45": the key is sometimes set apart with a dash or two.
_KEY_GAP = f"{SEP}{{0,4}}"

# Sex, year, month, then either a two-character département (2A and 2B for Corsica) and a
# three-digit commune, or an overseas three-digit département (97x, 98x) and a two-digit
# commune; then the birth order number and the optional key. Separators are accepted only
# between these groups, which is where people put them.
_PATTERN = re.compile(
    rf"{LEFT}(?P<value>(?P<body>[1-478]{_GAP}\d{{2}}{_GAP}\d{{2}}{_GAP}"
    rf"(?:(?:2[ABab]|\d{{2}}){_GAP}\d{{3}}|9[78]\d{_GAP}\d{{2}})"
    rf"{_GAP}\d{{3}})(?:{_KEY_GAP}(?P<key>\d{{2}}))?){RIGHT}"
)
# Forms and scanned documents: a gap may sit between any two characters ("1 8 4 1 2 7 5…",
# "2|69|05|…", a line break where the line was full). The groups are then checked on the
# compact value, as above.
_OCR_PATTERN = re.compile(
    rf"{LEFT}(?P<value>(?P<body>[1-478](?:{OCR_GAP}?\d){{5}}{OCR_GAP}?[\dABab]"
    rf"(?:{OCR_GAP}?\d){{6}})(?:{OCR_GAP}?(?P<key>\d{OCR_GAP}?\d))?){RIGHT}"
)

_CONTEXT = ContextWords(
    (
        "sécurité sociale", "sécu", "nir", "n° ss", "n°ss", "no ss", "n° de ss", "numéro ss",
        "numéro d'inscription au répertoire", "immatriculation", "immatriculé", "immatriculée",
        "insee", "assuré social", "assurée sociale", "carte vitale", "assuré", "assurée",
        "n° d'identification", "numéro d'identification", "ins", "n° ins", "ss",
    ),
    after=30,
)  # fmt: skip

SCORE_KEY = 0.95
SCORE_KEY_CONTEXT = 0.99
SCORE_NO_KEY_CONTEXT = 0.85
# A wrong key next to a NIR's cue: a typo or an OCR error, still somebody's NIR.
SCORE_WRONG_KEY_CONTEXT = 0.8


def _compact(value: str) -> str:
    return "".join(ch for ch in value if ch.isalnum()).upper()


def _plausible(number: str) -> bool:
    """Sex, month and département of a compact 13-character body (stdnum checks none)."""
    if len(number) != 13 or number[0] not in "123478" or number[5:7] == "00":
        return False
    if not (number[:5] + number[7:]).isdecimal() or not (
        number[5:7].isdecimal() or number[5:7] in ("2A", "2B")
    ):
        return False
    month = int(number[3:5])
    # INSEE uses 20-42 and 50-99 when the month of birth is unknown.
    return 1 <= month <= 12 or 20 <= month <= 42 or month >= 50


def _key_matches(number: str, key: str) -> bool:
    # stdnum replaces 2A by 19 and 2B by 18 before taking the number mod 97.
    return bool(stdnum_nir.calc_check_digits(number) == key)


def is_nir(value: str) -> bool:
    """A complete NIR with a valid key, separators allowed: "2 69 05 49 588 157 80"."""
    number = _compact(value)
    return _plausible(number[:13]) and len(number) == 15 and _key_matches(number[:13], number[13:])


def _reach_of_own_cue(text: str, start: int) -> int:
    """How far back the cue of a wrong-key value may be: its own line, or the line above when
    the value opens its line ("N° de sécurité sociale :\n1 84…"). A cue on another line
    belongs to another value: "N° SS : …\nLe bordereau 2 05 04…" is a parcel."""
    line = text.rfind("\n", max(0, start - 60), start) + 1
    if text[line:start].strip() or line == 0:
        return start - line if line else min(start, 60)
    previous = text.rfind("\n", max(0, line - 61), line - 1) + 1
    return start - previous


class NirRecognizer:
    """A NIR with a valid key anywhere; without its key, or with a wrong one (NIR_LIKE), only
    next to a context word ("n° de sécurité sociale", "NIR", "assuré"…)."""

    def __init__(self) -> None:
        self.name = "nir"
        self.labels: tuple[str, ...] = ("NIR", "NIR_LIKE")

    def find(self, text: str) -> Iterator[Finding]:
        seen: set[tuple[int, int]] = set()
        for pattern in (_PATTERN, _OCR_PATTERN):
            for match in pattern.finditer(text):
                span = match.span("value")
                if any(s < span[1] and span[0] < e for s, e in seen):
                    continue  # the grouped pattern already read this value
                finding = self._judge(text, match)
                if finding is not None:
                    seen.add(span)
                    yield finding

    def _judge(self, text: str, match: re.Match[str]) -> Finding | None:
        body, key = match.group("body", "key")
        number = _compact(body)
        if not _plausible(number):
            return None
        start, end = match.span("value")
        context = _CONTEXT.near(text, start, end)
        label = "NIR"
        if key is not None:
            key = _compact(key)
            if _key_matches(number, key):
                score, why = SCORE_KEY, "NIR avec clé de contrôle valide"
                if context:
                    score, why = SCORE_KEY_CONTEXT, why + " ; mot de contexte"
            elif _CONTEXT.near(text, start, end, before=_reach_of_own_cue(text, start)):
                label, score = "NIR_LIKE", SCORE_WRONG_KEY_CONTEXT
                why = "forme d'un NIR, clé erronée ; mot de contexte"
            else:
                return None
        elif context:
            score, why = SCORE_NO_KEY_CONTEXT, "NIR sans clé ; mot de contexte"
        else:
            return None
        return Finding(start, end, label, score, match.group("value"), self.name, why)


@register_recognizer("nir")
def nir_recognizer() -> Recognizer:
    return NirRecognizer()
