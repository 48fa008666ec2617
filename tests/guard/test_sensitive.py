"""Sensitivity assessment: RGPD art. 9/10 categories, personal findings and the resulting level.

Markings (« Diffusion Restreinte », « Secret »…) are tested in test_sensitive_markings.py.
"""

from __future__ import annotations

import pytest

from egide.guard.findings import PERSONAL_LABELS, Finding, Reason
from egide.guard.labels import LABELS_FR
from egide.guard.sensitive import CATEGORIES, assess, find_cues, sensitive_cues
from egide.guard.sensitive.lexicon import load_lexicons
from egide.policy.levels import Level


def finding(text: str, value: str, label: str) -> Finding:
    start = text.index(value)
    return Finding(start, start + len(value), label, 0.99, value, "test")


def categories_of(text: str, findings: list[Finding] | None = None) -> set[str]:
    return {category for category, _, _ in sensitive_cues(text, findings=findings or [])}


# --- art. 9 and 10 categories: positives (administrative letters, clinical notes, rulings) ----

POSITIVES = [
    # santé
    ("sante", "Monsieur Benali est hospitalisé au CHU depuis le 12 mars."),
    ("sante", "L'agent est en arrêt maladie jusqu'au 30 juin inclus."),
    ("sante", "Patiente de 54 ans, diabétique de type 2, sous insuline."),
    ("sante", "Mme Lefèvre bénéficie d'une RQTH ; son dossier est suivi par la MDPH."),
    ("sante", "Il souffre d'une dépression sévère depuis son licenciement."),
    ("sante", "Elle est séropositive et suit un traitement antirétroviral."),
    ("sante", "Votre demande de congé de longue maladie sera examinée par le conseil médical."),
    ("sante", "Mme Garnier est enceinte de cinq mois."),
    # religion
    ("religion", "M. Haddad est de confession musulmane."),
    ("religion", "Elle fréquente la synagogue chaque samedi."),
    ("religion", "Le requérant se dit catholique pratiquant et refuse de travailler le dimanche."),
    ("religion", "Mme Petit s'est convertie à l'islam en 2019."),
    # opinions politiques
    ("opinion_politique", "M. Girard est adhérent du parti depuis 2015."),
    ("opinion_politique", "L'intéressé, militant d'extrême gauche, a été entendu par le service."),
    ("opinion_politique", "Elle se déclare sympathisante du Rassemblement national."),
    ("opinion_politique", "Le candidat est encarté au Parti socialiste."),
    # appartenance syndicale
    ("appartenance_syndicale", "M. Roux est délégué syndical CGT depuis 2018."),
    ("appartenance_syndicale", "L'agente est syndiquée et demande une décharge d'activité."),
    ("appartenance_syndicale", "Mme Blanc, adhérente de FO, conteste sa mutation."),
    ("appartenance_syndicale", "Je suis représentant syndical au comité social d'administration."),
    # orientation sexuelle
    ("orientation_sexuelle", "Le requérant, homosexuel, craint des persécutions dans son pays."),
    ("orientation_sexuelle", "Elle a révélé à sa hiérarchie qu'elle est lesbienne."),
    ("orientation_sexuelle", "M. Faure évoque son orientation sexuelle lors de l'entretien."),
    ("orientation_sexuelle", "L'intéressée, bisexuelle, sollicite la protection de l'OFPRA."),
    # vie sexuelle
    ("vie_sexuelle", "La victime déclare avoir eu des relations sexuelles non consenties."),
    ("vie_sexuelle", "Il évoque sa vie sexuelle avec le médecin du travail."),
    ("vie_sexuelle", "Mme Roche indique recourir à une contraception orale."),
    # origine raciale ou ethnique
    ("origine_ethnique", "Le suspect est décrit comme un homme d'origine maghrébine."),
    ("origine_ethnique", "Mme Diallo s'estime discriminée en raison de son origine ethnique."),
    ("origine_ethnique", "Le requérant invoque des persécutions dues à son appartenance ethnique."),
    ("origine_ethnique", "Il affirme avoir été insulté en raison de la couleur de sa peau."),
    # données génétiques ou biométriques
    ("biometrie_genetique", "Les empreintes digitales de M. Nguyen ont été relevées au guichet."),
    ("biometrie_genetique", "Le prélèvement a permis d'établir son profil génétique."),
    ("biometrie_genetique", "L'intéressé a refusé le prélèvement ADN."),
    ("biometrie_genetique", "La reconnaissance faciale a permis d'identifier la requérante."),
    # infractions et condamnations (art. 10)
    ("infractions_condamnations", "M. Leroy a été condamné à six mois de prison avec sursis."),
    ("infractions_condamnations", "Le prévenu conteste les faits qui lui sont reprochés."),
    ("infractions_condamnations", "L'intéressé a été placé en garde à vue le 2 février."),
    ("infractions_condamnations", "Son casier judiciaire mentionne deux condamnations pour vol."),
    ("infractions_condamnations", "Mme Morel est mise en examen pour escroquerie."),
]


