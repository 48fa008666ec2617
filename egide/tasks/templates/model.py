"""A drafting template: its fields, and how data fills them (parsing is in ``parse``).

The file holds TOML front matter between two ``+++`` lines, then the body.

The front matter is written in French, for the people who write templates::

    +++
    titre = "Accusé de réception d'une demande"
    categorie = "courrier_usager"
    description = "Accuse réception d'une demande d'un usager (article L. 112-3 du CRPA)."

    [[champs]]
    nom = "civilite"
    libelle = "Civilité du destinataire"
    choix = ["Madame", "Monsieur", "Madame, Monsieur"]
    exemple = "Madame"
    +++
    {{ civilite }},
    …

See the templates guide (docs/) for every key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from jinja2 import Template as JinjaTemplate

from egide.folding import fold
from egide.tasks.templates.errors import InvalidValues, MissingFields
from egide.tasks.templates.render import tidy
from egide.tasks.templates.values import (
    TODAY_WORDS,
    Condition,
    ValueProblem,
    canonical_choice,
    french_date,
    read_date,
    today,
)

__all__ = [
    "FIELD_TYPES",
    "KINDS",
    "Condition",
    "DraftTemplate",
    "TemplateField",
    "TemplateSource",
]

KINDS = {
    "courrier_usager": "courrier à un usager",
    "courrier_administration": "courrier à une administration",
    "note": "note",
    "note_synthese": "note de synthèse",
    "reponse_type": "réponse type",
}
FIELD_TYPES = ("texte", "date")
REQUIRED = "ce champ est obligatoire"


class TemplateSource(StrEnum):
    BUILTIN = "intégré"
    ADMIN = "administrateur"


@dataclass(frozen=True)
class TemplateField:
    name: str
    label: str
    required: bool = True  # when the field applies; see required_when for "only if"
    default: str | None = None
    example: str | None = None
    choices: tuple[str, ...] = ()
    type: str = "texte"
    # ``si``: the field exists only when every condition holds; otherwise it is left empty,
    # whatever was typed in it (the choice made decides, in the form and in the letter).
    when: tuple[Condition, ...] = ()
    # ``obligatoire_si``: an optional field that becomes required when every condition holds.
    required_when: tuple[Condition, ...] = ()

    def applies(self, values: Mapping[str, str]) -> bool:
        return all(condition.holds(values) for condition in self.when)

    def is_required(self, values: Mapping[str, str]) -> bool:
        if not self.applies(values):
            return False
        if self.required:
            return True
        return bool(self.required_when) and all(c.holds(values) for c in self.required_when)

    @property
    def conditional(self) -> bool:
        return bool(self.when or self.required_when)

    @property
    def when_values(self) -> dict[str, list[str]]:
        """``si`` as data, for a form's script: ``{"sens": ["défavorable"]}``."""
        return {condition.name: list(condition.values) for condition in self.when}


