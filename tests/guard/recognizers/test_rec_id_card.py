"""ID_CARD: French identity card numbers (12-character and 2021 formats), context required."""

from __future__ import annotations

import time

import pytest

from egide.guard.findings import Finding
from egide.guard.registry import Recognizer, registered_recognizers


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return registered_recognizers()["id_card"]()


def found(recognizer: Recognizer, text: str) -> list[Finding]:
    findings = list(recognizer.find(text))
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
        assert finding.label == "ID_CARD"
    return findings


VALID = [
    ("Carte nationale d'identité n° {} délivrée en 1988.", "880692310285"),
    ("CNI : {}.", "950475A01234"),
    ("Pièce d'identité ({}) en cours de validité.", "1203 2A1 00457"),
    ("Carte d’identité {} ;", "060133012345"),
    ("Ancienne CNI {} perdue.", "8806-923-10285"),
    ("{} (carte d'identité de l'intéressé)", "141112301987"),
    ("Nouvelle carte d'identité n°{}.", "X4RTBPFW4"),
    ("CNI au format carte bancaire : {}", "K8ZQ2MT71"),
    ("Copie de la CNIe « {} » reçue.", "Y2LB7CNH3"),
    ("Sa carte d'identité porte le numéro {}, valable dix ans.", "4HZ9W2RT6"),
]


@pytest.mark.parametrize(("template", "value"), VALID)
def test_finds_id_card_numbers(recognizer: Recognizer, template: str, value: str) -> None:
    text = template.format(value)
    assert [f.text for f in found(recognizer, text)] == [value]


NEAR_MISSES = [
    # Without a context word, nothing: these numbers carry no key.
    "Référence 880692310285 du courrier.",
    "Code d'accès X4RTBPFW4.",
    # Month 13, one character too many or too few.
    "CNI n° 881392310285.",
    "CNI n° 8806923102851.",
    "CNI n° 88069231028.",
    "CNI n° X4RTBPFW42.",
    "CNI n° X4RTBPF4.",
    # A word in capitals, a plain number, lower case, the 9 characters inside a longer token.
    "Carte d'identité : IMPORTANT, à renouveler.",
    "Carte d'identité : 123456789.",
    "Carte d'identité : x4rtbpfw4.",
    "Carte d'identité : REF-X4RTBPFW4.",
    "Carte d'identité : X4RTBPFW4/2.",
    "Carte d'identité : décret n° 2024-123, article L. 312-1.",
    "Carte d'identité ; rendez-vous le 12/03/2024, tél. 01 23 45 67 89.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_id_cards(recognizer: Recognizer, text: str) -> None:
    assert found(recognizer, text) == []


def test_scores_and_explanations(recognizer: Recognizer) -> None:
    (old,) = found(recognizer, "CNI 880692310285")
    (new,) = found(recognizer, "CNI X4RTBPFW4")
    assert (old.score, new.score) == (0.9, 0.85)
    assert "ancien format" in old.explanation
    assert "2021" in new.explanation


def test_is_a_registered_recognizer(recognizer: Recognizer) -> None:
    assert isinstance(recognizer, Recognizer)
    assert recognizer.labels == ("ID_CARD",)


@pytest.mark.parametrize(
    "hostile",
    ["1 " * 500_000, "A1" * 500_000, "CNI " + "A1" * 500_000, "CNI 8806 " * 111_111],
)
def test_hostile_megabyte_is_linear(recognizer: Recognizer, hostile: str) -> None:
    started = time.perf_counter()
    list(recognizer.find(hostile))
    assert time.perf_counter() - started < 10
