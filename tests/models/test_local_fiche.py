"""The built-in engine's fiche de synthèse, on letters as the pipeline hands them over
(pseudonymised, by paragraph or by page): every heading found in the document's own sentences,
and nothing an agent would have to delete before forwarding it."""

from __future__ import annotations

import re

import pytest

from egide.models import GenerationRequest
from egide.models.base import SourceText
from egide.models.local import LocalBackend
from egide.models.local.synthesis import EXTRACTS_NOTICE, synthesis
from tests.models.letters import GRANT_DECISION, SCANNED_CIRCULAR_PAGES, pages, paragraphs


def _section(fiche: str, heading: str) -> str:
    """The lines under ``## heading``, up to the next heading or blank line."""
    match = re.search(rf"^## {re.escape(heading)}\n((?:.+\n?)*)", fiche, re.MULTILINE)
    return match.group(1) if match else ""


def _field(fiche: str, label: str) -> str:
    match = re.search(rf"^\*\*{re.escape(label)}\*\* : (.*)$", fiche, re.MULTILINE)
    return match.group(1) if match else ""


@pytest.fixture(scope="module")
def grant() -> str:
    return synthesis(paragraphs(GRANT_DECISION, "decision-subvention.docx"), length="page")


def test_the_head_of_the_fiche_says_what_who_to_whom_and_when(grant: str) -> None:
    assert grant.startswith("# Fiche de synthèse — « decision-subvention.docx »\n")
    assert _field(grant, "Objet") == (
        "attribution d'une subvention au titre du fonds de soutien aux associations (§ 5)"
    )
    assert _field(grant, "Date") == "Bordeaux, le 14 mars 2025 (§ 2)"
    assert _field(grant, "Références").startswith("votre demande du 3 février 2025, dossier")
    sender = _field(grant, "Émetteur")
    assert sender.startswith("PRÉFECTURE DE LA GIRONDE, Direction de la citoyenneté")
    assert "Pour le préfet et par délégation, Le secrétaire général, [PERSONNE_1]" in sender
    assert _field(grant, "Destinataires") == (
        "Monsieur le Président de l'association Les Amis du Port (§ 4)"
    )


def test_decisions_dates_amounts_enclosures_and_cautions_are_sorted_out(grant: str) -> None:
    decisions = _section(grant, "Décisions et demandes")
    assert "j'ai décidé de vous accorder une subvention de 12 500 euros" in decisions
    assert "Je vous demande de me retourner la convention signée avant le 30 avril 2025" in (
        decisions
    )
    dates = _section(grant, "Dates et délais")
    assert "avant le 30 avril 2025" in dates and "dans un délai de deux mois" in dates
    assert "12 500 euros" in _section(grant, "Montants")
    enclosed = _section(grant, "Pièces")
    assert "…signature de la convention ci-jointe… (§ 9)" in enclosed
    assert "- Convention de financement (2 exemplaires) (§ 15)" in enclosed
    attention = _section(grant, "Points d'attention")
    assert "la subvention sera annulée" in attention
    assert "recours devant le tribunal administratif" in attention
    # Every line cites where it comes from.
    for line in grant.splitlines():
        if line.startswith("- "):
            assert re.search(r"\(§ \d+\)$", line), line


def test_politeness_salutation_and_signature_stay_out_of_the_content(grant: str) -> None:
    assert "considération distinguée" not in grant
    assert "Monsieur le Président," not in grant
    body = grant.split("## Décisions et demandes", 1)[1]
    assert "Le secrétaire général" not in body and "[PERSONNE_1]" not in body
    assert grant.endswith(EXTRACTS_NOTICE)


