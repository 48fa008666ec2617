"""Dates in French (numeric or in words); a date announced as a birth date is personal data."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from egide.guard.findings import Finding
from egide.guard.recognizers._words_fr import (
    NUMBER_WORDS_RE,
    YEAR_WORDS_RE,
    parse_number_words,
)
from egide.guard.registry import Recognizer, register_recognizer

__all__ = ["DateRecognizer", "date_recognizer", "is_birth_cue", "MONTHS"]

MONTHS = {
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "fév": 2,
    "fev": 2, "mars": 3, "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7,
    "août": 8, "aout": 8, "septembre": 9, "sept": 9, "octobre": 10, "oct": 10, "novembre": 11,
    "nov": 11, "décembre": 12, "decembre": 12, "déc": 12, "dec": 12,
}  # fmt: skip

_SP = r"[ \u00a0\u202f]"
# Also one line end: a PDF or a letter wraps "née le" and its date onto two lines.
_WS = r"[ \u00a0\u202f\n]"
_DAY = r"0?[1-9]|[12]\d|3[01]"
_MONTH = r"0?[1-9]|1[0-2]"
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))

# 12/03/1984, 12.03.1984, 12-03-1984 and 12/03/84 (two-digit years only with slashes).
_NUMERIC = re.compile(
    rf"(?<![\d/])(?<!\d[.\-])(?P<day>{_DAY})(?P<sep>[/.\-])(?P<month>{_MONTH})(?P=sep)"
    r"(?P<year>\d{4}|\d{2})(?!\d)(?![/.\-]\d)"
)
_ISO = re.compile(
    r"(?<![\d/.\-])(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12]\d|3[01])"
    r"(?!\d)(?!-\d)"
)
_WORDS = re.compile(
    rf"(?<!\w)(?P<day>1er|{_DAY}){_WS}{{1,3}}(?P<month>{_MONTH_NAMES})(?!\w)\.?{_WS}{{1,3}}"
    r"(?P<year>\d{4})(?!\d)",
    re.IGNORECASE,
)

# "quatorze mars mille neuf cent quatre-vingt-deux", "1er avril mil neuf cent soixante".
_IN_WORDS = re.compile(
    rf"(?P<day>1er|{NUMBER_WORDS_RE}){_WS}{{1,3}}(?P<month>{_MONTH_NAMES})(?!\w)\.?{_WS}{{1,3}}"
    rf"(?P<year>{YEAR_WORDS_RE})",
    re.IGNORECASE,
)
# Layouts of forms and OCR, believed only where a birth is announced (a cue, a table column, an
# age): "3|11|1954", "17 03 1988", "17\03\1988", "17.03.88", "1 7 0 3 1 9 8 8".
_ODD = re.compile(
    rf"(?<![\d|\\])(?P<day>{_DAY})(?P<sep>[|\\]|{_SP}{{1,2}}|\.)(?P<month>{_MONTH})(?P=sep)"
    r"(?P<year>\d{4}|\d{2})(?![\d|\\])"
)
_SPACED = re.compile(r"(?<!\d)(?<!\d )(?P<digits>\d(?: \d){7})(?![ ]?\d)")
_AGE_AFTER = re.compile(rf"{_SP}{{0,2}}(?:\({_SP}{{0,2}}|,{_SP}{{1,2}})\d{{1,3}}{_SP}{{0,2}}ans\b")
_TABLE_SEPARATORS = ("\t", "|", ";")
_BIRTH_HEADER = re.compile(r"naiss|\bd\.?d\.?n\b|\bn[ée]e?\b|\bn[ée]\(e\)", re.IGNORECASE)
_TABLE_LOOKUP_LINES = 40

_WEEKDAY = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_BORN = r"\bn[ée]e?s?(?:\s?\(e\)s?)?"
# Matched against the few characters right before a date: "né le", "née le", "né(e) le",
# "né à Lyon (69) le", "date de naissance :", "date et lieu de naissance", "DDN", "naissance :".
_BIRTH_CUE = re.compile(
    # "né à Lyon (69) le", and "née Dupont le" (a birth name between the cue and "le")
    rf"(?:{_BORN}(?:{_WS}{{1,3}}(?:à|a|au|aux|en){_WS}{{1,3}}[^\n,;.:]{{1,40}}?)?"
    r"[ \u00a0\n,]{1,3}le"
    rf"|\bn[ée]e{_WS}{{1,3}}[^\W\d_][^\s,;.:]{{0,30}}[ \u00a0\n,]{{1,3}}le"
    rf"|{_BORN}{_WS}{{0,3}}:"
    rf"|\bdate{_WS}{{1,3}}(?:et{_WS}{{1,3}}lieu{_WS}{{1,3}})?de{_WS}{{1,3}}naiss(?:ance|\.)?"
    r"|\bd\.?d\.?n\.?|\bnaissance)"
    rf"(?:{_WS}{{0,3}}\([^()\n]{{0,20}}\))?{_WS}{{0,3}}:?{_WS}{{0,3}}(?:le{_WS}{{1,3}})?"
    rf"(?:{_WEEKDAY}{_WS}{{1,3}})?\Z",
    re.IGNORECASE,
)
_CUE_WINDOW = 90

SCORE_BIRTH = 0.95
SCORE_DATE = 0.6


def _full_year(year: str) -> int:
    if len(year) == 4:
        return int(year)
    # "12/03/84": a two-digit year in the future is read as the last century.
    short = int(year)
    return 2000 + short if short <= dt.date.today().year % 100 else 1900 + short


def _is_valid(year: int, month: int, day: int) -> bool:
    if not 1800 <= year <= 2199:
        return False
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def is_birth_cue(text: str, start: int) -> bool:
    """True when the date starting at ``start`` is announced as a birth date."""
    return _BIRTH_CUE.search(text, max(0, start - _CUE_WINDOW), start) is not None


def _cells(line: str) -> tuple[str, list[str]] | None:
    """The separator and cells of a table row ("DUPONT\tJean\t12/03/1954"), None otherwise."""
    for separator in _TABLE_SEPARATORS:
        if line.count(separator) >= 2:
            return separator, line.split(separator)
    return None


def in_birth_column(text: str, start: int) -> bool:
    """True when the date at ``start`` sits in a table column headed "Date de naissance"."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    row = _cells(text[line_start : line_end if line_end >= 0 else len(text)])
    if row is None:
        return False
    separator, _cells_of_row = row
    column = text.count(separator, line_start, start)
    end = line_start - 1
    for _ in range(_TABLE_LOOKUP_LINES):
        if end <= 0:
            return False
        begin = text.rfind("\n", 0, end) + 1
        line = text[begin:end]
        if not line.strip():
            return False
        header = line.split(separator)
        if len(header) > column and _BIRTH_HEADER.search(header[column]):
            return True
        end = begin - 1
    return False


