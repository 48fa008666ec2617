"""Reading an incoming letter for its reply, placing values on a template's fields, and the
search of decrypted texts: table-driven, on fictitious letters."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.documents import read_document_bytes
from egide.guard import shared_guard
from egide.tasks.templates import load_templates
from egide.tasks.templates.parse import parse_template
from egide.workspace.letters import LETTER_SPELLINGS, read_letter
from egide.workspace.prefill import Prefill
from egide.workspace.textsearch import Needle

USAGER = """Amélie ROUSSEAU
14 bis avenue de la Gloire
31000 Toulouse

Toulouse, le 3 mars 2025

Objet : demande de renouvellement de titre de séjour
Réf. : dossier n° 2025-0042

Je soussignée Madame Amélie ROUSSEAU, née le 14 juillet 1986, sollicite le renouvellement.

Amélie ROUSSEAU
"""
MONSIEUR = """M. Karim BENSAÏD
7 rue des Acacias
69003 Lyon

Lyon, le 12/01/2026

Objet : recours gracieux contre un refus de naturalisation

Monsieur le Préfet, je conteste la décision. Karim BENSAÏD
"""
NOTHING = "Bonjour,\n\nMerci pour votre accueil de la semaine dernière.\n"


@pytest.mark.parametrize(
    ("letter", "expected"),
    [
        (
            USAGER,
            {
                "civilite": "Madame",
                "prenom": "Amélie",
                "nom": "ROUSSEAU",
                "adresse": "14 bis avenue de la Gloire, 31000 Toulouse",
                "objet": "demande de renouvellement de titre de séjour",
                "demande": "demande de renouvellement de titre de séjour",
                "date_demande": "03/03/2025",  # the letter's date, not the birth date
                "numero_dossier": "2025-0042",
                "references": "Votre courrier du 03/03/2025, dossier n° 2025-0042",
            },
        ),
        (
            MONSIEUR,
            {
                "civilite": "Monsieur",
                "prenom": "Karim",
                "nom": "BENSAÏD",
                "adresse": "7 rue des Acacias, 69003 Lyon",
                "objet": "recours gracieux contre un refus de naturalisation",
                "date_demande": "12/01/2026",
                "references": "Votre courrier du 12/01/2026",
            },
        ),
        (NOTHING, {}),
    ],
    ids=["usagere", "usager", "rien"],
)
def test_what_a_letter_says(letter: str, expected: dict[str, str]) -> None:
    document = read_document_bytes(letter.encode(), name="courrier.txt")
    assert read_letter(document, shared_guard()).values == expected


def test_the_letter_beats_the_profile_and_choices_are_respected(tmp_path: Path) -> None:
    template = load_templates(tmp_path).get("accuse-reception")
    prefill = Prefill.build(
        template,
        profile={"administration": "PRÉFECTURE", "signataire_nom": "Martin"},
        letter={"civilite": "Mademoiselle", "nom": "ROUSSEAU", "adresse": "1 rue X"},
        letter_spellings=LETTER_SPELLINGS,
    )
    assert prefill.values["administration"] == "PRÉFECTURE"
    assert prefill.values["nom"] == "ROUSSEAU" and "nom" in prefill.from_letter
    assert prefill.values["civilite"] == ""  # not one of the template's choices
    assert prefill.values["delai_instruction"] == "deux mois"  # the template's default stays
    assert prefill.from_profile == {"administration", "signataire_nom"}


def test_an_administrator_s_template_is_matched_by_its_labels(tmp_path: Path) -> None:
    path = tmp_path / "note-breve.md"
    path.write_text(
        """+++
titre = "Réponse brève"
categorie = "courrier_usager"

[[champs]]
nom = "qui_signe"
libelle = "Nom du signataire"

[[champs]]
nom = "redacteur"
libelle = "Rédacteur (fonction, prénom et nom)"

[[champs]]
nom = "usager"
libelle = "Nom de l'usager"
+++
{{ usager }} — {{ qui_signe }} — {{ redacteur }}
""",
        encoding="utf-8",
    )
    template = parse_template(path.read_text(encoding="utf-8"), path)
    prefill = Prefill.build(
        template,
        profile={
            "signataire_nom": "Martin",
            "signataire_prenom": "Claire",
            "signataire_fonction": "La cheffe du bureau",
        },
        letter={"nom": "ROUSSEAU"},
        letter_spellings=LETTER_SPELLINGS,
    )
    assert prefill.values == {
        "qui_signe": "Martin",
        "redacteur": "La cheffe du bureau, Claire MARTIN",
        "usager": "ROUSSEAU",
    }


@pytest.mark.parametrize(
    ("query", "text", "snippet"),
    [
        ("helene", "Courrier de Mme Hélène Dupont.", "Courrier de Mme Hélène Dupont."),
        ("L’ARRÊTÉ", "Voir l'arrete du 3 mars.", "Voir l'arrete du 3 mars."),
        ("titre de séjour", "un titre de\n\nséjour", "un titre de séjour"),
        ("absent", "Rien ici.", None),
    ],
)
def test_the_search_ignores_case_accents_apostrophes_and_spacing(
    query: str, text: str, snippet: str | None
) -> None:
    assert Needle(query).snippet(text) == snippet


def test_a_snippet_is_cut_at_words_around_the_match() -> None:
    text = "début " + "mot " * 60 + "CIBLE " + "suite " * 60 + "fin"
    snippet = Needle("cible").snippet(text)
    assert snippet is not None and snippet.startswith("…") and snippet.endswith("…")
    assert "CIBLE" in snippet and len(snippet) < 200 and " mo " not in snippet
