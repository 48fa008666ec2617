"""Protection markings, text folding and the linear-time guarantee of the sensitivity scan."""

from __future__ import annotations

import time

import pytest

from egide.guard.sensitive import MARKINGS, assess, find_cues, marking_cues
from egide.guard.sensitive.folding import fold
from egide.guard.sensitive.lexicon import Lexicon, LexiconError, parse_lexicon
from egide.policy.levels import Level

POSITIVES = [
    # Diffusion Restreinte: the phrase anywhere, « DR » only in a stamp-like form.
    ("marquage_dr", "DIFFUSION RESTREINTE\n\nNote pour M. le préfet", "DIFFUSION RESTREINTE"),
    ("marquage_dr", "Diffusion restreinte – ne pas transmettre", "Diffusion restreinte"),
    ("marquage_dr", "Ce rapport relève de la diffusion restreinte.", "diffusion restreinte"),
    ("marquage_dr", "– DR –\nCompte rendu de la réunion du 3 mai", "DR"),
    ("marquage_dr", "DR\nObjet : réorganisation des services", "DR"),
    ("marquage_dr", "Niveau de protection : DR", "DR"),
    ("marquage_dr", "Compte rendu\nPage 2/5 — DR", "DR"),
    # Spécial France
    ("mention_special_france", "SPÉCIAL FRANCE\nObjet : coopération", "SPÉCIAL FRANCE"),
    ("mention_special_france", "Diffusion restreinte – Spécial France", "Spécial France"),
    ("mention_special_france", "Document portant la mention spécial France.", "spécial France"),
    # Secret
    ("classification_secret", "SECRET\n\nObjet : dispositif de sécurité", "SECRET"),
    ("classification_secret", "*** SECRET ***\nNote", "SECRET"),
    ("classification_secret", "Ce document est classifié Secret.", "Secret"),
    ("classification_secret", "Niveau de classification : secret", "secret"),
    ("classification_secret", "SECRET DÉFENSE", "SECRET DÉFENSE"),
    ("classification_secret", "Annexe Secret Défense jointe", "Secret Défense"),
    ("classification_secret", "Le rapport a été classé secret-défense en 2019.", "secret-défense"),
    ("classification_secret", "Rapport SECRET sur le dispositif", "SECRET"),
    # Très Secret
    ("classification_tres_secret", "TRÈS SECRET\nObjet : plan", "TRÈS SECRET"),
    ("classification_tres_secret", "Très Secret Défense", "Très Secret Défense"),
    ("classification_tres_secret", "TRES SECRET DEFENSE", "TRES SECRET DEFENSE"),
    ("classification_tres_secret", "Pièce classifiée très secret", "très secret"),
    # Confidentiel Défense (former level)
    ("classification_confidentiel_defense", "CONFIDENTIEL DÉFENSE", "CONFIDENTIEL DÉFENSE"),
    ("classification_confidentiel_defense", "Annexe Confidentiel Défense", "Confidentiel Défense"),
    # Confidentiel
    ("mention_confidentiel", "CONFIDENTIEL\nObjet : situation de l'agent", "CONFIDENTIEL"),
    ("mention_confidentiel", "Confidentiel\n\nMadame, Monsieur,", "Confidentiel"),
    ("mention_confidentiel", "À remettre sous pli confidentiel.", "confidentiel"),
    ("mention_confidentiel", "Personnel et confidentiel", "confidentiel"),
    ("mention_confidentiel", "Confidentiel personnel – pour Mme la directrice", "Confidentiel"),
    ("mention_confidentiel", "Note confidentielle", "confidentielle"),
]


@pytest.mark.parametrize(("code", "text", "marked"), POSITIVES)
def test_marking_is_found(code: str, text: str, marked: str) -> None:
    found = [(c, text[start:end]) for c, start, end in marking_cues(text)]
    assert (code, marked) in found
    reasons, level = assess(text, [])
    expected_level, label = MARKINGS[code]
    assert level is max(expected_level, *(r.level for r in reasons))
    assert any(r.category == code and r.label_fr == label for r in reasons)


