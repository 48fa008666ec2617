"""The column step of a batch of letters: which column fills which field, which values are the
same for every row, and whether that is enough for every letter.

Égide never applies a guess silently: a batch whose columns are not all certain waits for the
agent (``colonnes`` status); the page shows each field with the column chosen or guessed, an
example of the column's content, a place for a value common to every row, and the columns left
out. :func:`checked_options` is what the agent's answer must pass before the analysis starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from egide.tasks.tables import Table
from egide.tasks.templates import DraftTemplate
from egide.tasks.templates.columns import ColumnPlan, plan_columns
from egide.tasks.templates.values import ValueProblem

__all__ = ["ColumnsRefused", "ColumnsView", "checked_options", "columns_view"]

_SAMPLE_CHARS = 60


class ColumnsRefused(ValueError):
    """The columns and values chosen leave a field unfilled or give it a value it cannot take;
    ``problems`` says, field by field, what to change (French, no value quoted)."""

    def __init__(self, message: str, problems: Mapping[str, str]) -> None:
        super().__init__(message)
        self.problems = dict(problems)


@dataclass(frozen=True)
class ColumnsView:
    """What the column step shows."""

    template: DraftTemplate
    columns: tuple[str, ...]
    plan: ColumnPlan
    values: Mapping[str, str]
    confirmed: bool  # the agent has chosen already (or Égide was sure)
    samples: Mapping[str, str] = field(default_factory=dict)  # a column's first filled value


def columns_view(template: DraftTemplate, table: Table, options: Mapping[str, Any]) -> ColumnsView:
    confirmed = "colonnes" in options
    chosen = {name: column or None for name, column in dict(options.get("colonnes", {})).items()}
    plan = plan_columns(template, table.columns, chosen=chosen if confirmed else None)
    samples: dict[str, str] = {}
    for row in table.rows:
        for column, value in row.values.items():
            if value.strip() and column not in samples:
                samples[column] = " ".join(value.split())[:_SAMPLE_CHARS]
        if len(samples) == len(table.columns):
            break
    values = dict(options.get("valeurs", {}))
    return ColumnsView(template, table.columns, plan, values, confirmed, samples)


def checked_options(
    template: DraftTemplate, table: Table, columns: Mapping[str, str], values: Mapping[str, str]
) -> dict[str, dict[str, str]]:
    """``{"colonnes": {field: column or ""}, "valeurs": {field: value}}`` once every field that
    every letter needs has a column or a value, and every value is one its field takes."""
    chosen: dict[str, str] = {}
    kept: dict[str, str] = {}
    problems: dict[str, str] = {}
    for item in template.fields:
        column = columns.get(item.name, "")
        if column and column not in table.columns:
            problems[item.name] = "cette colonne n'est pas dans le tableau"
            continue
        chosen[item.name] = column
        value = values.get(item.name, "").replace("\r\n", "\n").strip()
        if value:
            try:
                template.read_value(item, value)  # checked now, read again for each row
            except ValueProblem as exc:
                problems[item.name] = str(exc)
            else:
                kept[item.name] = value
    plan = plan_columns(template, table.columns, chosen={k: v or None for k, v in chosen.items()})
    for item in plan.uncovered(kept):
        problems.setdefault(
            item.name,
            "chaque courrier en a besoin : choisissez la colonne qui le donne, ou une valeur "
            "pour toutes les lignes",
        )
    if problems:
        plural = "s" if len(problems) > 1 else ""
        raise ColumnsRefused(f"{len(problems)} champ{plural} à revoir avant l'analyse", problems)
    return {"colonnes": chosen, "valeurs": kept}
