"""person_key: mentions of one person share a key (fictitious names)."""

from __future__ import annotations

import pytest

from egide.guard.ner.linking import may_corefer, person_key, person_name

SAME_PERSON = [
    ("M. DUPONT", "dupont"),
    ("Jean Dupont", "dupont"),
    ("DUPONT Jean", "dupont"),
    ("J. Dupont", "dupont"),
    ("Monsieur Jean DUPONT", "dupont"),
    ("Dupont Jean", "dupont"),
    ("Monsieur le Préfet Jean DUPONT", "dupont"),
    ("Dr Dupont", "dupont"),
    ("Jean-Pierre MARTIN-LEROY", "martin leroy"),
    ("M. Martin-Leroy", "martin leroy"),
    ("Mme Hélène Lefèvre", "lefevre"),
    ("LEFEVRE Hélène", "lefevre"),
    ("Marie Le Goff", "le goff"),
    ("Mme LE GOFF Marie", "le goff"),
    ("Charles de Gaulle", "de gaulle"),
    ("Mme N'DIAYE Aminata", "n diaye"),
    ("Aminata N’Diaye", "n diaye"),
    ("Jean Martin", "martin"),
    ("M. J.-P. Moreau", "moreau"),
    ("Boulanger", "boulanger"),
]


@pytest.mark.parametrize(("mention", "key"), SAME_PERSON)
def test_person_key(mention: str, key: str) -> None:
    assert person_key(mention) == key


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("M. Dupont", "M. Durand", False),
        ("Hélène Rousseau", "Helene ROUSSEAU", True),
        ("Jean Petit", "Mme Petitjean", False),
        ("MARTIN-LEROY Paul", "Paul Martin-Leroy", True),
    ],
)
def test_keys_compare_surnames_only(first: str, second: str, same: bool) -> None:
    assert (person_key(first) == person_key(second)) is same


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("Jean DUPONT", "J. Dupont", True),
        ("Jean DUPONT", "M. Dupont", True),
        ("Jean DUPONT", "Jean-Pierre Dupont", False),
        ("Jean DUPONT", "Marie Dupont", False),
        ("J.-P. MOREAU", "Jean-Pierre Moreau", True),
        ("Jean DUPONT", "Jean DURAND", False),
    ],
)
def test_may_corefer(first: str, second: str, expected: bool) -> None:
    assert may_corefer(first, second) is expected


def test_given_names_are_kept_apart_from_the_surname() -> None:
    name = person_name("Monsieur Jean-Pierre MARTIN-LEROY")
    assert name.given == ("jean-pierre",)
    assert name.surname == "martin leroy"
    assert name.initials == ("j",)
