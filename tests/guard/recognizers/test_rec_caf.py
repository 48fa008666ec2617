"""CAF: allocataire numbers (seven or eight digits), found only next to a context word."""

from __future__ import annotations

import time

import pytest

from egide.guard.findings import Finding
from egide.guard.registry import Recognizer, registered_recognizers


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return registered_recognizers()["caf"]()


def found(recognizer: Recognizer, text: str) -> list[Finding]:
    findings = list(recognizer.find(text))
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
        assert finding.label == "CAF"
    return findings


VALID = [
    ("Numéro d'allocataire CAF : {}.", "1234567"),
    ("N° allocataire {} ;", "7654321"),
    ("Allocataire ({}) convoqué.", "0012345"),
    ("La CAF de Lyon (dossier {}) a répondu.", "9876543"),
    ("Caisse d'allocations familiales, n°{}", "12345678"),
    # Eight digits that could be a date (21/08/1945) but are introduced as a number.
    ("Allocataire CAF n° {} depuis 2020.", "21081945"),
    ("Numéro d’allocataire\u00a0: {}", "3456789"),
    ("CAF {}", "2468013"),
    ("Allocataires concernés : {} et 1357924.", "8642097"),
]


@pytest.mark.parametrize(("template", "value"), VALID)
def test_finds_caf_numbers(recognizer: Recognizer, template: str, value: str) -> None:
    text = template.format(value)
    findings = found(recognizer, text)
    assert findings[0].text == value
    assert findings[0].score == 0.9
    assert findings[0].explanation


NEAR_MISSES = [
    # No context word, or "caf" inside another word.
    "Dossier 1234567 classé.",
    "Cafétéria : 1234567 repas servis.",
    # Too short, too long, spaced like an amount, followed by a currency, a date.
    "Numéro CAF : 123456.",
    "Numéro CAF : 123456789.",
    "La CAF a versé 1 234 567 € d'aides.",
    "La CAF a versé 1234567 euros.",
    "Allocataire, courrier CAF du 12032024.",
    "Allocataire né le 21081945 à Lyon.",
    "CAF : décret n° 2024-123, article L. 312-1, tél. 01 23 45 67 89.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_caf(recognizer: Recognizer, text: str) -> None:
    assert found(recognizer, text) == []


def test_is_a_registered_recognizer(recognizer: Recognizer) -> None:
    assert isinstance(recognizer, Recognizer)
    assert recognizer.labels == ("CAF",)


@pytest.mark.parametrize(
    "hostile", ["1 " * 500_000, "A1" * 500_000, "CAF " + "1" * 10**6, "CAF 1234567 " * 83_333]
)
def test_hostile_megabyte_is_linear(recognizer: Recognizer, hostile: str) -> None:
    started = time.perf_counter()
    list(recognizer.find(hostile))
    assert time.perf_counter() - started < 10
