"""French vehicle registration plates: SIV (AB-123-CD, since 2009) and the former FNI system."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from egide.guard.findings import Finding
from egide.guard.recognizers._institutional import example_value
from egide.guard.recognizers.base import has_context
from egide.guard.registry import Recognizer, register_recognizer

__all__ = ["PlateRecognizer", "plate_recognizer"]

# SIV letters leave out I, O and U (confused with 1, 0 and V).
_SIV_LETTER = "[A-HJ-NP-TV-Z]"
# FNI series left out I and O.
_FNI_LETTER = "[A-HJ-NP-Z]"
_SEP = r"[\- \u00a0]"
_DEPARTMENT = r"0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6]"

_SIV = re.compile(
    rf"(?<![\w\-])(?P<left>{_SIV_LETTER}{{2}})(?P<sep>{_SEP}?)(?P<number>\d{{3}})(?P=sep)"
    rf"(?P<right>{_SIV_LETTER}{{2}})(?!\w)(?!-\w)"
)
_FNI = re.compile(
    rf"(?<![\w\-])(?P<number>[1-9]\d{{0,3}})(?P<sep>{_SEP}?)(?P<letters>{_FNI_LETTER}{{1,3}})"
    rf"(?P=sep)(?P<department>{_DEPARTMENT})(?!\w)(?!-\w)"
)

_CONTEXT = (
    "immatricul", "plaque", "véhicule", "vehicule", "voiture", "automobile", "moto", "scooter",
    "camion", "fourgon", "carte grise", "stationné", "conducteur",
)  # fmt: skip
_CONTEXT_AFTER = 40
# Upper-case headings ("ARRÊTÉ N° 123 DU 12 MARS") put short French words between numbers; without
# a context word such a block is read as a word, not as a plate series.
_WORDS = frozenset(
    "A AU AUX DU DE DES LE LA LES ET EN UN UNE SUR PAR SA SES CE CES NE SE ME TE MA TA TU EST "
    "PAS PLUS QUE QU Y".split()
)

SCORE_SIV = 0.9
SCORE_SIV_SPACED = 0.8
SCORE_FNI = 0.6
SCORE_CONTEXT = 0.97


class PlateRecognizer:
    """Plates; the ambiguous layouts (packed, temporary WW, short FNI) need a context word. An
    example value of a form ("exemple : AB-123-CD") is reported as EXAMPLE_VALUE."""

    def __init__(self) -> None:
        self.name = "plate"
        self.labels: tuple[str, ...] = ("PLATE", "EXAMPLE_VALUE")

    def _context(self, text: str, start: int, end: int) -> bool:
        return has_context(text, start, end, _CONTEXT, after=_CONTEXT_AFTER)

    def _siv(self, text: str) -> Iterator[Finding]:
        for match in _SIV.finditer(text):
            left, sep, number, right = match.group("left", "sep", "number", "right")
            # SS is never issued; WW marks a temporary plate, too close to ordinary words alone.
            if left == "SS" or right == "SS" or number == "000":
                continue
            start, end = match.span()
            context = self._context(text, start, end)
            spaced_words = sep != "-" and bool({left, right} & _WORDS)
            if not context and (not sep or left == "WW" or spaced_words):
                continue
            score = SCORE_SIV if sep == "-" else SCORE_SIV_SPACED
            why = "plaque au format SIV"
            if left == "WW":
                why = "plaque temporaire (WW)"
            if context:
                score, why = SCORE_CONTEXT, why + " ; mot de contexte"
            yield Finding(start, end, "PLATE", score, match.group(), self.name, why)

    def _fni(self, text: str) -> Iterator[Finding]:
        for match in _FNI.finditer(text):
            number, sep, letters = match.group("number", "sep", "letters")
            # Series ran 1-9999 with one or two letters, then 1-999 with three.
            if len(number) + len(letters) > 6:
                continue
            start, end = match.span()
            context = self._context(text, start, end)
            typical = bool(sep) and len(number) >= 2 and len(letters) >= 2 and letters not in _WORDS
            if not context and not typical:
                continue
            score, why = SCORE_FNI, "plaque à l'ancien format FNI"
            if context:
                score, why = SCORE_CONTEXT, why + " ; mot de contexte"
            yield Finding(start, end, "PLATE", score, match.group(), self.name, why)

    def find(self, text: str) -> Iterator[Finding]:
        for finding in (*self._siv(text), *self._fni(text)):
            if example_value(text, finding.start, finding.end):
                # "exemple : AB-123-CD": the form shows how to write a plate, nobody's plate.
                why = finding.explanation + " ; valeur d'exemple d'un formulaire"
                yield replace(finding, label="EXAMPLE_VALUE", explanation=why)
            else:
                yield finding


@register_recognizer("plate")
def plate_recognizer() -> Recognizer:
    return PlateRecognizer()
