"""What an agent types in a field, read as the field expects it: dates, choices, conditions.

Every problem is a French sentence for the agent that names the field's rule, never the value
(the same sentence may end up in a batch's journal, which holds no data).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from egide.folding import fold

__all__ = [
    "DATE_HINT",
    "Condition",
    "ValueProblem",
    "canonical_choice",
    "french_date",
    "parse_date",
    "read_date",
    "today",
]

_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
_MONTH_NUMBERS = {fold(name): number for number, name in enumerate(_MONTHS, start=1)}
_MONTH_NUMBERS.update({"fevrier": 2, "aout": 8, "decembre": 12, "fev": 2, "sept": 9})
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_TIME = r"(?:[T ]\d{1,2}[:h]\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO_DATE = re.compile(rf"(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}")
_NUMERIC_DATE = re.compile(rf"(\d{{1,2}})[/.-](\d{{1,2}})[/.-](\d{{4}}){_TIME}")
_SHORT_YEAR = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2}")
_WRITTEN_DATE = re.compile(r"(?:le\s+)?(?:(\w+)\s+)?(1er|\d{1,2})\s+(\w+)\.?\s+(\d{4})")
_FIRST_YEAR, _LAST_YEAR = 1900, 2200

DATE_HINT = "au format JJ/MM/AAAA (par exemple 12/03/2026), ou « aujourd'hui »"
TODAY_WORDS = frozenset({"aujourd_hui", "aujourdhui"})


class ValueProblem(ValueError):
    """A value a field cannot take; ``str()`` is a French sentence without the value."""


def french_date(day: date) -> str:
    """``1er mars 2025``, ``12 mars 2025``: the form used in French administrative letters."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {_MONTHS[day.month - 1]} {day.year}"


def today() -> str:
    return french_date(datetime.now().date())


def _calendar(year: int, month: int, day: int) -> date:
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise ValueProblem(f"l'année n'est pas vraisemblable : écrivez la date {DATE_HINT}")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem(
            "cette date n'existe pas dans le calendrier : vérifiez le jour et le mois (JJ/MM/AAAA)"
        ) from None


def read_date(value: str) -> date:
    """A date written ``2026-03-12``, ``12/03/2026`` (or with dots, dashes), or ``12 mars
    2026``, with or without a time; :class:`ValueProblem` otherwise, saying why."""
    text = " ".join(value.split())
    found = _ISO_DATE.fullmatch(text)
    if found:
        year, month, day = (int(part) for part in found.groups())
        return _calendar(year, month, day)
    found = _NUMERIC_DATE.fullmatch(text)
    if found:
        day, month, year = (int(part) for part in found.groups())
        return _calendar(year, month, day)
    found = _WRITTEN_DATE.fullmatch(text.lower())
    if found and (found.group(1) is None or fold(found.group(1)) in _WEEKDAYS):
        named = _MONTH_NUMBERS.get(fold(found.group(3)))
        if named is not None:
            day = 1 if found.group(2) == "1er" else int(found.group(2))
            return _calendar(int(found.group(4)), named, day)
    if _SHORT_YEAR.fullmatch(text):
        raise ValueProblem(f"écrivez l'année sur quatre chiffres : {DATE_HINT}")
    raise ValueProblem(f"ce n'est pas une date : écrivez-la {DATE_HINT}")


def parse_date(value: str) -> date | None:
    """:func:`read_date`, or None for anything that is not a real date."""
    try:
        return read_date(value)
    except ValueProblem:
        return None


def canonical_choice(value: str, choices: tuple[str, ...]) -> str | None:
    """The choice ``value`` names, whatever its case and accents (``defavorable`` is
    ``défavorable``, ``MADAME`` is ``Madame``); None when it names none."""
    if value in choices:
        return value
    wanted = fold(value)
    return next((choice for choice in choices if fold(choice) == wanted), None)


@dataclass(frozen=True, slots=True)
class Condition:
    """``si = { sens = "défavorable" }``: the field ``name`` holds one of ``values``."""

    name: str
    values: tuple[str, ...]

    def holds(self, values: Mapping[str, str]) -> bool:
        return values.get(self.name, "") in self.values

    def describe(self, label: str) -> str:
        """« Sens de la réponse » est « défavorable » (ou « partiel »)."""
        shown = " ou ".join(f"« {value} »" for value in self.values)
        return f"« {label} » est {shown}"
