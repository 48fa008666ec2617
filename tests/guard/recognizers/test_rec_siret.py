"""SIRET: 14 digits with a Luhn key (La Poste: digit sum mod 5), packed or grouped."""

from __future__ import annotations

import random
import time

import pytest

from egide.guard.findings import Finding
from egide.guard.registry import Recognizer, registered_recognizers


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return registered_recognizers()["siret"]()


def found(recognizer: Recognizer, text: str) -> list[Finding]:
    findings = list(recognizer.find(text))
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
        assert finding.label == "SIRET"
    return findings


def luhn_sum(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10


def luhn(partial: str) -> str:
    """``partial`` followed by the digit that makes it Luhn-valid."""
    return next(partial + d for d in "0123456789" if luhn_sum(partial + d) == 0)


def siret(head8: str, nic4: str) -> str:
    siren = luhn(head8)
    return luhn(siren + nic4)


def layout(digits: str, style: str) -> str:
    siren, nic = digits[:9], digits[9:]
    if style == "packed":
        return digits
    if style == "siren+nic":
        return f"{siren} {nic}"
    if style == "3-3-3-3-2":
        return f"{siren[:3]} {siren[3:6]} {siren[6:]} {nic[:3]} {nic[3:]}"
    sep = {"spaces": " ", "nbsp": "\u00a0", "nnbsp": "\u202f", "dots": ".", "dashes": "-"}[style]
    return sep.join([siren[:3], siren[3:6], siren[6:], nic])


STYLES = ["packed", "siren+nic", "3-3-3-3-2", "spaces", "nbsp", "nnbsp", "dots", "dashes"]

A = siret("12345678", "0001")
B = siret("40123456", "0042")
C = siret("90876543", "0013")
# La Poste: SIREN 356000000, establishments keyed by digit sum mod 5 (and not Luhn-valid).
LA_POSTE = next(
    f"356000000{n:05d}"
    for n in range(1, 100_000)
    if sum(map(int, f"356000000{n:05d}")) % 5 == 0 and luhn_sum(f"356000000{n:05d}") != 0
)

VALID = [
    ("Société inscrite sous le SIRET {}.", layout(A, "spaces")),
    ("SIRET : {}", layout(A, "packed")),
    ("Le prestataire (SIRET {}) a répondu.", layout(B, "siren+nic")),
    ("Établissement n°{}, Lyon.", layout(B, "3-3-3-3-2")),
    ("Fournisseur : {} ;", layout(C, "nbsp")),
    ("Entreprise {} – facture jointe.", layout(C, "nnbsp")),
    ("Numéro {}.", layout(A, "dots")),
    ("Numéro {}.", layout(B, "dashes")),
    ("Bureau de poste, SIRET {}.", layout(LA_POSTE, "spaces")),
    ("Siège de La Poste : {}.", "356 000 000 00048"),
]


@pytest.mark.parametrize(("template", "value"), VALID)
def test_finds_valid_siret(recognizer: Recognizer, template: str, value: str) -> None:
    text = template.format(value)
    assert [f.text for f in found(recognizer, text)] == [value]


def wrong_key(digits: str) -> str:
    return digits[:-1] + str((int(digits[-1]) + 1) % 10)


NEAR_MISSES = [
    "SIRET " + layout(wrong_key(A), "spaces") + ".",
    "SIRET " + wrong_key(B) + ".",
    # A Luhn-valid La Poste number whose digit sum is not a multiple of 5.
    "SIRET 356 000 000 " + luhn("356000000" + "0012")[9:] + ".",
    # Valid 14-digit key but SIREN part invalid.
    "SIRET " + luhn("1234567800001") + ".",
    # Too short, too long, inside a longer number.
    "SIRET " + layout(A, "spaces")[:-1] + ".",
    "SIRET " + layout(A, "spaces") + "5.",
    "Référence 9" + A + " du marché.",
    "Compte 12 " + layout(A, "spaces") + " clos.",
    # Inconsistent separators and no context word: a reference, not a SIRET.
    "Colis " + f"{A[:3]} {A[3:6]}.{A[6:9]} {A[9:]}",
    "Vu le décret n° 2024-123 et l'article L. 312-1 du code.",
    "Tél. 01 23 45 67 89 ou 06 12 34 56 78.",
    "Arrêté du 12/03/2024, séance du 14.05.2024.",
    "SIRET 000 000 000 00000.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_siret(recognizer: Recognizer, text: str) -> None:
    assert found(recognizer, text) == []


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("Référence " + A + ".", 0.75),
        ("Référence " + layout(A, "spaces") + ".", 0.85),
        ("SIRET " + A + ".", 0.99),
        (layout(A, "spaces") + " (RCS Paris)", 0.99),
    ],
)
def test_scores(recognizer: Recognizer, text: str, score: float) -> None:
    (finding,) = found(recognizer, text)
    assert finding.score == score
    assert finding.explanation


SENTENCES = [
    "La société, immatriculée sous le numéro SIRET {}, est attributaire.",
    "SIRET : {}.",
    "Titulaire ({}) retenu.",
    "n° {}, Paris.",
    "n°{}",
    "{} est l'établissement concerné.",
    "Champ « {} » ;",
    "Ligne\n{}\n",
    "Identifiant\u00a0: {} – à contrôler.",
]


def test_recall_in_running_text(recognizer: Recognizer) -> None:
    rng = random.Random(14)
    total, hits = 2000, 0
    for _ in range(total):
        digits = siret(f"{rng.randrange(10**8):08d}", f"{rng.randrange(1, 10**4):04d}")
        value = layout(digits, rng.choice(STYLES))
        text = rng.choice(SENTENCES).format(value)
        hits += [f.text for f in found(recognizer, text)] == [value]
    assert hits / total >= 0.99


OCR = [
    ("SIRET {}", " ".join(A)),
    ("Employeur, SIRET : {}", f"{A[:3]} | {A[3:6]} | {A[6:9]} | {A[9:]}"),
    ("SIRET : {}", f"{B[:3]} {B[3:6]} {B[6:9]}\n{B[9:]}"),
    # Without a context word, only regular layouts: one space per digit, boxes.
    ("Pièce jointe : {}", " ".join(C)),
    ("Case : {}", "|".join(C)),
    # Inconsistent separators, as hurried hands and OCR leave them, next to "SIRET".
    ("SIRET {}", f"{A[:3]} {A[3:6]}.{A[6:9]} {A[9:]}"),
]


@pytest.mark.parametrize(("template", "value"), OCR)
def test_forms_and_scans_layouts(recognizer: Recognizer, template: str, value: str) -> None:
    assert [f.text for f in found(recognizer, template.format(value))] == [value]


def test_an_irregular_layout_needs_a_context_word(recognizer: Recognizer) -> None:
    value = f"{A[:2]} {A[2:7]}|{A[7:9]} {A[9:]}"
    assert found(recognizer, f"Référence {value} du colis.") == []
    assert [f.text for f in found(recognizer, f"SIRET {value}")] == [value]


def test_is_a_registered_recognizer(recognizer: Recognizer) -> None:
    assert isinstance(recognizer, Recognizer)
    assert recognizer.labels == ("SIRET",)


@pytest.mark.parametrize(
    "hostile", ["1 " * 500_000, "A1" * 500_000, "0" * 10**6, "123 " * 250_000, "1." * 500_000]
)
def test_hostile_megabyte_is_linear(recognizer: Recognizer, hostile: str) -> None:
    started = time.perf_counter()
    list(recognizer.find(hostile))
    assert time.perf_counter() - started < 10