NEGATIVES = [
    "La DR Occitanie a transmis son rapport annuel.",
    "Le Dr Martin a reçu l'agent en consultation.",
    "Contactez la direction régionale (DR) pour tout renseignement.",
    "La DRH et la DREAL se réuniront mardi.",
    "Un envoyé spécial en France a couvert l'événement.",
    "Le secret médical s'impose à tous les soignants.",
    "LE SECRET MÉDICAL",
    "Les agents sont tenus au secret professionnel.",
    "Le secret de l'instruction a été rappelé aux enquêteurs.",
    "Le secret des correspondances est garanti par la loi.",
    "La secrétaire générale de la préfecture signe la décision.",
    "Le secrétariat est ouvert le matin.",
    "Elle a gardé le secret sur cette affaire.",
    "Ce projet reste très secret.",
    "Le secret-défense a été levé par la ministre.",
    "Les informations confidentielles ne doivent pas être divulguées.",
    "Un entretien confidentiel a eu lieu avec la cheffe de service.",
    "La confidentialité des échanges est garantie.",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_near_miss_is_not_a_marking(text: str) -> None:
    assert marking_cues(text) == []
    assert assess(text, []) == ([], Level.INTERNE)


def test_marking_levels() -> None:
    assert assess("– DR –\nNote", [])[1] is Level.DIFFUSION_RESTREINTE
    assert assess("SECRET\nNote", [])[1] is Level.CLASSIFIE
    assert assess("Sous pli confidentiel", [])[1] is Level.SENSIBLE
    header_and_footer = "DIFFUSION RESTREINTE\nTexte de la note.\nDIFFUSION RESTREINTE"
    assert assess(header_and_footer, [])[0][0].count == 2


# --- folding --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded", "in_place"),
    [
        ("Élève ÂGÉ", "eleve age", True),
        ("l’été — « ok »", "l'ete - « ok »", True),
        ("a\u00a0b\u202fc", "a b c", True),
        ("e\u0301te\u0301", "ete", False),
        ("Straße", "strasse", False),
        ("ﬁn", "fin", False),
    ],
)
def test_fold(text: str, folded: str, in_place: bool) -> None:
    result = fold(text)
    assert result.text == folded
    assert (result.origins is None) is in_place
    assert result.span_in_original(0, len(result.text)) == (0, len(text))


# --- lexicon syntax -------------------------------------------------------------------------


@pytest.mark.parametrize("line", ["~", "a * b", "mot*mot", "=", "trop " * 9])
def test_malformed_lexicon_line_is_refused(line: str) -> None:
    with pytest.raises(LexiconError, match="illisible"):
        parse_lexicon("essai", line)


def test_duplicate_lexicon_entry_is_refused() -> None:
    entries = parse_lexicon("essai", "arrêt maladie\n~arret-maladie\n")
    with pytest.raises(LexiconError, match="figure déjà"):
        Lexicon(entries)


def test_lexicon_prefers_the_longest_entry_and_honours_flags() -> None:
    lexicon = Lexicon(parse_lexicon("essai", "garde à vue\nen garde à vue\nhospitalis*\n=ALD"))
    text = "Placé en garde à vue puis hospitalisations ; ald ; ALD."
    folded = fold(text)
    found = [folded.text[m.start : m.end] for m in lexicon.matches(folded)]
    assert found == ["en garde a vue", "hospitalisations", "ald"]


# --- linear time ----------------------------------------------------------------------------

ADVERSARIAL = [
    "a" * 200_000,
    "secret " * 30_000,
    "- DR -\n" * 30_000,
    "hospitalisationnnnnnnnnnnnnnnnnnnnnnnnnnnnnn " * 5_000,
    "garde     " * 20_000,
    "il est " * 30_000,
    "Mme " * 50_000,
    "." * 200_000,
    "\n" * 200_000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda t: repr(t[:12]))
def test_adversarial_input_is_scanned_quickly(text: str) -> None:
    started = time.perf_counter()
    find_cues(text)
    assert time.perf_counter() - started < 5.0
