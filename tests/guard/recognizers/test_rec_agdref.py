"""AGDREF (numéro étranger): ten digits, found only next to a context word."""

from __future__ import annotations

import time

import pytest

from egide.guard.findings import Finding
from egide.guard.registry import Recognizer, registered_recognizers


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return registered_recognizers()["agdref"]()


def found(recognizer: Recognizer, text: str) -> list[Finding]:
    findings = list(recognizer.find(text))
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
        assert finding.label == "AGDREF"
    return findings


VALID = [
    ("Numéro AGDREF : {}.", "7501234567"),
    ("Titre de séjour n° {} expirant le 3 mars.", "9312345678"),
    ("N° étranger {} ;", "6900123456"),
    ("Numéro étranger ({}) à rappeler.", "1300987654"),
    ("Numéro d’étranger : {}", "3312345098"),
    ("Carte de séjour pluriannuelle n°{}.", "4400112233"),
    ("AGDREF {}", "75 0123 4567"),
    ("Titre de séjour : {} – renouvellement.", "0912345678"),
]


@pytest.mark.parametrize(("template", "value"), VALID)
def test_finds_agdref_numbers(recognizer: Recognizer, template: str, value: str) -> None:
    text = template.format(value)
    (finding,) = found(recognizer, text)
    assert (finding.text, finding.score) == (value, 0.9)
    assert finding.explanation


NEAR_MISSES = [
    # No context word: ten digits are far too common.
    "Dossier 7501234567 classé.",
    # Wrong length, inside a longer number.
    "Numéro AGDREF : 750123456.",
    "Numéro AGDREF : 75012345678.",
    "Numéro AGDREF : 12 7501234567.",
    # Phone numbers in a letter about a residence permit.
    "Pour votre titre de séjour, appelez le 01 23 45 67 89.",
    "Titre de séjour : rendez-vous, tél. 0123456789.",
    "Titre de séjour : décret n° 2024-123, article L. 312-1, le 12/03/2024.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_agdref(recognizer: Recognizer, text: str) -> None:
    assert found(recognizer, text) == []


def test_is_a_registered_recognizer(recognizer: Recognizer) -> None:
    assert isinstance(recognizer, Recognizer)
    assert recognizer.labels == ("AGDREF",)


@pytest.mark.parametrize(
    "hostile", ["1 " * 500_000, "A1" * 500_000, "AGDREF " + "1" * 10**6, "AGDREF 1234 " * 83_333]
)
def test_hostile_megabyte_is_linear(recognizer: Recognizer, hostile: str) -> None:
    started = time.perf_counter()
    list(recognizer.find(hostile))
    assert time.perf_counter() - started < 10