def announced_birth(text: str, start: int, end: int) -> bool:
    """A cue before, a birth column above, or an age right after: "12/03/1954 (70 ans)"."""
    return (
        is_birth_cue(text, start)
        or in_birth_column(text, start)
        or _AGE_AFTER.match(text, end) is not None
    )


class DateRecognizer:
    """Valid calendar dates; BIRTH_DATE when a birth cue precedes them, DATE otherwise."""

    def __init__(self) -> None:
        self.name = "date"
        self.labels: tuple[str, ...] = ("BIRTH_DATE", "DATE")

    def _candidates(self, text: str) -> Iterator[tuple[int, int, int, int, int]]:
        """(start, end, year, month, day) of every date-shaped match, not yet validated."""
        for match in _NUMERIC.finditer(text):
            year = match.group("year")
            if len(year) == 2 and match.group("sep") != "/":
                continue
            month, day = int(match.group("month")), int(match.group("day"))
            yield match.start(), match.end(), _full_year(year), month, day
        for match in _ISO.finditer(text):
            year, month, day = (int(part) for part in match.group("year", "month", "day"))
            yield match.start(), match.end(), year, month, day
        for match in _WORDS.finditer(text):
            month = MONTHS[match.group("month").lower()]
            day_text = match.group("day").lower()
            day = 1 if day_text == "1er" else int(day_text)
            yield match.start(), match.end(), int(match.group("year")), month, day
        for match in _IN_WORDS.finditer(text):
            words = match.group("day").lower()
            day_in_words = 1 if words == "1er" else parse_number_words(words)
            year = parse_number_words(match.group("year"))
            if day_in_words is not None and year is not None:
                month = MONTHS[match.group("month").lower()]
                yield match.start(), match.end(), year, month, day_in_words

    def _announced_only(self, text: str) -> Iterator[tuple[int, int, int, int, int]]:
        """Dates in layouts that are dates only where a birth is announced."""
        for match in _ODD.finditer(text):
            year = match.group("year")
            if match.group("sep") == "." and len(year) == 4:
                continue  # "12.03.1984" is an ordinary date, read by _NUMERIC
            month, day = int(match.group("month")), int(match.group("day"))
            yield match.start(), match.end(), _full_year(year), month, day
        for match in _SPACED.finditer(text):
            digits = match.group("digits").replace(" ", "")
            yield match.start(), match.end(), int(digits[4:]), int(digits[2:4]), int(digits[:2])

    def find(self, text: str) -> Iterator[Finding]:
        return iter(sorted(self._find(text), key=lambda f: f.start))

    def _find(self, text: str) -> Iterator[Finding]:
        taken: list[tuple[int, int]] = []
        for start, end, year, month, day in sorted(self._candidates(text)):
            if not _is_valid(year, month, day):
                continue
            taken.append((start, end))
            value = text[start:end]
            if announced_birth(text, start, end):
                why = "date valide présentée comme une date de naissance"
                yield Finding(start, end, "BIRTH_DATE", SCORE_BIRTH, value, self.name, why)
            else:
                yield Finding(start, end, "DATE", SCORE_DATE, value, self.name, "date valide")
        for start, end, year, month, day in sorted(self._announced_only(text)):
            if any(s < end and start < e for s, e in taken) or not _is_valid(year, month, day):
                continue
            if announced_birth(text, start, end):
                why = "date de naissance dans une mise en forme de formulaire"
                yield Finding(start, end, "BIRTH_DATE", SCORE_BIRTH, text[start:end], self.name,
                              why)  # fmt: skip


@register_recognizer("date")
def date_recognizer() -> Recognizer:
    return DateRecognizer()
