"""ADDRESS: street addresses, lieux-dits, boîtes postales, postal code and commune."""

from __future__ import annotations

import time

import pytest

from egide.guard.findings import Finding
from egide.guard.registry import Recognizer, registered_recognizers


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return registered_recognizers()["address"]()


def found(recognizer: Recognizer, text: str) -> list[Finding]:
    findings = list(recognizer.find(text))
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
    return findings


VALID = [
    ("Il habite au 12 rue de la République à Lyon.", "12 rue de la République"),
    ("Adresse : 12 bis avenue Jean Jaurès.", "12 bis avenue Jean Jaurès"),
    ("M. Dupont, domicilié 3 ter, boulevard Saint-Michel, 75005 Paris, a déclaré…",
     "3 ter, boulevard Saint-Michel, 75005 Paris"),
    ("Exploitation située lieu-dit Les Granges, 42100 Saint-Étienne.",
     "lieu-dit Les Granges, 42100 Saint-Étienne"),
    ("Siège : 5 av. Foch 69006 Lyon", "5 av. Foch 69006 Lyon"),
    ("Cérémonie au 8 place du 8 Mai 1945 59000 Lille.", "8 place du 8 Mai 1945 59000 Lille"),
    ("Bureau au 20 cours Napoléon, 20000 Ajaccio.", "20 cours Napoléon, 20000 Ajaccio"),
    ("Elle loge 7 impasse des Lilas depuis mars.", "7 impasse des Lilas"),
    ("Rendez-vous au 14 quai d'Orsay.", "14 quai d'Orsay"),
    ("Réunion 3 allée de l'Église, salle B.", "3 allée de l'Église"),
    ("Siège au 2 rond-point des Champs-Élysées.", "2 rond-point des Champs-Élysées"),
    ("Demeurant 10 chemin du Moulin, 97400 Saint-Denis.", "10 chemin du Moulin, 97400 Saint-Denis"),
    ("Courrier : 4 RUE DE LA PAIX 75002 PARIS", "4 RUE DE LA PAIX 75002 PARIS"),
    ("Hébergé Résidence Les Tilleuls, bâtiment C.", "Résidence Les Tilleuls"),
    ("Le 12-14 boulevard Victor Hugo, 06000 Nice, est fermé.",
     "12-14 boulevard Victor Hugo, 06000 Nice"),
    ("Atelier ZAC du Moulin, 87220 Feytiat, fermé.", "ZAC du Moulin, 87220 Feytiat"),
    ("Il travaille Zone artisanale des Landes 19100 Brive.",
     "Zone artisanale des Landes 19100 Brive"),
    # A person may have a boîte postale (in the countryside, overseas): still personal.
    ("M. Teriitahi, BP 1234, 98713 Papeete", "BP 1234, 98713 Papeete"),
    ("Madame Aminata DUMONT\n90 impasse Aristide Briand\n43000 LE PUY-EN-VELAY",
     "90 impasse Aristide Briand\n43000 LE PUY-EN-VELAY"),
    # A person living in an institution: the civility makes the block a person's address.
    ("Madame Odile Ferrand\nMaison de retraite Les Tilleuls\n12 rue des Lilas\n87000 Limoges",
     "12 rue des Lilas\n87000 Limoges"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), VALID)
def test_finds_addresses(recognizer: Recognizer, text: str, value: str) -> None:
    findings = found(recognizer, text)
    assert [(f.text, f.label) for f in findings] == [(value, "ADDRESS")]


