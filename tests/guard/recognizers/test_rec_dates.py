"""BIRTH_DATE and DATE: valid dates in figures or words; a birth cue makes a birth date."""

from __future__ import annotations

import time

import pytest

from egide.guard.findings import Finding
from egide.guard.registry import Recognizer, registered_recognizers


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return registered_recognizers()["date"]()


def found(recognizer: Recognizer, text: str) -> list[Finding]:
    findings = list(recognizer.find(text))
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
    return findings


BIRTH_DATES = [
    ("M. Dupont, né le 12/03/1984, demeure à Lyon.", "12/03/1984"),
    ("Née le 1er avril 1975 à Lyon.", "1er avril 1975"),
    ("Mme Martin, né(e) le 3 janvier 2001.", "3 janvier 2001"),
    ("Né(e) le : 12.03.1984", "12.03.1984"),
    ("Il est né à Saint-Étienne (42) le 12 fevrier 1990.", "12 fevrier 1990"),
    ("Date de naissance : 1984-03-12", "1984-03-12"),
    ("DDN : 12-03-1984", "12-03-1984"),
    ("Naissance : 5 aout 1962, à Brest", "5 aout 1962"),
    ("Date de naissance (JJ/MM/AAAA) : 05/06/1970", "05/06/1970"),
    ("Elle est née le mardi 2 décembre 1980.", "2 décembre 1980"),
    ("Date et lieu de naissance : 29 février 1984 à Metz", "29 février 1984"),
    ("Usager né le 12/03/84, sans domicile.", "12/03/84"),
    ("NÉ LE 14 JUILLET 1956", "14 JUILLET 1956"),
    ("Mme Durand, née Martin le 3 mars 1950.", "3 mars 1950"),
    # A PDF or a letter wraps the cue and its date onto two lines.
    ("Madame Amélie ROUSSEAU, née le\n14 juillet 1986, sollicite", "14 juillet 1986"),
    ("Monsieur Paul Girard, né\nle 03/05/1971, demeurant", "03/05/1971"),
    ("Date de\nnaissance : 14 juillet\n1986", "14 juillet\n1986"),
]


@pytest.mark.parametrize(("text", "value"), BIRTH_DATES)
def test_birth_dates(recognizer: Recognizer, text: str, value: str) -> None:
    findings = found(recognizer, text)
    assert [(f.text, f.label) for f in findings] == [(value, "BIRTH_DATE")]
    assert findings[0].score >= 0.9


PLAIN_DATES = [
    ("La réunion du 12 mars 2024 est reportée.", "12 mars 2024"),
    ("Le 3 janvier 2001, le conseil a délibéré.", "3 janvier 2001"),
    ("Échéance au 2024-12-31 inclus.", "2024-12-31"),
    ("Décès survenu le 12.03.2020.", "12.03.2020"),
    ("Entrée en vigueur le 1ER JUILLET 2023.", "1ER JUILLET 2023"),
    ("Courrier du 15 sept. 2023 reçu.", "15 sept. 2023"),
    ("Année bissextile : 29/02/2024.", "29/02/2024"),
    ("Il est né à Paris, puis a été vu le 12 mars 2020.", "12 mars 2020"),
    ("Il ne viendra le 12 mars 2024 que si nécessaire.", "12 mars 2024"),
    ("Le 8 août 1944, la ville fut libérée.", "8 août 1944"),
    ("Signé le 30 decembre 2022.", "30 decembre 2022"),
]


@pytest.mark.parametrize(("text", "value"), PLAIN_DATES)
def test_plain_dates(recognizer: Recognizer, text: str, value: str) -> None:
    findings = found(recognizer, text)
    assert [(f.text, f.label) for f in findings] == [(value, "DATE")]
    assert findings[0].score <= 0.7


def test_birth_cue_applies_to_the_date_it_announces(recognizer: Recognizer) -> None:
    text = "Né le 12/03/1984, arrivé en France le 01/09/2010."
    assert [(f.text, f.label) for f in found(recognizer, text)] == [
        ("12/03/1984", "BIRTH_DATE"),
        ("01/09/2010", "DATE"),
    ]


