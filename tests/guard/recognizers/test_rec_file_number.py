"""FILE_NUMBER: case and file numbers after their cue (IPP, RG, dossier…), the value only."""

from __future__ import annotations

import time

import pytest

from egide.guard.findings import Finding
from egide.guard.registry import Recognizer, registered_recognizers


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return registered_recognizers()["file_number"]()


def found(recognizer: Recognizer, text: str) -> list[Finding]:
    findings = list(recognizer.find(text))
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
        assert finding.label == "FILE_NUMBER"
    return findings


VALID = [
    # hospitals
    ("IPP : 80012345    NDA : 240012345", ["80012345", "240012345"]),
    ("N° de séjour : 2400123456", ["2400123456"]),
    ("N° de dossier médical : D12345678", ["D12345678"]),
    # préfectures and other administrations
    ("N° de dossier : 2024-ETR-01234", ["2024-ETR-01234"]),
    ("Réf. : DCL/BSE/2024-0479", ["DCL/BSE/2024-0479"]),
    ("Vos références : 2024/123456 — Nos références : DS/2024/0456",
     ["2024/123456", "DS/2024/0456"]),
    ("enregistré sous la référence dossier n° 2025/79605, fait apparaître", ["2025/79605"]),
    ("Numéro d'enregistrement : BT/2024-0123", ["BT/2024-0123"]),
    ("Matricule : A123456", ["A123456"]),
    ("N° de demande ANEF : 123 456 789", ["123 456 789"]),
    ("N° de permis de conduire : 12AB34567", ["12AB34567"]),
    # courts and police
    ("RG n° 21/41706 — N° Portalis DBXV-V-B7H-CL23", ["21/41706", "DBXV-V-B7H-CL23"]),
    ("(Cass. 2e civ., 12 mai 2022, pourvoi n° 21-12.345)", ["21-12.345"]),
    ("N° de parquet : 23123000045 — N° de jugement : 1234/24", ["23123000045", "1234/24"]),
    ("requête enregistrée sous le n° 19L8042.", ["19L8042"]),
    ("M. X, écroué sous le n° 894989 à la maison d'arrêt.", ["894989"]),
    ("Il ressort du procès-verbal n° 2024/001234 que", ["2024/001234"]),
    ("TRIBUNAL ADMINISTRATIF DE LIMOGES\nN° 2301234\n___________", ["2301234"]),
    # cadastre
    ("la parcelle cadastrée section AB n° 123 au lieu-dit", ["AB n° 123"]),
    ("la parcelle cadastrée section AK n° 3.", ["AK n° 3"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "values"), VALID)
def test_numbers_after_their_cue(recognizer: Recognizer, text: str, values: list[str]) -> None:
    assert [f.text for f in found(recognizer, text)] == values


NEAR_MISSES = [
    # The numbers of texts identify no one.
    "Vu le décret n° 2024-123 du 5 février 2024 et l'arrêté n° 2024-0456 ;",
    "Vu la loi n° 78-17 du 6 janvier 1978 et l'article L. 312-1 du code ;",
    "Circulaire NOR INTV2412345C du 3 mai 2024.",
    # A cue followed by words, a year, an amount, an article: no value.
    "Réf. : votre demande du 3 janvier 2025",
    "Réf. : article L. 1110-4 du code de la santé publique",
    "En référence à votre courrier, je vous informe…",
    "Référence 2024 du catalogue.",
    "Le matricule est demandé au guichet.",
    "Dossier n° 15 € de frais.",
    # A cue inside another word.
    "La dipp et l'ordre des Opticiens, la rg-xyz.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses(recognizer: Recognizer, text: str) -> None:
    assert found(recognizer, text) == []


def test_accents_and_capitals_of_the_cue_do_not_matter(recognizer: Recognizer) -> None:
    assert [f.text for f in found(recognizer, "NUMÉRO DE DOSSIER : 2024/001")] == ["2024/001"]
    assert [f.text for f in found(recognizer, "numero de sejour 2400123456")] == ["2400123456"]


def test_is_a_registered_recognizer(recognizer: Recognizer) -> None:
    assert isinstance(recognizer, Recognizer)
    assert recognizer.labels == ("FILE_NUMBER",)


@pytest.mark.parametrize(
    "hostile",
    ["1 " * 500_000, "a." * 500_000, "n° de dossier " * 70_000, "RG n° " + "1/" * 500_000,
     "réf " * 250_000, "Matricule : " + "A1-" * 300_000],
)  # fmt: skip
def test_hostile_megabyte_is_linear(recognizer: Recognizer, hostile: str) -> None:
    started = time.perf_counter()
    list(recognizer.find(hostile))
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(
    ("text", "value"),
    [("IPP 00451236 - Séjour 22004512", ["00451236", "22004512"]),
     ("Dossier : 2024-123456", ["2024-123456"])],
)  # fmt: skip
def test_bare_labels_of_headers(recognizer: Recognizer, text: str, value: list[str]) -> None:
    assert [f.text for f in found(recognizer, text)] == value


def test_a_bare_label_needs_five_digits(recognizer: Recognizer) -> None:
    assert found(recognizer, "Séjour 2024 en Espagne ; dossier 12 en attente.") == []


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("Réf. : votre demande du 16 mai 2023 ; CAB-134-2024\nP.J. : 2", ["CAB-134-2024"]),
        ("N/Réf. : DS/2024/0456 — V/Réf. : votre courrier du 12/03/2024", ["DS/2024/0456"]),
        ("Réf. : décret n° 2024-123 ; article L. 1110-4 du code", []),
        ("JUGEMENT DU 9 JUIN 2024\nn° 25P3470\nAFFAIRE : DURAND c/ MARTIN", ["25P3470"]),
        ("n° 20L4622 — COUR D'APPEL DE VERSAILLES", ["20L4622"]),
        ("Matricule de l'agent instructeur : 425580", ["425580"]),
        ("Référence de l'arrêté n° 2024-123 du 3 mars", []),
    ],
)
def test_reference_lines_headers_and_long_labels(
    recognizer: Recognizer, text: str, values: list[str]
) -> None:
    assert [f.text for f in found(recognizer, text)] == values


@pytest.mark.parametrize(
    "text",
    ["Références : loi n° 2016-274 du 7 mars 2016 ; ISBN 978-2-1234-5678-9.",
     "Réf. : ISBN 978-2-1234-5678-9 ; NOR INTV2412345C ; code APE 84-11Z."],
)  # fmt: skip
def test_references_of_texts_and_books_are_not_files(recognizer: Recognizer, text: str) -> None:
    assert found(recognizer, text) == []
