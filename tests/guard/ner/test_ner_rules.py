"""Names recognizer on sentences from letters, clinical notes and court decisions (fictitious)."""

from __future__ import annotations

import itertools

import pytest

from egide.guard.findings import Finding
from egide.guard.ner import NameRecognizer


@pytest.fixture(scope="module")
def recognizer() -> NameRecognizer:
    return NameRecognizer()


@pytest.fixture(scope="module")
def rules_only() -> NameRecognizer:
    return NameRecognizer(use_model=False)


def spans(findings: list[Finding], label: str) -> set[str]:
    return {f.text for f in findings if f.label == label}


# (text, expected PERSON spans, exactly)
PERSON_CASES = [
    ("Reçu M. Jean DUPONT ce matin.", {"Jean DUPONT"}),
    ("Mme Boulanger a signé le registre.", {"Boulanger"}),
    ("Le dossier de M. Petit est complet.", {"Petit"}),
    ("Monsieur Jean-Pierre MARTIN-LEROY est convoqué.", {"Jean-Pierre MARTIN-LEROY"}),
    ("Vu la demande de DUPONT Jean, enregistrée le 3 mars.", {"DUPONT Jean"}),
    ("Madame Odile FERRAND, épouse VASSEUR, a déposé un recours.", {"Odile FERRAND", "VASSEUR"}),
    ("Mme Yvette Marchal née Rigaud est hospitalisée.", {"Yvette Marchal", "Rigaud"}),
    ("Chantal DUMAS, veuve GIRAUD, appelante.", {"Chantal DUMAS", "GIRAUD"}),
    ("Représentée par Maître Hélène Rousseau, avocate.", {"Hélène Rousseau"}),
    ("Avis du Dr Kerjean : pas d'indication opératoire.", {"Kerjean"}),
    ("Le patient est suivi par le docteur Ferrier.", {"Ferrier"}),
    ("Médecin traitant : Dr J.-P. Moreau.", {"J.-P. Moreau"}),
    # An institution's name joined by "de" does not swallow a full name after it.
    ("Tu assistes le bureau de Amélie ROUSSEAU.", {"Amélie ROUSSEAU"}),
    ("Le cabinet de Jean DUPONT a répondu.", {"Jean DUPONT"}),
    ("Attendu que M. J. Leroux ne justifie d'aucun préjudice ;", {"J. Leroux"}),
    ("Patient : LEBRETON Michel, 76 ans.", {"LEBRETON Michel"}),
    ("Dossier suivi par : Gwenaël Le Bihan", {"Gwenaël Le Bihan"}),
    ("Fait à Lyon, le 3 janvier 2024.\nLe préfet,\nJean-Marc DURAND", {"Jean-Marc DURAND"}),
    ("Pour le préfet et par délégation,\nLe secrétaire général,\nTiphaine ROUXEL", {"Tiphaine ROUXEL"}),
    ("MM. Garnier et Fontanel sont convoqués.", {"Garnier", "Fontanel"}),
    ("Roger FAUCHER c/ Kevin MARCHETTI", {"Roger FAUCHER", "Kevin MARCHETTI"}),
    ("Monsieur Didier Cambon, né le 8 juin 1970 à Tulle, appelant.", {"Didier Cambon"}),
    ("Entretien avec Mathéo Grandjean et sa mère.", {"Mathéo Grandjean"}),
    ("Mme N'DIAYE Aminata a été transférée en cardiologie.", {"N'DIAYE Aminata"}),
    ("MONSIEUR JEAN DUPONT\n12 RUE DES LILAS", {"JEAN DUPONT"}),
    ("Monsieur le Préfet Jean-Marc Durand a reçu la délégation.", {"Jean-Marc Durand"}),
    ("Le requérant, M. Karim BENSAÏD, conteste l'arrêté.", {"Karim BENSAÏD"}),
    ("Présents : Mmes Arnaud et Thibault.", {"Arnaud", "Thibault"}),
    ("Mme Rose a été entendue.", {"Rose"}),
    ("Interrogé, Yannick Le Floch déclare ne pas connaître Mickaël Brunet.", {"Yannick Le Floch", "Mickaël Brunet"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), PERSON_CASES)
def test_person_spans(recognizer: NameRecognizer, text: str, expected: set[str]) -> None:
    assert spans(list(recognizer.find(text)), "PERSON") == expected


# Titles and functions without a name, organisations, places: never a PERSON.
NO_PERSON_CASES = [
    "Monsieur le Préfet,\nJ'ai l'honneur de solliciter votre bienveillance.",
    "Madame la Directrice de l'Agence régionale de santé a été saisie.",
    "Monsieur le Directeur Général des Services est absent.",
    "Considérant que Monsieur le Maire a transmis le dossier au juge des libertés.",
    "Objet : demande de logement social\nMadame, Monsieur,",
    "Le Président de la République a promulgué la loi.",
    "Monsieur le Procureur de la République près le tribunal judiciaire de Bobigny,",
    "ARRÊTÉ PRÉFECTORAL N° 2024-118 PORTANT AUTORISATION D'EXPLOITER",
    "Vu le code de la santé publique, notamment son article L. 3212-1 ;",
    "Le centre hospitalier Jean-Jaurès accueille les patients du secteur.",
    "Les élèves de l'école Victor-Hugo ont visité la mairie.",
    "Le dossier est parti rue Jean MOULIN, au service de Médecine polyvalente.",
    "N° RG 22/01234 - N° Portalis DBVX-V-B7G-NXYZ",
    "Conclusion : exacerbation de BPCO sans critère de gravité.",
    "Fait à Saint-Denis, le 3 janvier 2024.",
    "La Direction générale des finances publiques a notifié le redressement.",
    "Pierre après pierre, la Maison de santé se construit.",
]


@pytest.mark.parametrize("text", NO_PERSON_CASES)
def test_no_person(recognizer: NameRecognizer, text: str) -> None:
    assert spans(list(recognizer.find(text)), "PERSON") == set()


# (text, span, label): places and organisations.
OTHER_CASES = [
    ("Né le 3 janvier 1980 à Saint-Denis (Réunion).", "Saint-Denis", "LOCATION"),
    ("Il vit seul à Rezé depuis 2010.", "Rezé", "LOCATION"),
    ("Elle habite à Orange depuis 2010.", "Orange", "LOCATION"),
    ("Né le 4 avril 1988 à Oran (Algérie).", "Algérie", "LOCATION"),
    ("Né le 4 avril 1988 à Conakry (Guinée).", "Conakry", "LOCATION"),
    ("M. Jean DUPONT a travaillé en Bretagne puis en Normandie.", "Normandie", "LOCATION"),
    (
        "Le dossier a été transmis à l'Agence régionale de santé.",
        "Agence régionale de santé",
        "ORG",
    ),
    ("Reçus par l'Agence régionale de santé d'Île-de-France.", "Agence régionale de santé", "ORG"),
]


@pytest.mark.parametrize(("text", "span", "label"), OTHER_CASES)
def test_places_and_organisations(
    recognizer: NameRecognizer, text: str, span: str, label: str
) -> None:
    found = list(recognizer.find(text))
    assert span in spans(found, label)
    assert span not in spans(found, "PERSON")


# The seat of an institution and the place a letter was written from say nothing about a
# person: not LOCATION (the Cour de cassation's practice, and the development set's).
INSTITUTION_CASES = [
    ("Le tribunal judiciaire de Nanterre a statué.", "Nanterre"),
    ("Avocat au barreau de Limoges.", "Limoges"),
    ("PRÉFET DE LA CORRÈZE", "CORRÈZE"),
    ("Bordeaux, le 24 avril 2025", "Bordeaux"),
    ("Fait à Saint-Denis, le 3 janvier 2024.", "Saint-Denis"),
    ("Le maire de Orange a signé l'arrêté.", "Orange"),
    ("Inscrite au registre du commerce et des sociétés de Lyon.", "Lyon"),
    ("Reçus par l'Agence régionale de santé d'Île-de-France.", "Île-de-France"),
    ("Elle réside en France depuis 2015.", "France"),
    ("Score de Glasgow à 15.", "Glasgow"),
]


@pytest.mark.parametrize(("text", "span"), INSTITUTION_CASES)
def test_places_of_institutions_are_not_locations(
    recognizer: NameRecognizer, text: str, span: str
) -> None:
    found = list(recognizer.find(text))
    assert span not in spans(found, "LOCATION")
    assert span not in spans(found, "PERSON")


def test_bare_surname_found_elsewhere_in_the_document(recognizer: NameRecognizer) -> None:
    text = "M. Patrice GAUDIN a saisi le tribunal.\n\nEn réponse, GAUDIN conclut au rejet."
    persons = [f for f in recognizer.find(text) if f.label == "PERSON"]
    assert [f.text for f in persons] == ["Patrice GAUDIN", "GAUDIN"]
    assert persons[1].start == text.rindex("GAUDIN")


def test_findings_are_consistent_with_the_text(recognizer: NameRecognizer) -> None:
    text = "Mme Sylviane CHARPENTIER, née le 12 juillet 1961 à Roanne, demeurant à Gleizé."
    findings = list(recognizer.find(text))
    assert findings
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
        assert 0.0 < finding.score <= 1.0
        assert finding.recognizer == "names"
        assert finding.explanation
    starts = [f.start for f in findings]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Reçu M. Jean DUPONT ce matin.", {"Jean DUPONT"}),
        ("Mme Boulanger et M. Petit sont présents.", {"Boulanger", "Petit"}),
        ("Vu la demande de DUPONT Jean.", {"DUPONT Jean"}),
        ("Monsieur le Préfet,", set()),
    ],
)
def test_rules_work_without_the_model(
    rules_only: NameRecognizer, text: str, expected: set[str]
) -> None:
    assert spans(list(rules_only.find(text)), "PERSON") == expected