@pytest.mark.parametrize(("category", "text"), POSITIVES)
def test_category_is_found(category: str, text: str) -> None:
    assert category in categories_of(text)
    reasons, level = assess(text, [])
    assert level is Level.SENSIBLE
    assert any(r.category == category and r.label_fr == CATEGORIES[category] for r in reasons)


def test_every_category_has_three_positives() -> None:
    counts = {code: sum(c == code for c, _ in POSITIVES) for code in CATEGORIES}
    assert min(counts.values()) >= 3, counts


# --- near misses: generic prose, institutions, set phrases ----------------------------------

NEAR_MISSES = [
    "L'Agence régionale de santé Grand Est publie son rapport annuel.",
    "La crise sanitaire a bouleversé l'organisation des services.",
    "La France compte environ 400 000 nouveaux cas de cancer par an.",
    "Le code de la santé publique encadre l'exercice de la profession.",
    "Le secret médical ne peut être opposé au juge dans ce cas.",
    "La caisse primaire d'assurance maladie verse les indemnités journalières.",
    "Place de l'Église, 24000 Périgueux",
    "L'église Saint-Martin sera restaurée au printemps.",
    "La loi de 1905 porte séparation des Églises et de l'État.",
    "Les partis politiques déposent les comptes de campagne avant le 30 juin.",
    "Le syndicat des eaux du Vivier a voté son budget primitif.",
    "Le syndic de copropriété a convoqué l'assemblée générale.",
    "Le syndicat intercommunal à vocation scolaire se réunit jeudi.",
    "La CGT a appelé à une journée de mobilisation nationale.",
    "M. et Mme Durand ont conclu un PACS le 4 mai 2021.",
    "Aucune discrimination fondée sur l'orientation sexuelle n'est tolérée au recrutement.",
    "Les campagnes d'information sur la contraception sont financées par l'État.",
    "Le chien de race American Staffordshire doit être déclaré en mairie.",
    "Les produits d'origine animale font l'objet de contrôles sanitaires.",
    "La prise d'empreintes digitales est obligatoire pour tout titre de séjour.",
    "L'innovation est dans l'ADN de notre ministère.",
    "L'État est condamné à verser à M. Martin la somme de 1 500 euros.",
    "Le tribunal prononce un sursis à statuer dans l'attente de l'avis.",
    "Un extrait de casier judiciaire est demandé aux candidats.",
    "Vous serez prévenu par courrier de la date de l'audience.",
    "Il convient de lutter contre le cancer et le diabète.",
    # An enumeration of categories is a clause, not data about someone (RGPD notice).
    "Les données révélant l'origine raciale ou ethnique, les opinions politiques, les "
    "convictions religieuses ou l'appartenance syndicale ne sont pas collectées.",
    "Nous ne recueillons rien sur vos opinions politiques, votre religion ou votre "
    "appartenance syndicale.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_miss_is_not_sensitive(text: str) -> None:
    assert categories_of(text) == set()
    assert assess(text, []) == ([], Level.INTERNE)


# --- how weak cues and persons interact ----------------------------------------------------


def test_personal_finding_makes_a_weak_cue_count() -> None:
    text = "Karim Benali souffre de diabète."
    assert categories_of(text) == set()
    person = finding(text, "Karim Benali", "PERSON")
    assert categories_of(text, [person]) == {"sante"}


def test_enumeration_about_a_named_person_counts() -> None:
    text = "Karim Benali : religion, opinions politiques et appartenance syndicale."
    person = finding(text, "Karim Benali", "PERSON")
    assert categories_of(text) == set()
    assert categories_of(text, [person]) == {
        "religion",
        "opinion_politique",
        "appartenance_syndicale",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A possessive counts just before the cue, not anywhere in the sentence.
        ("Son état de santé s'est dégradé.", {"sante"}),
        ("Le rapport décrit l'état de santé de la population et ses enjeux.", set()),
        ("Le suspect a été interpellé à son domicile.", {"infractions_condamnations"}),
        # « vous » addresses everyone in notices and job offers.
        ("Si vous êtes en situation de handicap, un aménagement peut être demandé.", set()),
        ("Un extrait de casier judiciaire vous sera demandé.", set()),
        ("Votre casier judiciaire a été consulté.", {"infractions_condamnations"}),
        # The addressee of a note is not its subject.
        ("Note à Monsieur le directeur\nObjet : campagne de vaccination des agents", set()),
        ("Madame, Monsieur,\nLa campagne de vaccination reprend en octobre.", set()),
        ("Monsieur Durand a reçu sa vaccination.", {"sante"}),
        # Impersonal « il ».
        ("Il est rappelé que le diabète se soigne.", set()),
        ("Il est diabétique depuis l'enfance.", {"sante"}),
    ],
)
def test_weak_cue_needs_a_person(text: str, expected: set[str]) -> None:
    assert categories_of(text) == expected


