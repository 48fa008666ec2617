"""French wording of decisions: plurals of category names and French number formatting."""

from __future__ import annotations

import pytest

from egide.guard.labels import LABELS_FR
from egide.policy.wording import count_fr, format_int_fr, plural_fr


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("nom de personne", "noms de personne"),
        ("numéro de sécurité sociale (NIR)", "numéros de sécurité sociale (NIR)"),
        ("adresse postale", "adresses postales"),
        ("adresse électronique", "adresses électroniques"),
        ("numéro fiscal", "numéros fiscaux"),
        ("numéro SIRET", "numéros SIRET"),
        ("numéro d'allocataire CAF", "numéros d'allocataire CAF"),
        ("plaque d'immatriculation", "plaques d'immatriculation"),
        ("lieu", "lieux"),
        ("IBAN", "IBAN"),
        ("données de santé", "données de santé"),
        ("marquage « Diffusion Restreinte »", "marquages « Diffusion Restreinte »"),
    ],
)
def test_plural(singular: str, plural: str) -> None:
    assert plural_fr(singular) == plural


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 nom de personne"), (1, "1 nom de personne"), (2, "2 noms de personne")],
)
def test_count_singular_below_two(count: int, expected: str) -> None:
    assert count_fr(count, "nom de personne") == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(7, "7"), (1234, "1\u202f234"), (1_234_567, "1\u202f234\u202f567")]
)
def test_format_int_fr(value: int, expected: str) -> None:
    assert format_int_fr(value) == expected


@pytest.mark.parametrize("label", sorted(LABELS_FR))
def test_every_label_has_a_plural_that_differs_or_is_an_acronym(label: str) -> None:
    singular = LABELS_FR[label]
    assert plural_fr(singular) != singular or singular.isupper()