def test_empty_and_blank_texts(recognizer: NameRecognizer) -> None:
    assert list(recognizer.find("")) == []
    assert list(recognizer.find(" \n\t ")) == []


@pytest.mark.parametrize(
    "text",
    [
        "Rédige une phrase d'accueil pour la page du service des cartes grises.",
        "Résume ce document en trois points.",
        "Propose une réponse à l'usager.",
    ],
)
def test_a_capitalised_verb_opening_an_instruction_is_not_a_person(text: str) -> None:
    assert [f for f in NameRecognizer().find(text) if f.label == "PERSON"] == []


@pytest.mark.parametrize(
    "text",
    [
        "Signe de Babinski bilatéral, pas de signe de Lasègue.",
        "Antécédents : maladie de Parkinson traitée par lévodopa, thyroïdite de Hashimoto.",
        "Score de Glasgow à 15. Clairance selon CKD-EPI à 54 mL/min.",
        "Artériopathie stade de Fontaine II.",
    ],
)
def test_medical_eponyms_name_no_patient(text: str) -> None:
    persons = [f.text for f in NameRecognizer().find(text) if f.label == "PERSON"]
    assert persons == [], persons


def test_a_surname_shared_with_an_eponym_is_still_a_person() -> None:
    found = [(f.text, f.label) for f in NameRecognizer().find("Mme Claire Fontaine est reçue.")]
    assert ("Claire Fontaine", "PERSON") in found