def test_long_unpunctuated_text_is_not_an_enumeration() -> None:
    # A table exported without punctuation: one « sentence » about several persons.
    row = "M. X religion catholique opinions politiques appartenance syndicale dépression "
    assert categories_of(row * 20) == {
        "religion",
        "opinion_politique",
        "appartenance_syndicale",
        "sante",
    }


def test_established_category_counts_its_other_cues() -> None:
    # The second sentence has no person in it, but the text is about a hospitalised patient.
    text = "Le patient est hospitalisé depuis lundi. Antécédents : diabète, asthme."
    reasons, _ = assess(text, [])
    assert reasons == [Reason(Level.SENSIBLE, "sante", CATEGORIES["sante"], 3)]


def test_count_is_the_number_of_cues() -> None:
    text = "M. Leroy a été placé en garde à vue. Le prévenu a été condamné à un an de prison ferme."
    reasons, level = assess(text, [])
    assert level is Level.SENSIBLE
    assert [(r.category, r.count) for r in reasons] == [("infractions_condamnations", 4)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Il est hospitalisé.", "hospitalisé"),
        ("Il est hospitalise\u0301 depuis lundi.", "hospitalise\u0301"),  # decomposed accent
        ("L’intéressée est en ARRÊT-MALADIE.", "ARRÊT-MALADIE"),
        ("Elle est en arrêt\u00a0maladie.", "arrêt\u00a0maladie"),
        ("Straße 3 : il est séropositif.", "séropositif"),  # « ß » folds to two letters
    ],
)
def test_positions_point_into_the_original_text(text: str, expected: str) -> None:
    [(category, start, end)] = sensitive_cues(text)
    assert category == "sante"
    assert text[start:end] == expected


def test_acronyms_must_be_in_capitals() -> None:
    assert categories_of("Mme Blanc est adhérente de FO.") == {"appartenance_syndicale"}
    assert categories_of("Mme Blanc est adhérente de fo.") == set()


# --- levels and reasons ---------------------------------------------------------------------

NEUTRAL = "Le comité se réunira le 4 juillet en salle 12 pour examiner le budget."


def test_nothing_found_is_interne() -> None:
    assert assess(NEUTRAL, []) == ([], Level.INTERNE)
    assert assess("", []) == ([], Level.INTERNE)


def test_person_is_personnel() -> None:
    text = "Réunion avec Claire Vasseur et Paul Arnaud le 4 juillet."
    findings = [finding(text, "Claire Vasseur", "PERSON"), finding(text, "Paul Arnaud", "PERSON")]
    reasons, level = assess(text, findings)
    assert level is Level.PERSONNEL
    assert reasons == [Reason(Level.PERSONNEL, "person", "nom de personne", 2)]


