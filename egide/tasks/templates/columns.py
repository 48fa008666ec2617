"""Which spreadsheet column fills which template field, and how sure Égide is of it.

A column whose header is a field's name or label, whatever its case, accents and punctuation, is
certain (``CIVILITE``, ``Civilité du destinataire``). Otherwise Égide guesses from the words
(``Date réception`` for « Date de réception de la demande ») or the spelling (``Civilte``) and
says so: a guess is never applied without the agent seeing it (the portal's column step, the
command line's ``--colonne``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from egide.folding import fold, fold_words
from egide.tasks.templates.model import DraftTemplate, TemplateField

__all__ = ["ColumnChoice", "ColumnPlan", "plan_columns"]

# Words that say nothing about which field a column is (« Date de la demande »).
_FILLER = frozenset("a au aux d de des du en et l la le les par pour sur un une".split())
_SPELLING_THRESHOLD = 0.8  # « Civilte » for « civilite »
_SHORTENED_THRESHOLD = 0.5  # « Civilité » for « Civilité du destinataire »
_WORDS_THRESHOLD = 0.67  # « Prénom destinataire » for « Prénom du destinataire »


@dataclass(frozen=True, slots=True)
class ColumnChoice:
    field: TemplateField
    column: str | None  # None: no column; the value set for every row, or the default, applies
    certain: bool  # the header is the field's name or label


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    choices: tuple[ColumnChoice, ...]  # one per field, in the template's order
    ignored: tuple[str, ...]  # columns that fill no field, in the spreadsheet's order

    @property
    def mapping(self) -> dict[str, str]:
        """``{field name: column}`` for the fields that have a column."""
        return {c.field.name: c.column for c in self.choices if c.column is not None}

    @property
    def guesses(self) -> tuple[ColumnChoice, ...]:
        return tuple(c for c in self.choices if c.column is not None and not c.certain)

    def uncovered(self, values: Mapping[str, str] = {}) -> tuple[TemplateField, ...]:
        """Fields every row needs that neither a column nor a value for every row fills."""
        return tuple(
            c.field for c in self.choices
            if c.column is None and c.field.required and not c.field.when
            and not c.field.default and not values.get(c.field.name, "").strip()
        )  # fmt: skip

    @property
    def sure(self) -> bool:
        """Nothing guessed and nothing missing: the agent has nothing to decide."""
        return not self.guesses and not self.uncovered()


def _key_words(text: str) -> frozenset[str]:
    return frozenset(word for word in fold_words(text) if word not in _FILLER)


def _score(column: str, item: TemplateField) -> float:
    """How likely ``column`` is ``item``, from 0 (not a guess) to 1: shared words, or the same
    word misspelt. A column shorter than the label counts; a label shorter than the column
    does not (« Date réception » is not « Date du courrier », « date »)."""
    words = _key_words(column)
    best = 0.0
    for known in (item.label, item.name):
        known_words = _key_words(known)
        if words and known_words:
            shared = len(words & known_words) / len(words | known_words)
            shortened = words <= known_words and shared >= _SHORTENED_THRESHOLD
            if shortened or shared >= _WORDS_THRESHOLD:
                best = max(best, shared)
        ratio = SequenceMatcher(None, fold(column), fold(known)).ratio()
        if ratio >= _SPELLING_THRESHOLD:
            best = max(best, ratio)
    return best


def plan_columns(
    template: DraftTemplate,
    columns: Sequence[str],
    *,
    chosen: Mapping[str, str | None] | None = None,
) -> ColumnPlan:
    """The column for each field: ``chosen`` (the agent's choice, by field name: a column, or
    None for none) first, then exact matches, then the best guesses."""
    certain, _ = template.match_columns(columns)
    by_field: dict[str, tuple[str | None, bool]] = {}
    used: set[str] = set()
    for name, column in (chosen or {}).items():
        if template.field_named(name) is None or (column is not None and column not in columns):
            continue
        by_field[name] = (column, True)
        if column is not None:
            used.add(column)
    for column, name in certain.items():
        if name not in by_field and column not in used:
            by_field[name] = (column, True)
            used.add(column)
    candidates = sorted(
        (
            (_score(column, item), index, column, item.name)
            for index, item in enumerate(template.fields)
            if item.name not in by_field
            for column in columns
            if column not in used
        ),
        key=lambda candidate: (-candidate[0], candidate[1]),
    )
    for score, _, column, name in candidates:
        if score and name not in by_field and column not in used:
            by_field[name] = (column, False)
            used.add(column)
    choices = tuple(
        ColumnChoice(item, *by_field.get(item.name, (None, True))) for item in template.fields
    )
    ignored = tuple(column for column in columns if column not in used)
    return ColumnPlan(choices, ignored)
