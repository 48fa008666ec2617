"""PLATE: SIV plates (AB-123-CD) and former FNI plates (1234 AB 75), context where ambiguous;
the example of a form ("exemple : AB-123-CD") is EXAMPLE_VALUE, institutional."""

from __future__ import annotations

import time

import pytest

from egide.guard.findings import Finding
from egide.guard.registry import Recognizer, registered_recognizers


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return registered_recognizers()["plate"]()


def found(recognizer: Recognizer, text: str) -> list[Finding]:
    findings = list(recognizer.find(text))
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
    return findings


VALID = [
    ("Le procès-verbal vise AB-123-CD.", "AB-123-CD"),
    ("La voiture EF-456-GH était garée devant la mairie.", "EF-456-GH"),
    ("Immatriculation : AB 123 CD, couleur grise.", "AB 123 CD"),
    ("Le véhicule immatriculé AB123CD a été enlevé.", "AB123CD"),
    ("Plaque relevée : ZX789YZ.", "ZX789YZ"),
    ("FG456HJ est la plaque du véhicule en cause.", "FG456HJ"),
    ("Immatriculation provisoire WW-123-AB délivrée.", "WW-123-AB"),
    ("Un ancien véhicule, immatriculé 1234 AB 75, stationnait.", "1234 AB 75"),
    ("Sur la carte grise : 123 ABC 75.", "123 ABC 75"),
    ("Relevé 4567 XY 69 au péage.", "4567 XY 69"),
    ("Plaque 12 AB 2A, moto de collection.", "12 AB 2A"),
    ("Véhicule 1234 AB 971 signalé.", "1234 AB 971"),
    ("Le camion 7 K 13 a été contrôlé.", "7 K 13"),
    ("Immatriculée 1234AB75, la voiture a été vendue.", "1234AB75"),
]


@pytest.mark.parametrize(("text", "value"), VALID)
def test_finds_plates(recognizer: Recognizer, text: str, value: str) -> None:
    findings = found(recognizer, text)
    assert [(f.text, f.label) for f in findings] == [(value, "PLATE")]


NEAR_MISSES = [
    "Le code AB123CD figure sur le bordereau.",  # packed form without context
    "Référence WW-123-AB du bordereau.",  # temporary series without context
    "Le véhicule SS-123-AB est signalé.",  # SS never issued
    "Le véhicule AB-123-SS est signalé.",
    "Le véhicule AI-123-CD est signalé.",  # I, O, U are not used
    "Le véhicule AB-123-CO est signalé.",
    "Le véhicule UB-123-CD est signalé.",
    "Le véhicule AB-000-CD est signalé.",
    "Le véhicule ab-123-cd est signalé.",
    "Le véhicule AB-1234-CD est signalé.",
    "Le dossier XAB-123-CD-45 est clos.",
    "Le véhicule 1234 ABC 75 est signalé.",  # four digits and three letters never existed
    "Le véhicule 1234 AB 96 est signalé.",  # no département 96
    "Le véhicule 0123 AB 75 est signalé.",
    "Code 12 A 75 sans contexte.",
    "ARRÊTÉ N° 123 DU 12 MARS 2024",  # upper-case heading, not an FNI plate
    "CHAPITRE LE 123 DE LA SECTION",
    "Vu le décret n° 2024-123 et l'article L. 312-1.",
    "Montant : 1 234,56 € au 12/03/1984.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_plates(recognizer: Recognizer, text: str) -> None:
    assert found(recognizer, text) == []


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("Le procès-verbal vise AB-123-CD.", 0.85, 0.95),
        ("Le procès-verbal vise AB 123 CD.", 0.75, 0.85),
        ("Le procès-verbal vise 1234 AB 75.", 0.5, 0.7),
        ("Le véhicule immatriculé AB-123-CD.", 0.95, 1.0),
    ],
)
def test_scores(recognizer: Recognizer, text: str, low: float, high: float) -> None:
    (finding,) = found(recognizer, text)
    assert low <= finding.score <= high


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Indiquez l'immatriculation du véhicule (exemple : AB-123-CD).", "AB-123-CD"),
        ("Un numéro de la forme AB 123 CD, appelé SIV.", "AB 123 CD"),
        ("Ancien format, par exemple 123 AB 01.", "123 AB 01"),
        ("Format attendu : AA-111-AA.", "AA-111-AA"),
    ],
)
def test_example_values_of_forms(recognizer: Recognizer, text: str, value: str) -> None:
    assert [(f.text, f.label) for f in found(recognizer, text)] == [(value, "EXAMPLE_VALUE")]


@pytest.mark.parametrize(
    "text",
    [
        # A real plate after "exemple" is still a plate: only canonical examples are spared.
        "Par exemple, le véhicule GH-456-KL a été verbalisé.",
        # The canonical value without an example cue is somebody's plate.
        "Le véhicule immatriculé AB-123-CD a été enlevé.",
    ],
)
def test_real_plates_are_not_examples(recognizer: Recognizer, text: str) -> None:
    assert [f.label for f in found(recognizer, text)] == ["PLATE"]


def test_is_a_registered_recognizer(recognizer: Recognizer) -> None:
    assert isinstance(recognizer, Recognizer)
    assert recognizer.labels == ("PLATE", "EXAMPLE_VALUE")


@pytest.mark.parametrize(
    "hostile", ["1 " * 500_000, "a." * 500_000, "rue " * 250_000, "véhicule AB " * 80_000]
)
def test_hostile_megabyte_is_linear(recognizer: Recognizer, hostile: str) -> None:
    started = time.perf_counter()
    list(recognizer.find(hostile))
    assert time.perf_counter() - started < 10