def test_nir_is_sensible() -> None:
    text = "Son numéro de sécurité sociale est 1 84 12 76 451 089 46."
    nir = finding(text, "1 84 12 76 451 089 46", "NIR")
    reasons, level = assess(text, [nir])
    assert level is Level.SENSIBLE
    assert reasons == [Reason(Level.SENSIBLE, "nir", "numéro de sécurité sociale (NIR)", 1)]


def test_non_personal_findings_give_no_reason() -> None:
    text = "La préfecture de la Somme a écrit le 4 juillet 2024."
    findings = [
        finding(text, "préfecture de la Somme", "ORG"),
        finding(text, "4 juillet 2024", "DATE"),
    ]
    assert assess(text, findings) == ([], Level.INTERNE)


@pytest.mark.parametrize(
    ("header", "level"),
    [
        ("DIFFUSION RESTREINTE\n\n", Level.DIFFUSION_RESTREINTE),
        ("SECRET\n\n", Level.CLASSIFIE),
        ("", Level.SENSIBLE),
    ],
)
def test_level_is_the_highest_reason(header: str, level: Level) -> None:
    text = header + "Note sur Claire Vasseur, hospitalisée le 2 mai, NIR 2 69 05 49 588 157 80."
    findings = [
        finding(text, "Claire Vasseur", "PERSON"),
        finding(text, "2 69 05 49 588 157 80", "NIR"),
    ]
    reasons, found = assess(text, findings)
    assert found is level
    assert found == max(r.level for r in reasons)
    assert {"person", "nir", "sante"} <= {r.category for r in reasons}
    assert [r.level for r in reasons] == sorted((r.level for r in reasons), reverse=True)


@pytest.mark.parametrize("label", sorted(PERSONAL_LABELS))
def test_each_personal_label_has_a_french_reason(label: str) -> None:
    text = "valeur fictive ABC123"
    reasons, level = assess(text, [finding(text, "ABC123", label)])
    [reason] = reasons
    assert reason.category == label.lower()
    assert reason.label_fr == LABELS_FR[label]
    assert level is (Level.SENSIBLE if label in ("NIR", "NIR_LIKE") else Level.PERSONNEL)


def test_reasons_never_contain_the_values() -> None:
    text = (
        "DIFFUSION RESTREINTE\nMme Roseline Quenard, née le 3 mars 1971, joignable au "
        "06 12 34 56 78, est hospitalisée ; elle est syndiquée et de confession juive."
    )
    values = ["Roseline Quenard", "3 mars 1971", "06 12 34 56 78"]
    findings = [
        finding(text, values[0], "PERSON"),
        finding(text, values[1], "BIRTH_DATE"),
        finding(text, values[2], "PHONE"),
    ]
    reasons, level = assess(text, findings)
    assert level is Level.DIFFUSION_RESTREINTE
    assert len(reasons) == 7
    for reason in reasons:
        for field in (reason.category, reason.label_fr, str(reason.count), repr(reason)):
            for value in [*values, "Quenard", "Roseline", "hospitalisée", "juive"]:
                assert value not in field


# --- lexicons -------------------------------------------------------------------------------


def test_every_lexicon_entry_is_reachable() -> None:
    # Each cue, written alone in a sentence about someone, must be found as its category: an
    # entry hidden by another (or by an exclusion) would silently never count.
    missing = []
    for entry in load_lexicons(*CATEGORIES):
        if entry.exclusion:
            continue
        surface = entry.term.replace("*", "")
        text = f"Mme Exemple : {surface.upper() if entry.upper else surface}."
        if entry.category not in categories_of(text):
            missing.append(entry.where)
    assert missing == []


def test_find_cues_merges_categories_and_markings_in_text_order() -> None:
    text = "Il est hospitalisé.\n\nDIFFUSION RESTREINTE"
    cues = find_cues(text)
    assert [(c.category, text[c.start : c.end]) for c in cues] == [
        ("sante", "hospitalisé"),
        ("marquage_dr", "DIFFUSION RESTREINTE"),
    ]
