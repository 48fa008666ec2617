"""IBAN: mod 97 check digits, per-country length and structure, grouped or packed, any case."""

from __future__ import annotations

import random
import re
import string
import time

import pytest

from egide.guard.findings import Finding
from egide.guard.registry import Recognizer, registered_recognizers


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return registered_recognizers()["iban"]()


def found(recognizer: Recognizer, text: str) -> list[Finding]:
    findings = list(recognizer.find(text))
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
        assert finding.label == "IBAN"
    return findings


# BBAN structures (ECBS registry): n digits, a capital letters, c letters or digits.
STRUCTURES = {
    "FR": "5n5n11c2n", "MC": "5n5n11c2n", "DE": "8n10n", "BE": "3n7n2n", "ES": "4n4n1n1n10n",
    "IT": "1a5n5n12c", "GB": "4a6n8n", "NL": "4a10n", "CH": "5n12c", "LU": "3n13c",
    "PT": "4n4n11n2n", "NO": "4n6n1n",
}  # fmt: skip


def check_digits(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    number = int("".join(str(int(ch, 36)) for ch in rearranged))
    return f"{98 - number % 97:02d}"


def iban(country: str, bban: str) -> str:
    return country + check_digits(country, bban) + bban


def random_bban(rng: random.Random, country: str) -> str:
    pools = {"n": string.digits, "a": string.ascii_uppercase, "c": string.digits + "ABCXYZ"}
    parts = re.findall(r"(\d+)([nac])", STRUCTURES[country])
    return "".join(rng.choice(pools[kind]) for size, kind in parts for _ in range(int(size)))


def grouped(value: str, sep: str = " ") -> str:
    return sep.join(value[i : i + 4] for i in range(0, len(value), 4))


FR1 = iban("FR", "30006000011234567890189")
FR2 = iban("FR", "20041010050500013M02606")
DE = iban("DE", "370400440532013000")
BE = iban("BE", "539007547034")
IT = iban("IT", "X0542811101000000123456")
GB = iban("GB", "NWBK60161331926819")
CH = iban("CH", "00762011623852951")
NO = iban("NO", "86011117947")

VALID = [
    ("IBAN : {}.", grouped(FR1)),
    ("Virement sur le compte {} effectué.", FR1),
    ("RIB joint ({}).", grouped(FR2)),
    ("Coordonnées bancaires : {} ;", grouped(FR2).lower()),
    ("Compte allemand {}.", grouped(DE)),
    ("Compte belge n°{}", BE),
    ("Conto italiano {}, filiale di Roma.", grouped(IT)),
    ("UK account {}.", grouped(GB)),
    ("Compte suisse {} – à vérifier.", grouped(CH, "\u00a0")),
    ("Compte norvégien « {} ».", grouped(NO, "\u202f")),
    ("IBAN {} (domiciliation Lyon)", grouped(FR1, "-")),
]


@pytest.mark.parametrize(("template", "value"), VALID)
def test_finds_valid_iban(recognizer: Recognizer, template: str, value: str) -> None:
    text = template.format(value)
    assert [f.text for f in found(recognizer, text)] == [value]


def test_two_ibans_in_a_row(recognizer: Recognizer) -> None:
    text = f"Comptes {grouped(FR1)} {grouped(DE)} et {FR2}."
    assert [f.text for f in found(recognizer, text)] == [grouped(FR1), grouped(DE), FR2]


def wrong_check(value: str) -> str:
    return value[:2] + f"{(int(value[2:4]) + 1) % 100:02d}" + value[4:]


NEAR_MISSES = [
    "IBAN " + grouped(wrong_check(FR1)) + ".",
    "IBAN " + wrong_check(DE) + ".",
    # A character too few or too many for the country.
    "IBAN " + grouped(FR1[:-1]) + ".",
    "IBAN " + FR1 + "7.",
    # Right check digits, wrong length for the country (a French BBAN under DE).
    "IBAN " + iban("DE", "30006000011234567890189") + ".",
    # Structure of the country not respected (letters where digits are expected).
    "IBAN " + iban("DE", "37040044053201300A") + ".",
    # Unknown country, glued to a word.
    "IBAN " + iban("XX", "30006000011234567890189") + ".",
    "Code" + FR1 + ".",
    "Vu le décret n° 2024-123 et l'article L. 312-1.",
    "Tél. +33 1 23 45 67 89, SIRET 732 829 320 00074.",
    "Réunion le 12/03/2024 à 14h30.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_iban(recognizer: Recognizer, text: str) -> None:
    assert found(recognizer, text) == []


@pytest.mark.parametrize(
    ("text", "score"),
    [("Référence " + FR1 + ".", 0.95), ("IBAN : " + grouped(FR1) + ".", 0.99)],
)
def test_scores(recognizer: Recognizer, text: str, score: float) -> None:
    (finding,) = found(recognizer, text)
    assert finding.score == score
    assert finding.explanation


SENTENCES = [
    "Merci de verser l'indemnité sur le compte IBAN {}.",
    "IBAN : {}.",
    "Compte ({}) clôturé.",
    "n° {}, agence de Nantes.",
    "{} est le compte du créancier.",
    "Champ « {} » ;",
    "Ligne\n{}\n",
    "IBAN\u00a0: {} – à contrôler.",
]


def test_recall_in_running_text(recognizer: Recognizer) -> None:
    rng = random.Random(97)
    total, hits = 2000, 0
    for _ in range(total):
        country = rng.choice([*STRUCTURES, "FR", "FR", "FR"])
        value = iban(country, random_bban(rng, country))
        style = rng.choice(["packed", " ", "\u00a0", "\u202f", "lower"])
        if style == "lower":
            value = grouped(value).lower()
        elif style != "packed":
            value = grouped(value, style)
        text = rng.choice(SENTENCES).format(value)
        hits += [f.text for f in found(recognizer, text)] == [value]
    assert hits / total >= 0.99


@pytest.mark.parametrize(
    "value",
    [grouped(FR1, " | "), grouped(FR2, "  "), grouped(FR1, "."), FR1[:2] + " " + grouped(FR1)[2:],
     grouped(FR1)[:14] + "\n" + grouped(FR1)[15:]],
)  # fmt: skip
def test_forms_and_scans_layouts(recognizer: Recognizer, value: str) -> None:
    assert [f.text for f in found(recognizer, f"IBAN : {value}\nBIC : AGRIFRPP")] == [value]


def test_is_a_registered_recognizer(recognizer: Recognizer) -> None:
    assert isinstance(recognizer, Recognizer)
    assert recognizer.labels == ("IBAN",)


@pytest.mark.parametrize(
    "hostile",
    ["1 " * 500_000, "A1" * 500_000, "FR76 " * 200_000, "FR761" * 200_000, "AB12" + "A" * 10**6],
)
def test_hostile_megabyte_is_linear(recognizer: Recognizer, hostile: str) -> None:
    started = time.perf_counter()
    list(recognizer.find(hostile))
    assert time.perf_counter() - started < 10