# An administration's address is institutional: CEDEX, TSA and CS are mass-mail services no
# person has; a line naming an administration heads the address of its offices.
INSTITUTIONAL = [
    ("Écrire à la préfecture, BP 123, 76600 LE HAVRE CEDEX.", "BP 123, 76600 LE HAVRE CEDEX"),
    ("Ministère, 1 place Beauvau 75800 Paris Cedex 08.", "1 place Beauvau 75800 Paris Cedex 08"),
    ("Envoi CS 30001 – 59000 Lille", "CS 30001 – 59000 Lille"),
    ("Service des retraites\nTSA 83529\n44035 NANTES CEDEX 01", "TSA 83529\n44035 NANTES CEDEX 01"),
    ("PRÉFECTURE DE LA CORRÈZE\n1 rue Souham\n19000 TULLE", "1 rue Souham\n19000 TULLE"),
    ("Direction régionale de l'économie\n76 rue de Reuilly, 75012 Paris",
     "76 rue de Reuilly, 75012 Paris"),
    ("Ministère de l'intérieur\nPlace Beauvau\n75800 PARIS\nLe ministère répond.", "75800 PARIS"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), INSTITUTIONAL)
def test_administration_addresses_are_institutional(
    recognizer: Recognizer, text: str, value: str
) -> None:
    findings = found(recognizer, text)
    assert [(f.text, f.label) for f in findings] == [(value, "SERVICE_ADDRESS")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12 rue de la République\n75001 PARIS\n", "12 rue de la République\n75001 PARIS"),
        ("M. Jean Martin\n12 bis avenue Jean Jaurès,\n69007 Lyon",
         "12 bis avenue Jean Jaurès,\n69007 Lyon"),
        ("Préfecture\r\nBP 123\r\n76600 LE HAVRE CEDEX 2", "BP 123\r\n76600 LE HAVRE CEDEX 2"),
    ],
)  # fmt: skip
def test_consecutive_lines_form_one_span(recognizer: Recognizer, text: str, value: str) -> None:
    assert [f.text for f in found(recognizer, text)] == [value]


def test_an_empty_line_splits_the_address(recognizer: Recognizer) -> None:
    text = "12 rue de la République\n\n75001 PARIS"
    assert [f.text for f in found(recognizer, text)] == ["12 rue de la République", "75001 PARIS"]


@pytest.mark.parametrize(
    ("text", "value", "low", "high"),
    [
        ("Rendez-vous à 75007 Paris.", "75007 Paris", 0.5, 0.7),
        ("Demeurant 13100 Aix-en-Provence.", "13100 Aix-en-Provence", 0.75, 0.85),
        ("Au 12 rue de la Paix.", "12 rue de la Paix", 0.8, 0.9),
        ("Au 12 rue de la Paix, 75002 Paris.", "12 rue de la Paix, 75002 Paris", 0.9, 1.0),
    ],
)
def test_scores(recognizer: Recognizer, text: str, value: str, low: float, high: float) -> None:
    (finding,) = found(recognizer, text)
    assert finding.text == value
    assert low <= finding.score <= high


NEAR_MISSES = [
    "Le chat dort dans la rue depuis hier.",
    "La rue de la Paix est fermée.",  # no number: left to the named-entity model
    "Il reste 2 places de parking.",
    "Les 3 rues du centre sont fermées.",
    "Il y a 1 place libre au fond.",
    "Le titre de résidence en France est délivré.",
    "Vu le décret n° 2024-123 et l'article L. 312-1.",
    "Montant : 1 234,56 € ; prime de 15000 Euros.",
    "Codes 99000 Nulle et 00100 Rien refusés.",
    "En 2024 Paris a accueilli les Jeux.",
    "Rendez-vous à 14h30 le 12 mars 1984.",
    "Il a suivi 3 cours de droit public.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_addresses(recognizer: Recognizer, text: str) -> None:
    assert found(recognizer, text) == []


def test_is_a_registered_recognizer(recognizer: Recognizer) -> None:
    assert isinstance(recognizer, Recognizer)
    assert recognizer.labels == ("ADDRESS", "SERVICE_ADDRESS")


@pytest.mark.parametrize(
    "hostile",
    [
        "1 " * 500_000,
        "a." * 500_000,
        "rue " * 250_000,
        "12 rue " + "de la " * 160_000,
        "1 rue A" + "-a" * 500_000,
        "75001 Paris " * 80_000,
    ],
)
def test_hostile_megabyte_is_linear(recognizer: Recognizer, hostile: str) -> None:
    started = time.perf_counter()
    list(recognizer.find(hostile))
    assert time.perf_counter() - started < 10
