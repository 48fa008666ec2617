"""SIREN: 9 digits with a Luhn key, kept only with a context word or the "123 456 789" layout."""

from __future__ import annotations

import time

import pytest

from egide.guard.findings import Finding
from egide.guard.registry import Recognizer, registered_recognizers


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return registered_recognizers()["siren"]()


def found(recognizer: Recognizer, text: str) -> list[Finding]:
    findings = list(recognizer.find(text))
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
        assert finding.label == "SIREN"
    return findings


def luhn(partial: str) -> str:
    def valid(digits: str) -> bool:
        total = 0
        for i, ch in enumerate(reversed(digits)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        return total % 10 == 0

    return next(partial + d for d in "0123456789" if valid(partial + d))


def spaced(digits: str, sep: str = " ") -> str:
    return sep.join([digits[:3], digits[3:6], digits[6:]])


A = luhn("12345678")
B = luhn("40123456")
C = luhn("90876543")
D = luhn("55512300")

VALID = [
    ("Société immatriculée au RCS de Paris sous le numéro {}.", A),
    ("SIREN : {}", spaced(B)),
    ("RCS Lyon {}", spaced(C)),
    ("{} R.C.S. Nanterre", spaced(D)),
    ("La société {} est dissoute.", D),
    ("Entreprise n°{} ;", spaced(A, ".")),
    ("Identifiant {} transmis.", spaced(B)),
    ("Identifiant {} transmis.", spaced(C, "\u00a0")),
    ("Identifiant ({}) transmis.", spaced(D, "\u202f")),
    ("SIREN {} (siège).", spaced(A, "-")),
]


@pytest.mark.parametrize(("template", "value"), VALID)
def test_finds_siren(recognizer: Recognizer, template: str, value: str) -> None:
    text = template.format(value)
    assert [f.text for f in found(recognizer, text)] == [value]


def wrong_key(digits: str) -> str:
    return digits[:-1] + str((int(digits[-1]) + 1) % 10)


NEAR_MISSES = [
    # A plain 9-digit number, even Luhn-valid, is not flagged without context.
    "Dossier " + A + " classé.",
    "Dossier " + spaced(A, ".") + " classé.",
    # Wrong key, even with context.
    "SIREN " + wrong_key(A) + ".",
    "SIREN " + spaced(wrong_key(B)) + ".",
    # Amounts written like a SIREN.
    "Le budget s'élève à " + spaced(A) + " €.",
    "Soit " + spaced(B) + " euros de crédits.",
    "Total : " + spaced(C) + ",50",
    "Population : " + spaced(D) + " habitants.",
    # Inconsistent separators, wrong length, the SIREN inside a SIRET.
    "SIREN " + A[:3] + " " + A[3:6] + "." + A[6:],
    "SIREN " + spaced(A) + "1.",
    "SIRET " + spaced(A) + " 00012.",
    "SIRET " + A + "00012.",
    "Vu le décret n° 2024-123 et l'article L. 312-1.",
    "Tél. 01 23 45 67 89, séance du 12/03/2024.",
    "SIREN 000 000 000.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_siren(recognizer: Recognizer, text: str) -> None:
    assert found(recognizer, text) == []


@pytest.mark.parametrize(
    ("text", "score"),
    [("Identifiant " + spaced(A) + ".", 0.6), ("SIREN " + A + ".", 0.95)],
)
def test_scores(recognizer: Recognizer, text: str, score: float) -> None:
    (finding,) = found(recognizer, text)
    assert finding.score == score
    assert finding.explanation


def test_is_a_registered_recognizer(recognizer: Recognizer) -> None:
    assert isinstance(recognizer, Recognizer)
    assert recognizer.labels == ("SIREN",)


@pytest.mark.parametrize(
    "hostile",
    ["1 " * 500_000, "A1" * 500_000, "0" * 10**6, "123 " * 250_000, "société 1 " * 100_000],
)
def test_hostile_megabyte_is_linear(recognizer: Recognizer, hostile: str) -> None:
    started = time.perf_counter()
    list(recognizer.find(hostile))
    assert time.perf_counter() - started < 10
