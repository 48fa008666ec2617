"""HEALTH: the health terms of a text about a person, found where the level says "santé"."""

from __future__ import annotations

import pytest

from egide.guard import Guard
from egide.guard.findings import PERSONAL_LABELS, Finding
from egide.guard.sensitive import health_findings
from egide.guard.sensitive.lexicon import LexiconError, parse_lexicon


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard()


def _terms(guard: Guard, text: str) -> list[str]:
    scan = guard.scan(text).with_health_terms()
    return [f.text for f in scan.findings if f.label == "HEALTH"]


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Mme Claire DURAND est suivie pour un diabète de type 2 sous insuline.",
         ["diabète", "insuline"]),
        ("Le patient, hospitalisé pour une pneumopathie, reçoit du Kardegic.",
         ["pneumopathie", "Kardegic"]),
        ("Son fils est atteint d'une SCLÉROSE EN PLAQUES depuis 2019.", ["SCLÉROSE EN PLAQUES"]),
        ("Patient de 67 ans aux antécédents de HTA, fibrillation atriale, BPCO.",
         ["HTA", "fibrillation atriale", "BPCO"]),
    ],
)  # fmt: skip
def test_health_terms_of_a_text_about_a_person(guard: Guard, text: str, terms: list[str]) -> None:
    assert _terms(guard, text) == terms


@pytest.mark.parametrize(
    "text",
    [
        # Words that only say health is at stake are not replaced: the model must read the text.
        "M. Paul MARTIN est hospitalisé depuis lundi ; son état de santé s'améliore.",
        # About nobody: a general sentence, an institution, an enumeration of a rule.
        "Le diabète est une maladie chronique qui touche des millions de personnes.",
        "L'agence régionale de santé publie son rapport annuel.",
        "Aucune discrimination fondée sur la religion, le handicap ou l'orientation sexuelle.",
    ],
)
def test_no_health_term_where_no_one_is_concerned_or_nothing_names_a_disease(
    guard: Guard, text: str
) -> None:
    assert _terms(guard, text) == []


def test_terms_are_findings_the_pseudonymiser_replaces(guard: Guard) -> None:
    scan = guard.scan("Mme Claire DURAND, diabétique, est sous insuline.").with_health_terms()
    health = [f for f in scan.findings if f.label == "HEALTH"]
    assert health and all(f.is_personal for f in health)
    assert "HEALTH" in PERSONAL_LABELS
    # The level and its reasons are those of the scan: the terms only say where the data is.
    assert scan.level == guard.scan("Mme Claire DURAND, diabétique, est sous insuline.").level
    assert [f.start for f in scan.findings] == sorted(f.start for f in scan.findings)


def test_a_scan_without_health_data_is_returned_as_it_is(guard: Guard) -> None:
    scan = guard.scan("M. Paul MARTIN demande un rendez-vous en préfecture.")
    assert scan.with_health_terms() is scan


def test_a_term_inside_another_finding_is_left_to_it() -> None:
    text = "M. Parkinson est diabétique et sous insuline."
    person = Finding(3, 12, "PERSON", 0.9, "Parkinson", "names")
    terms = [f.text for f in health_findings(text, [person])]
    assert "Parkinson" not in terms and "insuline" in terms


def test_offsets_are_those_of_the_text_with_accents_and_capitals(guard: Guard) -> None:
    text = "Mme Élodie LEFÈVRE : DIABÈTE insulino-requérant, INSULINE le soir."
    scan = guard.scan(text).with_health_terms()
    for finding in scan.findings:
        assert scan.text[finding.start : finding.end] == finding.text
    assert "DIABÈTE" in [f.text for f in scan.findings]


def test_lexicon_flag_plus_marks_the_reported_words() -> None:
    [entry] = parse_lexicon("sante", "+~diabète")
    assert entry.reported and entry.weak and entry.term == "diabete"
    [plain] = parse_lexicon("sante", "hospitalisé")
    assert not plain.reported
    with pytest.raises(LexiconError):
        parse_lexicon("sante", "+dia+bète")
