"""PHONE: French numbers, national, international and overseas; never inside longer digit runs;
irregular groupings; a service's number (switchboard, toll-free, "accueil") is SERVICE_PHONE."""

from __future__ import annotations

import time

import pytest

from egide.guard.findings import Finding
from egide.guard.registry import Recognizer, registered_recognizers


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return registered_recognizers()["phone"]()


def found(recognizer: Recognizer, text: str) -> list[Finding]:
    findings = list(recognizer.find(text))
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
    return findings


VALID = [
    ("Vous pouvez me joindre au 01 23 45 67 89 dès lundi.", "01 23 45 67 89"),
    ("Portable : 06.12.34.56.78.", "06.12.34.56.78"),
    ("Son numéro, 07-98-76-54-32, ne répond pas.", "07-98-76-54-32"),
    ("Ligne directe 0123456789 (bureau 12).", "0123456789"),
    ("Depuis l'étranger, composez le +33 1 23 45 67 89.", "+33 1 23 45 67 89"),
    ("Standard : +33 (0)1 23 45 67 89", "+33 (0)1 23 45 67 89"),
    ("Appeler le 0033 1 23 45 67 89 avant midi.", "0033 1 23 45 67 89"),
    ("Envoyer un SMS au +33612345678.", "+33612345678"),
    ("Numéro vert : 0 800 123 456.", "0 800 123 456"),
    ("Assistance au 09 87 65 43 21, service 08 00 12 34 56", "09 87 65 43 21"),
    ("Mairie de Saint-Paul (La Réunion) : 0262 12 34 56.", "0262 12 34 56"),
    ("Antenne de Mamoudzou : 02 69 61 23 45.", "02 69 61 23 45"),
    ("Agence de Pointe-à-Pitre : 05 90 12 34 56.", "05 90 12 34 56"),
    ("Cayenne, accueil 0594 12 34 56", "0594 12 34 56"),
    ("Fort-de-France : 0596 12 34 56", "0596 12 34 56"),
    ("Saint-Pierre : 05 08 41 23 45", "05 08 41 23 45"),
    ("Réunion, mobile +262 692 12 34 56.", "+262 692 12 34 56"),
    ("Guadeloupe : +590 690 12 34 56", "+590 690 12 34 56"),
    ("Guyane : +594 694 12 34 56", "+594 694 12 34 56"),
    ("Martinique : +596 696 12 34 56", "+596 696 12 34 56"),
    ("Nouméa : +687 12 34 56.", "+687 12 34 56"),
    ("Papeete : +689 87 12 34 56.", "+689 87 12 34 56"),
    ("Saint-Pierre-et-Miquelon : +508 41 23 45", "+508 41 23 45"),
    ("Tél.\u00a0: 01\u00a023\u00a045\u00a067\u00a089", "01\u00a023\u00a045\u00a067\u00a089"),
]


@pytest.mark.parametrize(("text", "value"), VALID)
def test_finds_french_numbers(recognizer: Recognizer, text: str, value: str) -> None:
    findings = found(recognizer, text)
    assert findings, text
    assert findings[0].text == value
    assert findings[0].label in ("PHONE", "SERVICE_PHONE")


IRREGULAR = [
    ("Joignable au 06 1234 5678 le soir.", "06 1234 5678"),
    ("Portable : 0612 34 56 78", "0612 34 56 78"),
    ("Tél. 06.12 34.56.78 (répondeur)", "06.12 34.56.78"),
    ("Tél : 0 6 1 2 3 4 5 6 7 8", "0 6 1 2 3 4 5 6 7 8"),
    ("Domicile 05 55 12 3456.", "05 55 12 3456"),
    ("Formulaire rempli à la main : 06/12/34/56/78", "06/12/34/56/78"),
    ("Depuis l'étranger : +33 6 1234 5678", "+33 6 1234 5678"),
]


@pytest.mark.parametrize(("text", "value"), IRREGULAR)
def test_irregular_groupings(recognizer: Recognizer, text: str, value: str) -> None:
    assert [(f.text, f.label) for f in found(recognizer, text)] == [(value, "PHONE")]


