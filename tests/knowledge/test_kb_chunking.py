"""Passages cut along the structure: titles, articles, pages, list items, long paragraphs."""

from __future__ import annotations

from egide.documents import Document, DocumentFormat
from egide.documents.model import TextBuilder
from egide.knowledge.chunking import chunk_document, document_title

WORDS = "Le dossier est instruit par le service compétent dans les délais réglementaires. "


def _document(parts: list[tuple[str, int | None, str | None]], fmt=DocumentFormat.TXT) -> Document:
    builder = TextBuilder("note.txt")
    for text, page, heading in parts:
        builder.add(text, page=page, heading=heading)
    return builder.build(fmt)


def test_the_first_line_is_the_title_and_goes_in_no_passage() -> None:
    document = _document(
        [("Carte grise : changement d'adresse", None, None), (WORDS * 3, None, None)]
    )
    title, chunks = chunk_document(document)
    assert title == document_title(document) == "Carte grise : changement d'adresse"
    assert len(chunks) == 1 and "Carte grise" not in chunks[0].text


def test_a_passage_never_spans_two_pages() -> None:
    document = _document(
        [("Circulaire", 1, None), (WORDS * 4, 1, None), (WORDS * 4, 2, None), (WORDS * 4, 3, None)],
        DocumentFormat.PDF,
    )
    _, chunks = chunk_document(document, passage_words=400)
    assert [c.page for c in chunks] == [1, 2, 3]


def test_headings_and_articles_start_passages_that_keep_their_heading() -> None:
    document = _document(
        [
            ("Règlement intérieur", None, None),
            ("Accueil du public", None, None),
            (WORDS * 6, None, None),
            ("Article 2 - Horaires. " + WORDS * 6, None, None),
            ("Conservation des dossiers", None, None),
            (WORDS * 6, None, None),
        ]
    )
    _, chunks = chunk_document(document, passage_words=80)
    assert [c.heading for c in chunks] == [
        "Accueil du public",
        "Accueil du public",
        "Conservation des dossiers",
    ]
    assert chunks[1].text.startswith("Article 2")


def test_markdown_headings_are_headings() -> None:
    text = "# Guide\n\n## Dépôt de la demande\n\n" + WORDS * 8 + "\n\n## Recours\n\n" + WORDS * 8
    builder = TextBuilder("guide.md")
    for paragraph in text.split("\n\n"):
        builder.add(paragraph)
    _, chunks = chunk_document(builder.build(DocumentFormat.TXT), passage_words=80)
    assert [c.heading for c in chunks] == ["Dépôt de la demande", "Recours"]
    assert not any(c.text.startswith("#") for c in chunks)


def test_a_long_paragraph_is_cut_between_sentences_within_the_limit() -> None:
    document = _document([("Titre", None, None), (WORDS * 60, None, None)])
    _, chunks = chunk_document(document, passage_words=100)
    assert len(chunks) > 5
    assert all(len(c.text.split()) <= 140 for c in chunks)
    assert all(c.text.rstrip().endswith(".") for c in chunks)


def test_list_items_stay_with_their_introduction() -> None:
    document = _document(
        [
            ("Pièces à fournir", None, None),
            ("Vous devez fournir :\n- une photo\n- un justificatif", None, None),
        ]
    )
    _, chunks = chunk_document(document)
    assert len(chunks) == 1 and "- une photo" in chunks[0].text
