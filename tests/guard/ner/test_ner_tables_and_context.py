"""Names and places of real documents: tables, form labels, first names alone, public pages."""

from __future__ import annotations

import pytest

from egide.guard.findings import Finding
from egide.guard.ner import NameRecognizer


@pytest.fixture(scope="module")
def recognizer() -> NameRecognizer:
    return NameRecognizer()


def spans(findings: list[Finding], label: str) -> list[str]:
    return [f.text for f in findings if f.label == label]


TABLE_TAB = (
    "COMPOSITION DU FOYER\n"
    "NOM\tPrénom\tDate de naissance\tLieu de naissance\tLien\n"
    "VALLÉE\tThibault\t07/06/1981\tBayonne\tdemandeur\n"
    "BONNIN\tMohamed\t22/07/1981\tCasablanca\tconjoint\n"
    "du PONT\tAgathe\t21/09/2004\tTulle\tenfant\n"
    "\n"
    "Observations : néant."
)
TABLE_PIPES = (
    "Nom | Prénom(s) | Commune de naissance\n"
    "LE GALL | Marie-Claire | Saint-Yrieix-la-Perche\n"
    "COLIN | Henriette | Isle\n"
)


def test_columns_of_a_tab_separated_table(recognizer: NameRecognizer) -> None:
    found = list(recognizer.find(TABLE_TAB))
    persons = spans(found, "PERSON")
    for name in ("VALLÉE", "Thibault", "BONNIN", "Mohamed", "du PONT", "Agathe"):
        assert name in persons
    assert {"Bayonne", "Casablanca", "Tulle"} <= set(spans(found, "LOCATION"))
    # Header cells and other columns are not names.
    assert not {"NOM", "Prénom", "Lien", "demandeur", "Observations"} & set(persons)


def test_columns_of_a_pipe_separated_table(recognizer: NameRecognizer) -> None:
    found = list(recognizer.find(TABLE_PIPES))
    assert {"LE GALL", "Marie-Claire", "COLIN", "Henriette"} <= set(spans(found, "PERSON"))
    assert {"Saint-Yrieix-la-Perche", "Isle"} <= set(spans(found, "LOCATION"))


@pytest.mark.parametrize(
    ("text", "persons"),
    [
        ("NOM : LEGRAND\nPRÉNOM(S) : GEORGES\nNé le 3 mars 1950", {"LEGRAND", "GEORGES"}),
        ("CADRE DE SANTÉ : COLIN LAURE-ANNE", {"COLIN LAURE-ANNE"}),
        # First names alone, after the full name appeared earlier in the text.
        ("Mme Marie-Laure PETIT, 72 ans, hospitalisée.\nJ1 : Marie-Laure est apyrétique.",
         {"Marie-Laure PETIT", "Marie-Laure"}),
        ("M. Patrick FONTAINE accompagnait la victime.\nPatrick a déclaré ne pas la connaître.",
         {"Patrick FONTAINE", "Patrick"}),
    ],
)  # fmt: skip
def test_labels_capitals_and_first_names_alone(
    recognizer: NameRecognizer, text: str, persons: set[str]
) -> None:
    assert set(spans(list(recognizer.find(text)), "PERSON")) == persons


def test_a_first_name_is_not_propagated_from_a_place(recognizer: NameRecognizer) -> None:
    text = "Lieu de naissance : Shanghai\nShanghai est une ville de Chine."
    found = list(recognizer.find(text))
    assert spans(found, "PERSON") == []
    assert "Shanghai" in spans(found, "LOCATION")


@pytest.mark.parametrize(
    "text",
    [
        # An enumeration of countries in a rule, with a person elsewhere in the text.
        "M. Jean DUPONT est dispensé de visa, comme les ressortissants de l'Islande, du "
        "Liechtenstein, de la Norvège et de la Suisse.",
        # A meeting, not the island.
        "M. Jean DUPONT a assisté à la réunion. La réunion de la commission s'est tenue lundi.",
        # The commune of an administration's CEDEX address belongs to the address.
        "M. Jean DUPONT écrit à : Préfecture, BP 87031 – 87031 LIMOGES CEDEX 9",
        # Bodies and benefits written in Title case.
        "M. Jean DUPONT a écrit à la Caf et consulté son compte Ameli pour l'Aspa.",
        # A drug after "du", in a clinical note.
        "M. Jean DUPONT reçoit du Kardegic depuis mars.",
    ],
)
def test_words_that_are_not_places_of_people(recognizer: NameRecognizer, text: str) -> None:
    found = list(recognizer.find(text))
    assert spans(found, "LOCATION") == []
    assert spans(found, "PERSON") == ["Jean DUPONT"]


def test_a_place_in_a_text_that_names_no_one(recognizer: NameRecognizer) -> None:
    """A public page names no one: its places are nobody's, unless a clause ties them to
    someone ("né à", "demeurant à")."""
    page = "Si vous habitez à Paris ou en Île-de-France, adressez-vous à votre mairie."
    assert spans(list(recognizer.find(page)), "LOCATION") == []
    note = "Patient de 45 ans, originaire du Mali, né à Bamako, domicilié à Limoges."
    assert spans(list(recognizer.find(note)), "LOCATION") == ["Mali", "Bamako", "Limoges"]


def test_a_list_of_two_countries_stays(recognizer: NameRecognizer) -> None:
    text = "M. Jean DUPONT, né à Alger (Algérie), a vécu au Maroc."
    assert set(spans(list(recognizer.find(text)), "LOCATION")) == {"Alger", "Algérie", "Maroc"}


@pytest.mark.parametrize(
    ("text", "persons"),
    [
        # A service's name, a spaced dash, then the doctor: two things, one person.
        ("Service de Médecine Polyvalente – Dr Anne-Sophie ROBIN", ["Anne-Sophie ROBIN"]),
        # A law firm after the lawyer's name is not part of it.
        ("représentés par Maître Erwan KERGOAT de la SELARL AVOCATS OUEST", ["Erwan KERGOAT"]),
        # An initial makes a name of a common word.
        ("En l'espèce, J. Petit verse aux débats un constat.", ["J. Petit"]),
        # Parties named by their family in court decisions.
        ("Les consorts GARNIER ont interjeté appel.", ["GARNIER"]),
    ],
)
def test_names_cut_where_they_end(
    recognizer: NameRecognizer, text: str, persons: list[str]
) -> None:
    assert spans(list(recognizer.find(text)), "PERSON") == persons
