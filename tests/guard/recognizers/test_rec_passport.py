"""PASSPORT: French "12AB34567" (context raises the score), foreign numbers only with context."""

from __future__ import annotations

import time

import pytest

from egide.guard.findings import Finding
from egide.guard.registry import Recognizer, registered_recognizers


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return registered_recognizers()["passport"]()


def found(recognizer: Recognizer, text: str) -> list[Finding]:
    findings = list(recognizer.find(text))
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
        assert finding.label == "PASSPORT"
    return findings


VALID = [
    ("Passeport n° {} délivré à Nantes.", "12AB34567", 0.95),
    ("Numéro de passeport : {}.", "07XK91234", 0.95),
    ("Passport number {}", "19FR00452", 0.95),
    ("Titre de voyage ({}) présenté au guichet.", "21ZZ87654", 0.95),
    ("Passeport biométrique « {} » ;", "15cd67890", 0.95),
    ("Document {} présenté.", "12AB34567", 0.5),
    ("Pièce n°{}, vérifiée.", "09QW11223", 0.5),
    ("{} en cours de validité", "22MN45678", 0.5),
    # Foreign passports, common in préfecture files, only right after a context word.
    ("Copie intégrale de votre passeport n° {} en cours de validité.", "HG3764797", 0.85),
    ("Numéro de votre passeport ({}).", "A5583189", 0.85),
    ("Titulaire du passeport n° {}.", "RY5673646", 0.85),
    ("Passport: {}", "X1234567", 0.85),
]


@pytest.mark.parametrize(("template", "value", "score"), VALID)
def test_finds_passport_numbers(
    recognizer: Recognizer, template: str, value: str, score: float
) -> None:
    text = template.format(value)
    (finding,) = found(recognizer, text)
    assert (finding.text, finding.score) == (value, score)
    assert finding.explanation


NEAR_MISSES = [
    # Without context: lower case, shapes that are not French, pieces of longer tokens.
    "Document 12ab34567 présenté.",
    "Document 123AB4567 présenté.",
    "Document 12ABC34567 présenté.",
    "Document 12AB3456 présenté.",
    "Document 12AB345678 présenté.",
    "Document X12AB34567 présenté.",
    "Document 12AB34567B présenté.",
    "Document HG3764797 présenté.",
    # With context, a foreign number still needs letters, four digits, and 6 to 9 characters.
    "Passeport n° 12AB345678.",
    "Passeport n° HG37647971.",
    "Passeport n° A1234.",
    "Passeport valable jusqu'en 2030, PASSEPORT ordinaire.",
    "Passeport délivré le 12032024.",
    "Passeport : dossier REF-12AB34567.",
    "Passeport : dossier 12AB34567/2.",
    "Passeport : décret n° 2024-123, article L. 312-1.",
    "Passeport ; rendez-vous le 12/03/2024, tél. 01 23 45 67 89.",
    # Too far from the word "passeport" for a foreign shape.
    "Passeport : la demande, déposée en mairie le mois dernier, porte la référence HG3764797.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_passports(recognizer: Recognizer, text: str) -> None:
    assert found(recognizer, text) == []


def test_is_a_registered_recognizer(recognizer: Recognizer) -> None:
    assert isinstance(recognizer, Recognizer)
    assert recognizer.labels == ("PASSPORT",)


@pytest.mark.parametrize(
    "hostile", ["1 " * 500_000, "A1" * 500_000, "12AB" * 250_000, "passeport 12AB3 " * 62_500]
)
def test_hostile_megabyte_is_linear(recognizer: Recognizer, hostile: str) -> None:
    started = time.perf_counter()
    list(recognizer.find(hostile))
    assert time.perf_counter() - started < 10