# Particles, initials, relations and side-by-side signatures.
MORE_PERSON_CASES = [
    ("Le tribunal a débouté Mme de LA FONTAINE de ses demandes.", {"de LA FONTAINE"}),
    ("Avis du Pr T. de La Roche : pas de chirurgie.", {"T. de La Roche"}),
    ("Mme de LA FONTAINE Adélaïde, appelante.", {"de LA FONTAINE Adélaïde"}),
    ("Entre VAN der MEER Odette et la société Alpha.", {"VAN der MEER Odette"}),
    ("Le rapport de DUPONT Jean est versé aux débats.", {"DUPONT Jean"}),
    ("Représentée par Me LE VAN, avocate.", {"LE VAN"}),
    ("J4 : passage de H. Boucher, kinésithérapeute.", {"H. Boucher"}),
    ("Elle est accompagnée de L. Voisin.", {"L. Voisin"}),
    ("Ancienne couturière. Vit avec Adrienne, sa sœur.", {"Adrienne"}),
    ("Pour le préfet,\nLa cheffe du bureau,\n\nAminata Blanchet\n", {"Aminata Blanchet"}),
    ("Le Greffier\t\t\tLe Président\nLucas REY\t\t\tNath LE GALL", {"Lucas REY", "Nath LE GALL"}),
    ("Travaux entrepris par COLIN Pierre-Yves en 2021.", {"COLIN Pierre-Yves"}),
    ("Prise de vitamine D. Puis reprise du traitement.", set()),
    ("Maladie de Parkinson évoluée, score de Glasgow à 15.", set()),
]


@pytest.mark.parametrize(("text", "expected"), MORE_PERSON_CASES)
def test_more_person_spans(recognizer: NameRecognizer, text: str, expected: set[str]) -> None:
    assert spans(list(recognizer.find(text)), "PERSON") == expected