def test_a_poor_scan_gives_a_clean_fiche() -> None:
    fiche = synthesis(pages(SCANNED_CIRCULAR_PAGES, "circulaire-scannee.pdf"), length="court")
    # Debris of the stamp, the signature scribble, the page numbers and the running header.
    for debris in ("c 7", "/ku", "P) 1.", "1/2", "2/2", "Service de la coordination"):
        assert debris not in fiche, debris
    assert "\na\n" not in fiche and "\nà\n" not in fiche
    # OCR's misreadings repaired; the list kept with its lead-in, bullets restored.
    decisions = _section(fiche, "Décisions et demandes")
    assert decisions.startswith(
        "- À ce titre, les services sont invités à privilégier par ordre de préférence : (p. 1)\n"
        "  - la prise de rendez-vous en ligne ;\n"
        "  - l'accueil téléphonique ;\n"
        "  - le guichet, pour les seules démarches qui l'exigent.\n"
    )
    # A line cut after "avant" continues on the next: one sentence, the date in it.
    assert "relayer cette information auprès de vos administrés avant le 15 mai 2025. (p. 2)" in (
        decisions
    )
    assert "Une vigilance particulière doit être portée" in _section(fiche, "Points d'attention")
    assert "1,2 million d'euros" in _section(fiche, "Montants")
    assert _field(fiche, "Objet") == (
        "Organisation de l'accueil des usagers pendant les travaux du batiment B. (p. 1)"
    )
    assert _field(fiche, "Émetteur").startswith("Le préfet du Rhône ; Pour le préfet et par")
    assert "Sans élément dans le document : pièces." in fiche


def test_a_sentence_cut_by_a_page_break_is_quoted_whole_from_its_first_page() -> None:
    first = "Objet : renouvellement.\n\nLe service a constaté que les délais de traitement"
    second = "restent supérieurs à deux mois pour les titres de séjour.\nFin du rapport annuel."
    fiche = synthesis(
        [SourceText(first, page=1, document="r.pdf"), SourceText(second, page=2, document="r.pdf")],
        length="page",
    )
    assert (
        "Le service a constaté que les délais de traitement restent supérieurs à deux mois pour "
        "les titres de séjour. (p. 1)"
    ) in fiche


def test_one_fiche_per_document_each_under_its_name() -> None:
    sources = [
        *paragraphs(GRANT_DECISION, "decision.docx"),
        *pages(SCANNED_CIRCULAR_PAGES, "circulaire.pdf"),
    ]
    fiche = synthesis(sources, length="court")
    assert fiche.count("# Fiche de synthèse") == 2
    assert fiche.index("# Fiche de synthèse — « decision.docx »") < fiche.index(
        "# Fiche de synthèse — « circulaire.pdf »"
    )
    assert fiche.count(EXTRACTS_NOTICE) == 1


def test_the_lengths_grow_and_a_short_fiche_keeps_at_most_three_items_a_heading() -> None:
    sources = paragraphs(GRANT_DECISION, "d.docx")
    short, page = synthesis(sources, length="court"), synthesis(sources, length="page")
    assert len(short) <= len(page)
    for heading in ("Décisions et demandes", "Dates et délais", "Points d'attention"):
        assert _section(short, heading).count("\n- ") + 1 <= 3


def test_the_backend_answers_a_summary_with_the_fiche() -> None:
    request = GenerationRequest(
        task="summarize",
        messages=(),
        sources=paragraphs(GRANT_DECISION, "d.docx"),
        options={"length": "court"},
    )
    text = "".join(LocalBackend().stream(request))
    assert text.startswith("# Fiche de synthèse — « d.docx »")
    assert "## Décisions et demandes" in text


def test_a_document_without_text_says_so() -> None:
    assert synthesis([SourceText("  \n ")]) == "Le document ne contient pas de texte à résumer."


def test_a_wrapped_line_with_few_letters_is_the_end_of_its_sentence_not_debris() -> None:
    page = (
        "Objet : bilan annuel du service.\n"
        "Le service a instruit 1 265 dossiers au cours de la période, soit une hausse\n"
        "de 12 %.\n"
        "Il convient de prévoir une évaluation intermédiaire au terme de l'année."
    )
    fiche = synthesis([SourceText(page, page=1, document="bilan.pdf")], length="page")
    assert "soit une hausse de 12 %. (p. 1)" in fiche
    assert "hausse Il convient" not in fiche