SERVICES = [
    ("Standard : +33 (0)1 23 45 67 89", "+33 (0)1 23 45 67 89"),
    ("Numéro vert : 0 800 123 456.", "0 800 123 456"),
    ("Une question ? 0 810 467 687 (prix d'un appel local)", "0 810 467 687"),
    ("La plateforme répond au 3939 (service gratuit + prix d'un appel).", "3939"),
    ("Accueil téléphonique : 05 55 44 18 00 (du lundi au vendredi, de 9 h à 12 h)",
     "05 55 44 18 00"),
    ("Secrétariat : 05 55 05 61 23 — Standard : 05 55 05 55 55", "05 55 05 61 23"),
    ("En cas d'empêchement, prévenez le bureau au 05 55 12 34 56.", "05 55 12 34 56"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), SERVICES)
def test_services_numbers_are_institutional(recognizer: Recognizer, text: str, value: str) -> None:
    findings = found(recognizer, text)
    assert (findings[0].text, findings[0].label) == (value, "SERVICE_PHONE")


@pytest.mark.parametrize(
    "text",
    [
        # A mobile number is a person's, whatever the words around it.
        "Standard : 06 12 34 56 78",
        "Accueil : +33 7 98 76 54 32 (du lundi au vendredi)",
        # An agent's direct line under the name of the agent who handles the file.
        "Affaire suivie par : M. Laurent HAMIDI\nTél. : 05 68 35 00 95",
        "Je reste à votre disposition au 05 55 12 34 56 pour tout renseignement.",
    ],
)
def test_personal_numbers_stay_personal(recognizer: Recognizer, text: str) -> None:
    assert [f.label for f in found(recognizer, text)] == ["PHONE"]


def test_two_numbers_separated_by_a_dash(recognizer: Recognizer) -> None:
    text = "Tél. 01 23 45 67 89 - 06 12 34 56 78."
    assert [f.text for f in found(recognizer, text)] == ["01 23 45 67 89", "06 12 34 56 78"]


NEAR_MISSES = [
    "Société inscrite sous le SIRET 732 829 320 00074.",
    "SIRET 73282932000074 au registre.",
    "NIR 1 84 03 75 123 456 78 de l'assuré.",
    "NIR 184037512345678 sans espaces.",
    "Code 9 01 23 45 67 89 du dossier.",
    "IBAN FR76 3000 6000 0112 3456 7890 189.",
    "Référence n° 0123456789012 du dossier.",
    "Tél. : 01 23 45 67 89 12 (numéro tronqué)",
    "Montant : 1 234,56 € réglé le 12/03/1984.",
    "Vu le décret n° 2024-123 et l'article L. 312-1.",
    "Séparateurs mélangés 01.23-45.67.89 refusés.",
    "Numéro britannique +44 20 7946 0958.",
    "Trop court : 01 23 45 67.",
    "Rendez-vous à 14h30 salle 1023.",
    "Commence par 00 : 00 12 34 56 78.",
    "Audience du 12/03/2024 10 h 30, salle 4.",
    "Relevé du 01.02.2024 12 h.",
    "Code 10 23 45 67 89 sans zéro initial.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_phones(recognizer: Recognizer, text: str) -> None:
    assert found(recognizer, text) == []


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("Dossier 0123456789 transmis.", 0.6, 0.8),
        ("Dossier 01 23 45 67 89 transmis.", 0.8, 0.9),
        ("Téléphone : 0123456789.", 0.95, 1.0),
        ("Composez le +33 1 23 45 67 89.", 0.9, 1.0),
    ],
)
def test_scores(recognizer: Recognizer, text: str, low: float, high: float) -> None:
    (finding,) = found(recognizer, text)
    assert low <= finding.score <= high
    assert finding.explanation


def test_is_a_registered_recognizer(recognizer: Recognizer) -> None:
    assert isinstance(recognizer, Recognizer)
    assert recognizer.labels == ("PHONE", "SERVICE_PHONE")


@pytest.mark.parametrize("hostile", ["1 " * 500_000, "a." * 500_000, "rue " * 250_000, "0" * 10**6])
def test_hostile_megabyte_is_linear(recognizer: Recognizer, hostile: str) -> None:
    started = time.perf_counter()
    list(recognizer.find(hostile))
    assert time.perf_counter() - started < 10
