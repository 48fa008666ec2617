"""The built-in extractive engine: summaries that keep the point, with their sources."""

import pytest

from egide.models import GenerationRequest, Message, ModelError
from egide.models.base import SourceText
from egide.models.local import LocalBackend
from egide.models.local.answer import rank_passages
from egide.models.local.summarizer import format_summary, summarize
from egide.models.local.text import split_sentences

DECISION = SourceText(
    "Objet : demande de renouvellement du titre de séjour de [PERSONNE_1].\n"
    "Madame, vous avez sollicité le 3 mars 2025 le renouvellement de votre titre de séjour "
    "portant la mention salarié. Votre dossier a été examiné par le bureau de l'immigration "
    "et de l'intégration. Le bureau a reçu votre dossier complet dans les délais. "
    "Il ressort de l'instruction que votre contrat de travail a pris fin le 31 décembre 2024. "
    "En conséquence, les conditions de délivrance d'un titre portant la mention salarié ne sont "
    "plus remplies et je refuse le renouvellement demandé. Toutefois, vous pouvez solliciter un "
    "titre de séjour portant la mention recherche d'emploi dans un délai de deux mois. "
    "Je vous prie d'agréer, Madame, l'expression de mes salutations distinguées.",
    page=1,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "M. [PERSONNE_1] est venu. Il est reparti.",
            ["M. [PERSONNE_1] est venu.", "Il est reparti."],
        ),
        ("Voir art. 12 du décret. Fin.", ["Voir art. 12 du décret.", "Fin."]),
        ("Le Dr. Martin a signé. Suite.", ["Le Dr. Martin a signé.", "Suite."]),
        (
            "Décide :\n- d'accorder ;\n- de notifier.",
            ["Décide :", "- d'accorder ;", "- de notifier."],
        ),
        ("Premier paragraphe\n\nSecond paragraphe", ["Premier paragraphe", "Second paragraphe"]),
    ],
)
def test_sentence_splitting_knows_french_abbreviations(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == expected


def test_short_summary_keeps_the_decision_and_drops_the_politeness_formula() -> None:
    lines = summarize([DECISION], length="court")
    summary = " ".join(line.text for line in lines)
    assert "je refuse le renouvellement" in summary
    assert "salutations distinguées" not in summary
    assert len(summary) < len(DECISION.text)
    assert all(line.page == 1 for line in lines)


def test_placeholders_survive_summarisation() -> None:
    summary = format_summary(summarize([DECISION], length="page"), length="page")
    assert "[PERSONNE_1]" in summary
    assert "(p. 1)" in summary


def test_long_document_is_summarised_across_all_its_pages() -> None:
    filler = (
        "Le service a procédé aux vérifications habituelles sur le dossier numéro {n} "
        "et consigné les observations de l'agent instructeur dans le registre."
    )
    pages = []
    for page in range(1, 41):
        sentences = [filler.format(n=page * 10 + i) for i in range(8)]
        sentences.append(
            f"Pour la page {page}, il est décidé d'attribuer la subvention numéro {page} "
            f"à la commune concernée, pour un montant de {page * 1000} euros."
        )
        pages.append(SourceText(" ".join(sentences), page=page))
    lines = summarize(pages, length="page")
    covered = {line.page for line in lines}
    assert len(covered) >= 8  # the map step gives every part of the document a say
    assert max(covered) > 30 and min(covered) < 10
    assert sum("décidé" in line.text for line in lines) >= len(lines) // 2


def test_empty_document_says_so_in_french() -> None:
    assert "ne contient pas de texte" in format_summary(summarize([SourceText("")]))


def test_bm25_ranks_the_passage_that_answers() -> None:
    passages = [
        "Le titre de séjour est délivré pour une durée d'un an.",
        "La cantine est ouverte de midi à quatorze heures.",
        "Le renouvellement du titre doit être demandé deux mois avant son expiration.",
    ]
    ranked = rank_passages("Quand demander le renouvellement du titre ?", passages)
    assert ranked[0][0] == 2
    assert 1 not in [i for i, _ in ranked]


def test_backend_serves_summaries_answers_and_rendered_drafts() -> None:
    backend = LocalBackend()
    summary = backend.complete(
        GenerationRequest(
            task="summarize", messages=(), sources=[DECISION], options={"length": "court"}
        )
    )
    assert "refuse" in summary
    answer = backend.complete(
        GenerationRequest(
            task="chat",
            messages=[Message("user", "Quel délai pour la mention recherche d'emploi ?")],
            sources=[DECISION],
        )
    )
    assert "deux mois" in answer
    draft = "Madame,\nNous accusons réception de votre demande.\n"
    request = GenerationRequest(task="draft", messages=(), options={"rendered": draft})
    assert "".join(backend.stream(request)) == draft
    with pytest.raises(ModelError, match="modèle de document"):
        backend.complete(GenerationRequest(task="draft", messages=()))


def test_pdf_line_wrapping_and_page_breaks_do_not_cut_sentences() -> None:
    page_one = (
        "Chapitre 1 : bilan de l'année\n"
        "Le service a instruit quatre cents dossiers au cours de la période, soit une hausse\n"
        "de douze pour cent. Les délais moyens de traitement des demandes s'établissent à\n"
        "trente jours pour les titres de séjour. Il ressort de l'analyse que les effectifs\n"
        "affectés à l'accueil"
    )
    page_two = "restent insuffisants pour absorber la demande.\nLa mission recommande un renfort."
    sentences = [
        line.text
        for line in summarize(
            [SourceText(page_one, page=1), SourceText(page_two, page=2)], length="detaille"
        )
    ]
    assert "Chapitre 1 : bilan de l'année" not in " ".join(
        s for s in sentences if "Le service" in s
    )
    assert any(
        s.startswith("Il ressort") and s.endswith("absorber la demande.") for s in sentences
    ), sentences
    assert any(
        s.startswith("Le service a instruit") and s.endswith("douze pour cent.") for s in sentences
    )
