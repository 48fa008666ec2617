"""TAX_ID (numéro fiscal, SPI): 13 digits, first 0-3, last three = first ten mod 511."""

from __future__ import annotations

import random
import time

import pytest

from egide.guard.findings import Finding
from egide.guard.registry import Recognizer, registered_recognizers


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return registered_recognizers()["tax_id"]()


def found(recognizer: Recognizer, text: str) -> list[Finding]:
    findings = list(recognizer.find(text))
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
        assert finding.label == "TAX_ID"
    return findings


def spi(head10: str) -> str:
    return head10 + f"{int(head10) % 511:03d}"


def notice(digits: str, sep: str = " ") -> str:
    """The layout of tax notices: "12 34 567 890 123"."""
    return sep.join([digits[:2], digits[2:4], digits[4:7], digits[7:10], digits[10:]])


A = spi("1234567890")
B = spi("0198765432")
C = spi("2901234567")
D = spi("3055512345")

VALID = [
    ("Numéro fiscal : {}.", notice(A)),
    ("Votre numéro SPI ({}) figure sur l'avis.", A),
    ("N° fiscal\u00a0: {}", notice(B, "\u00a0")),
    ("Identifiant fiscal {} ;", notice(C, "\u202f")),
    ("Déclarant n°{}", notice(D, ".")),
    ("Référence {} à rappeler.", notice(A, "-")),
    ("Contribuable « {} »", B),
    (
        "Pièce {} jointe.",
        "1 " + A[1:3] + " " + A[3:5] + " " + A[5:8] + " " + A[8:11] + " " + A[11:],
    ),
    ("Numéro : {}.", C[:4] + " " + C[4:]),
]


@pytest.mark.parametrize(("template", "value"), VALID)
def test_finds_valid_tax_id(recognizer: Recognizer, template: str, value: str) -> None:
    text = template.format(value)
    assert [f.text for f in found(recognizer, text)] == [value]


def wrong_key(digits: str) -> str:
    return digits[:10] + f"{(int(digits[10:]) + 1) % 1000:03d}"


NEAR_MISSES = [
    "Numéro fiscal " + notice(wrong_key(A)) + ".",
    "Numéro fiscal " + wrong_key(B) + ".",
    # First digit outside 0-3 with a key that would otherwise be right.
    "Numéro fiscal " + notice(spi("4234567890")) + ".",
    "Numéro fiscal " + spi("9234567890") + ".",
    # One digit too many or too few, inside a longer number.
    "Numéro fiscal " + A + "4.",
    "Numéro fiscal " + A[:-1] + ".",
    "Compte 45 " + notice(A) + " clos.",
    "Vu le décret n° 2024-123 et l'article L. 312-1.",
    "Tél. 01 23 45 67 89, le 12/03/2024 à 14h30.",
    "Numéro fiscal 0000000000000.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_tax_id(recognizer: Recognizer, text: str) -> None:
    assert found(recognizer, text) == []


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("Référence " + notice(A) + ".", 0.8),
        ("Numéro fiscal : " + notice(A) + ".", 0.98),
        ("SPI " + A + ".", 0.98),
        (A + " (n° fiscal)", 0.98),
    ],
)
def test_scores(recognizer: Recognizer, text: str, score: float) -> None:
    (finding,) = found(recognizer, text)
    assert finding.score == score
    assert finding.explanation


SENTENCES = [
    "Le numéro fiscal du déclarant est {}.",
    "SPI : {}.",
    "Contribuable ({}) relancé.",
    "n° {}, centre des finances publiques.",
    "n°{}",
    "{} figure en haut de l'avis d'impôt.",
    "Champ « {} » ;",
    "Ligne\n{}\n",
    "Numéro fiscal\u00a0: {} – à vérifier.",
]


def test_recall_in_running_text(recognizer: Recognizer) -> None:
    rng = random.Random(511)
    total, hits = 2000, 0
    for _ in range(total):
        digits = spi(str(rng.randrange(4)) + f"{rng.randrange(1, 10**9):09d}")
        sep = rng.choice(["packed", " ", "\u00a0", "\u202f", ".", "-"])
        value = digits if sep == "packed" else notice(digits, sep)
        text = rng.choice(SENTENCES).format(value)
        hits += [f.text for f in found(recognizer, text)] == [value]
    assert hits / total >= 0.99


@pytest.mark.parametrize(
    "value",
    [" ".join(A), ".".join([B[:2], B[2:4], B[4:7], B[7:10], B[10:]]), "|".join(C),
     f"{D[:7]}\n{D[7:]}"],
)  # fmt: skip
def test_forms_and_scans_layouts(recognizer: Recognizer, value: str) -> None:
    text = f"Numéro fiscal : {value}"
    assert [f.text for f in found(recognizer, text)] == [value]


def test_is_a_registered_recognizer(recognizer: Recognizer) -> None:
    assert isinstance(recognizer, Recognizer)
    assert recognizer.labels == ("TAX_ID",)


@pytest.mark.parametrize(
    "hostile", ["1 " * 500_000, "A1" * 500_000, "0" * 10**6, "1." * 500_000, "12 34 " * 166_666]
)
def test_hostile_megabyte_is_linear(recognizer: Recognizer, hostile: str) -> None:
    started = time.perf_counter()
    list(recognizer.find(hostile))
    assert time.perf_counter() - started < 10