@dataclass(frozen=True)
class DraftTemplate:
    name: str
    title: str
    kind: str
    description: str
    fields: tuple[TemplateField, ...]
    body: str = field(repr=False)
    path: Path
    source: TemplateSource
    overrides: bool = False  # an administrator's template that replaces a built-in one
    # Always set by parse_template; the default only keeps the field order legal.
    compiled: JinjaTemplate = field(  # type: ignore[assignment]
        repr=False, compare=False, default=None
    )

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    def field_named(self, name: str) -> TemplateField | None:
        return next((f for f in self.fields if f.name == name), None)

    def describe(self, conditions: Iterable[Condition]) -> str:
        """« Sens de la réponse » est « défavorable » et « … » est « … »."""
        parts = []
        for condition in conditions:
            found = self.field_named(condition.name)
            parts.append(condition.describe(found.label if found else condition.name))
        return " et ".join(parts)

    def match_columns(self, columns: Iterable[str]) -> tuple[dict[str, str], list[str]]:
        """Map data keys (JSON keys, spreadsheet columns) to field names.

        A key matches a field by its name or its label, ignoring case, accents and punctuation
        ("Civilité du destinataire" finds ``civilite``). Returns the mapping and the keys that
        match no field. :mod:`egide.tasks.templates.columns` also guesses the unsure ones.
        """
        by_fold: dict[str, str] = {}
        for item in self.fields:
            by_fold.setdefault(fold(item.label), item.name)
        for item in self.fields:
            by_fold[fold(item.name)] = item.name  # a name beats another field's label
        mapping: dict[str, str] = {}
        unknown: list[str] = []
        for column in columns:
            name = by_fold.get(fold(column))
            if name is None:
                unknown.append(column)
            else:
                mapping[column] = name
        return mapping, unknown

    def missing_for(self, provided: Iterable[str]) -> list[TemplateField]:
        """Fields always required that ``provided`` (field names) lacks, in template order.

        A field required only under a condition is not listed: whether it is needed depends
        on each row's choice, checked row by row.
        """
        have = set(provided)
        return [
            f for f in self.fields
            if f.required and not f.when and not f.default and f.name not in have
        ]  # fmt: skip

    def bind(self, data: Mapping[str, Any], *, ignore_unknown: bool = False) -> dict[str, str]:
        """The values every placeholder receives: data, then defaults, then empty text.

        Fields are read in order, so that a condition on an earlier field (``si``,
        ``obligatoire_si``) sees its final value; a field whose condition does not hold is
        empty. Raises :class:`InvalidValues` for unknown keys (unless ``ignore_unknown``) and
        for values a field cannot take (a date that does not exist, a value outside the
        choices), and :class:`MissingFields` when only required values are missing. Both carry
        ``problems``: each field's problem, for a form to show beside it.
        """
        mapping, unknown = self.match_columns(data)
        if unknown and not ignore_unknown:
            known = ", ".join(f.name for f in self.fields) or "aucun"
            raise InvalidValues(
                f"champ(s) inconnu(s) pour le modèle « {self.name} » : {', '.join(unknown)} "
                f"(champs du modèle : {known})"
            )
        given: dict[str, str] = {}
        for key, name in mapping.items():
            value = _as_text(data[key])
            if value:
                given[name] = value
        values: dict[str, str] = {}
        problems: dict[str, str] = {}
        missing: list[TemplateField] = []
        for item in self.fields:
            if not item.applies(values):
                values[item.name] = ""
                continue
            try:
                value = self.read_value(item, given.get(item.name) or item.default or "")
            except ValueProblem as exc:
                problems[item.name] = str(exc)
                values[item.name] = ""
                continue
            if not value and item.is_required(values):
                missing.append(item)
                problems[item.name] = self._required_problem(item)
            values[item.name] = value
        if len(problems) > len(missing):
            raise InvalidValues(self._problems_message(problems), problems=problems,
                                missing=missing, template=self)  # fmt: skip
        if missing:
            raise MissingFields(self.name, missing, problems=problems, template=self)
        values["date_du_jour"] = today()
        return values

    @staticmethod
    def read_value(item: TemplateField, value: str) -> str:
        """``value`` as ``item`` takes it: the choice it names, a date written out in French;
        :class:`ValueProblem` (a French sentence, no value quoted) when it cannot."""
        value = value.strip()
        if not value:
            return ""
        if item.choices:
            choice = canonical_choice(value, item.choices)
            if choice is None:
                listed = " ou ".join(f"« {c} »" for c in item.choices)
                raise ValueProblem(f"valeur non permise : choisissez {listed}")
            value = choice
        if item.type == "date":
            value = today() if fold(value) in TODAY_WORDS else french_date(read_date(value))
        return value

    def _required_problem(self, item: TemplateField) -> str:
        if item.required_when and not item.required:
            return f"{REQUIRED} quand {self.describe(item.required_when)}"
        if item.when:
            return f"{REQUIRED} quand {self.describe(item.when)}"
        return REQUIRED

    def _problems_message(self, problems: Mapping[str, str]) -> str:
        """First line: how many fields and which (what a form shows above them); then one line
        per field with its problem (what the command line shows)."""
        listed = [item for item in self.fields if item.name in problems]
        lines = [f"  - « {i.name} » ({i.label}) : {problems[i.name]}" for i in listed]
        labels = [f"« {item.label} »" for item in listed]
        named = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " et " + labels[-1]
        plural = "s" if len(listed) > 1 else ""
        return (
            f"{len(listed)} champ{plural} à corriger pour le modèle « {self.name} » : {named} :\n"
            + "\n".join(lines)
        )

    def render(self, data: Mapping[str, Any], *, ignore_unknown: bool = False) -> str:
        return tidy(self.compiled.render(self.bind(data, ignore_unknown=ignore_unknown)))

    def example_data(self) -> dict[str, str]:
        return {f.name: f.example or f.default or "" for f in self.fields}


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").strip()