NEAR_MISSES = [
    "Le 31/02/2020 n'existe pas.",
    "Le 12/13/2020 n'existe pas.",
    "Le 00/01/2020 n'existe pas.",
    "Le 32 mars 2020 n'existe pas.",
    "Le 29/02/2021 n'existe pas.",
    "Le 30 février 2020 n'existe pas.",
    "La date 2024-13-01 est invalide.",
    "En 1984, la loi a changé.",
    "Vu le décret n° 2024-123 et l'article L. 312-1.",
    "Rendez-vous à 14h30.",
    "Version 12.03.84 du logiciel.",
    "Appeler le 01 23 45 67 89.",
    "Montant : 1 234,56 €.",
    "Le 1 mars, sans année.",
    "Référence 12/03/1984/5 du dossier.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_dates(recognizer: Recognizer, text: str) -> None:
    assert found(recognizer, text) == []


IN_WORDS = [
    ("Née le quatorze mars mille neuf cent quatre-vingt-deux à Tulle.",
     "quatorze mars mille neuf cent quatre-vingt-deux"),
    ("né le 1er avril mil neuf cent soixante", "1er avril mil neuf cent soixante"),
    ("née le trente et un décembre mille neuf cent quatre-vingt-dix-neuf",
     "trente et un décembre mille neuf cent quatre-vingt-dix-neuf"),
    ("né le premier janvier deux mille trois", "premier janvier deux mille trois"),
    ("Date de naissance : vingt-deux juillet mille neuf cent soixante et onze",
     "vingt-deux juillet mille neuf cent soixante et onze"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "value"), IN_WORDS)
def test_birth_dates_in_words(recognizer: Recognizer, text: str, value: str) -> None:
    assert [(f.text, f.label) for f in found(recognizer, text)] == [(value, "BIRTH_DATE")]


def test_an_impossible_date_in_words_is_not_a_date(recognizer: Recognizer) -> None:
    assert found(recognizer, "né le trente février mille neuf cent quatre-vingts") == []


ANNOUNCED = [
    ("Date de naissance : 3|11|1954", "3|11|1954"),
    ("Né le 17 03 1988 à Brest", "17 03 1988"),
    ("DDN : 1 7 0 3 1 9 8 8", "1 7 0 3 1 9 8 8"),
    ("Né(e) le 17\\03\\1988", "17\\03\\1988"),
    ("Née le 17.03.88", "17.03.88"),
    # A date followed by an age, as clinical notes write the patient's.
    ("Mme Odile FERRAND, 12/09/1951 (73 ans), hospitalisée.", "12/09/1951"),
]


@pytest.mark.parametrize(("text", "value"), ANNOUNCED)
def test_form_layouts_where_a_birth_is_announced(
    recognizer: Recognizer, text: str, value: str
) -> None:
    assert [(f.text, f.label) for f in found(recognizer, text)] == [(value, "BIRTH_DATE")]


@pytest.mark.parametrize(
    "text",
    ["Rendez-vous le 17 03 1988 ou après.", "Relevé 1 7 0 3 1 9 8 8 du compteur.",
     "Classement 3|11|1954 de l'archive."],
)  # fmt: skip
def test_form_layouts_without_a_birth_are_not_dates(recognizer: Recognizer, text: str) -> None:
    assert found(recognizer, text) == []


def test_birth_dates_in_the_column_of_a_table(recognizer: Recognizer) -> None:
    text = (
        "NOM\tPrénom\tDate de naissance\tLien\n"
        "VALLÉE\tThibault\t07/06/1981\tdemandeur\n"
        "BONNIN\tMohamed\t22|07|1981\tconjoint\n"
        "\nRendez-vous fixé au 03/04/2025."
    )
    assert [(f.text, f.label) for f in found(recognizer, text)] == [
        ("07/06/1981", "BIRTH_DATE"),
        ("22|07|1981", "BIRTH_DATE"),
        ("03/04/2025", "DATE"),
    ]


def test_is_a_registered_recognizer(recognizer: Recognizer) -> None:
    assert isinstance(recognizer, Recognizer)
    assert set(recognizer.labels) == {"BIRTH_DATE", "DATE"}


@pytest.mark.parametrize(
    "hostile",
    ["1 " * 500_000, "a." * 500_000, "rue " * 250_000, "née à " * 160_000 + "12/03/1984"],
)
def test_hostile_megabyte_is_linear(recognizer: Recognizer, hostile: str) -> None:
    started = time.perf_counter()
    list(recognizer.find(hostile))
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(
    ("words", "value"),
    [("quatre-vingt-deux", 82), ("soixante et onze", 71), ("quatre-vingt-dix-neuf", 99),
     ("mille neuf cent quatre-vingts", 1980), ("mil neuf cent soixante", 1960),
     ("deux mille trois", 2003), ("trente et un", 31), ("premier", 1), ("janvier", None)],
)  # fmt: skip
def test_french_numbers_in_words(words: str, value: int | None) -> None:
    from egide.guard.recognizers._words_fr import parse_number_words

    assert parse_number_words(words) == value
