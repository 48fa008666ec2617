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

See docs/modeles.md for every key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from jinja2 import Template as JinjaTemplate

from egide.tasks.templates.errors import InvalidValues, MissingFields
from egide.tasks.templates.render import (
    fold,
    french_date,
    parse_date,
    tidy,
    today,
)

__all__ = [
    "FIELD_TYPES",
    "KINDS",
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
_TODAY = "aujourd_hui"  # fold("aujourd'hui"): the default that means the day of drafting


class TemplateSource(StrEnum):
    BUILTIN = "intégré"
    ADMIN = "administrateur"


@dataclass(frozen=True)
class TemplateField:
    name: str
    label: str
    required: bool = True
    default: str | None = None
    example: str | None = None
    choices: tuple[str, ...] = ()
    type: str = "texte"


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

    def match_columns(self, columns: Iterable[str]) -> tuple[dict[str, str], list[str]]:
        """Map data keys (JSON keys, spreadsheet columns) to field names.

        A key matches a field by its name or its label, ignoring case, accents and punctuation
        ("Civilité du destinataire" finds ``civilite``). Returns the mapping and the keys that
        match no field.
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
        """Required fields absent from ``provided`` (field names), in template order."""
        have = set(provided)
        return [f for f in self.fields if f.required and f.name not in have]

    def bind(self, data: Mapping[str, Any], *, ignore_unknown: bool = False) -> dict[str, str]:
        """The values every placeholder receives: data, then defaults, then empty text.

        Raises :class:`InvalidValues` for unknown keys (unless ``ignore_unknown``) or a value
        outside a field's choices, and :class:`MissingFields` listing every required field
        without a value.
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
        missing: list[TemplateField] = []
        for item in self.fields:
            value = given.get(item.name) or item.default or ""
            if item.type == "date" and value:
                if fold(value) == _TODAY:
                    value = today()
                else:
                    parsed = parse_date(value)
                    value = french_date(parsed) if parsed else value
            if not value and item.required:
                missing.append(item)
            elif value and item.choices and value not in item.choices:
                raise InvalidValues(
                    f"valeur non permise pour « {item.name} » ({item.label}) : choisissez "
                    + " ou ".join(f"« {choice} »" for choice in item.choices)
                )
            values[item.name] = value
        if missing:
            raise MissingFields(self.name, missing)
        values["date_du_jour"] = today()
        return values

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
