"""Pre-filling a template's form: the agent's saved defaults, then what an incoming letter says.

A value goes to a field when one of its spellings (a key of Égide's, or a usual French label)
matches the field's name or label, the way the template library matches spreadsheet columns
(:meth:`DraftTemplate.match_columns`: case, accents and punctuation ignored). The built-in
templates use the keys themselves; an administrator's template that labels a field « Nom du
signataire » is matched too. A field with choices only takes a value among them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from egide.tasks.templates import DraftTemplate

__all__ = ["PROFILE_FIELDS", "Prefill", "ProfileField", "match_values"]


@dataclass(frozen=True, slots=True)
class ProfileField:
    key: str
    label: str
    hint: str
    spellings: tuple[str, ...] = ()


PROFILE_FIELDS: tuple[ProfileField, ...] = (
    ProfileField(
        "administration",
        "En-tête : ministère, préfecture ou administration",
        "Exemple : PRÉFECTURE DE LA GIRONDE",
        ("En-tête", "Administration", "Ministère", "Préfecture"),
    ),
    ProfileField(
        "service",
        "Votre service",
        "Exemple : Direction des migrations et de l'intégration — Bureau du séjour",
        (
            "Service",
            "Service émetteur",
            "Service rédacteur",
            "Service qui répond",
            "Service chargé du dossier",
        ),
    ),
    ProfileField(
        "adresse_service",
        "Adresse postale du service",
        "Exemple : 2 esplanade Charles-de-Gaulle, 33077 Bordeaux Cedex",
        ("Adresse du service",),
    ),
    ProfileField("telephone_service", "Téléphone du service", "Exemple : 05 56 90 60 60", ()),
    ProfileField(
        "courriel_service",
        "Courriel du service",
        "Exemple : pref-sejour@gironde.gouv.fr",
        ("Adresse électronique du service",),
    ),
    ProfileField(
        "affaire_suivie_par",
        "Affaire suivie par",
        "Exemple : Bureau du séjour, ou votre nom",
        ("Dossier suivi par",),
    ),
    ProfileField(
        "lieu",
        "Lieu d'émission des courriers (ville)",
        "Exemple : Bordeaux",
        ("Lieu", "Lieu d'émission du courrier", "Ville"),
    ),
    ProfileField(
        "delegation",
        "Mention de délégation de signature",
        "Exemple : Pour le préfet et par délégation,",
        ("Délégation", "Mention de délégation de signature"),
    ),
    ProfileField(
        "signataire_fonction",
        "Fonction du signataire",
        "Exemple : Le chef du bureau du séjour",
        ("Qualité du signataire", "Fonction du rédacteur"),
    ),
    ProfileField(
        "signataire_prenom", "Prénom du signataire", "Exemple : Paul", ("Prénom du rédacteur",)
    ),
    ProfileField("signataire_nom", "Nom du signataire", "Exemple : Lefèvre", ("Nom du rédacteur",)),
)
# Fields made of several saved values (note de synthèse: « Rédacteur (fonction, prénom et nom) »).
_COMPOSED = {
    "redacteur": ("signataire_fonction", "signataire_prenom", "signataire_nom"),
    "signataire": ("signataire_fonction", "signataire_prenom", "signataire_nom"),
}
_SPELLINGS = {f.key: (f.key, f.label, *f.spellings) for f in PROFILE_FIELDS}


def _composed(profile: Mapping[str, str], keys: Sequence[str]) -> str:
    role, first, last = (profile.get(k, "") for k in keys)
    name = " ".join(part for part in (first, last.upper()) if part)
    return ", ".join(part for part in (role, name) if part)


def match_values(
    template: DraftTemplate,
    values: Mapping[str, str],
    spellings: Mapping[str, Sequence[str]],
) -> dict[str, str]:
    """``values`` (by key) placed on ``template``'s fields, by name or label."""
    placed: dict[str, str] = {}
    for key, value in values.items():
        if not value:
            continue
        mapping, _ = template.match_columns(spellings.get(key, (key,)))
        for name in mapping.values():
            item = template.field_named(name)
            if item is None or name in placed:
                continue
            if item.choices and value not in item.choices:
                continue
            placed[name] = value
    return placed


@dataclass
class Prefill:
    """What a template's form starts with, and where each value came from."""

    values: dict[str, str] = field(default_factory=dict)
    from_profile: set[str] = field(default_factory=set)
    from_letter: set[str] = field(default_factory=set)

    @classmethod
    def build(
        cls,
        template: DraftTemplate,
        *,
        profile: Mapping[str, str],
        letter: Mapping[str, str] | None = None,
        letter_spellings: Mapping[str, Sequence[str]] | None = None,
    ) -> Prefill:
        """Template defaults, then the saved profile, then the letter (which knows the case
        at hand better than any default)."""
        prefill = cls({f.name: f.default or "" for f in template.fields})
        saved = dict(profile)
        composed_spellings = {}
        for key, parts in _COMPOSED.items():
            if any(profile.get(part) for part in parts):
                saved[f"_{key}"] = _composed(profile, parts)
                composed_spellings[f"_{key}"] = (key,)
        for name, value in match_values(
            template, saved, {**_SPELLINGS, **composed_spellings}
        ).items():
            prefill.values[name] = value
            prefill.from_profile.add(name)
        if letter:
            for name, value in match_values(template, letter, letter_spellings or {}).items():
                prefill.values[name] = value
                prefill.from_letter.add(name)
                prefill.from_profile.discard(name)
        return prefill

    @property
    def count(self) -> int:
        return len(self.from_profile) + len(self.from_letter)
