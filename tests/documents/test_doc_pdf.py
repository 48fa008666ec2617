from __future__ import annotations

import pytest
from doc_fixtures import ACCENTED, encrypted_pdf, text_pdf
from pdf_builder import build_pdf, paginate

from egide.documents import DocumentError, DocumentFormat, DocumentProblem, read_document_bytes
from egide.documents.pdf import (
    SCANNED_MESSAGE,
    _pages_with_pdfium,
    _pages_with_pypdf,
    french_page_list,
)


def test_text_pdf_is_read_page_by_page_with_accents() -> None:
    document = read_document_bytes(text_pdf(3), name="compte-rendu.pdf")
    assert document.format is DocumentFormat.PDF
    assert document.warnings == ()
    assert [section.page for section in document.sections] == [1, 2, 3]
    assert all(section.paragraph is None for section in document.sections)
    for number, section in enumerate(document.sections, start=1):
        page_text = document.section_text(section)
        assert page_text.startswith(f"Page {number} : la Préfecture a déclaré")
        assert f"bilan numéro {number}." in page_text
    for word in ACCENTED:
        assert word in document.text


def test_typographic_characters_survive_winansi() -> None:
    line = "L’œuvre « Hôpital » coûte 12 € – déclaré"
    document = read_document_bytes(build_pdf([line]), name="typo.pdf")
    assert document.text == line


def test_long_pdf_keeps_every_page() -> None:
    paragraph = "La Préfecture a déclaré que l'Hôpital restera ouvert pendant les travaux. " * 8
    pages = paginate("\n\n".join([paragraph] * 800))[:100]
    assert len(pages) == 100
    document = read_document_bytes(build_pdf(pages), name="rapport.pdf")
    assert len(document.sections) == 100
    assert document.sections[-1].page == 100
    assert document.text.count("Hôpital") == sum(page.count("Hôpital") for page in pages)


def test_scanned_pdf_is_refused_with_ocr_advice() -> None:
    with pytest.raises(DocumentError) as caught:
        read_document_bytes(build_pdf([None, None, None]), name="scan.pdf")
    assert caught.value.problem is DocumentProblem.SCANNED
    assert SCANNED_MESSAGE in str(caught.value)
    assert "« scan.pdf »" in str(caught.value)


@pytest.mark.parametrize(
    ("pages", "readable", "warning"),
    [
        (["Préfecture : texte lisible", None], ["Préfecture : texte lisible"], "la page 2 "),
        (
            [None, "Hôpital : texte lisible", None, None, None, "fin du rapport déclaré"],
            ["Hôpital : texte lisible", "fin du rapport déclaré"],
            "les pages 1 et 3 à 5 ",
        ),
    ],
)
def test_partly_scanned_pdf_reads_the_rest_and_names_the_pages(
    pages: list[str | None], readable: list[str], warning: str
) -> None:
    document = read_document_bytes(build_pdf(pages), name="mixte.pdf")
    assert [document.section_text(section) for section in document.sections] == readable
    expected_pages = [number for number, page in enumerate(pages, start=1) if page]
    assert [section.page for section in document.sections] == expected_pages
    assert len(document.warnings) == 1
    assert document.warnings[0].startswith(warning)
    assert "reconnaissance de caractères" in document.warnings[0]


def test_short_text_on_a_page_without_image_is_not_a_scan() -> None:
    document = read_document_bytes(
        build_pdf(["Annexe", "Le texte de l'annexe suit."]), name="a.pdf"
    )
    assert document.text == "Annexe\n\nLe texte de l'annexe suit."
    assert document.warnings == ()


def test_pdf_with_blank_pages_only_is_empty_not_a_scan() -> None:
    with pytest.raises(DocumentError) as caught:
        read_document_bytes(build_pdf(["", ""]), name="vide.pdf")
    assert caught.value.problem is DocumentProblem.EMPTY
    assert str(caught.value) == "le PDF « vide.pdf » ne contient aucun texte"


def test_pdf_protected_by_a_password_is_refused() -> None:
    with pytest.raises(DocumentError) as caught:
        read_document_bytes(encrypted_pdf(user_password="secret"), name="protégé.pdf")
    assert caught.value.problem is DocumentProblem.ENCRYPTED
    assert "protégé par un mot de passe" in str(caught.value)


def test_pdf_with_only_an_owner_password_opens() -> None:
    document = read_document_bytes(encrypted_pdf(user_password=""), name="restreint.pdf")
    assert "la Préfecture a déclaré" in document.text
    assert len(document.sections) == 2


@pytest.mark.parametrize("keep", [0.05, 0.3, 0.6, 0.9])
def test_truncated_pdf_is_reported_as_damaged(keep: float) -> None:
    data = text_pdf(4)
    with pytest.raises(DocumentError) as caught:
        read_document_bytes(data[: int(len(data) * keep)], name="rapport.pdf")
    assert caught.value.problem is DocumentProblem.CORRUPT
    assert str(caught.value) == (
        "le fichier « rapport.pdf » est endommagé ou n'est pas un PDF valide"
    )


def test_pypdf_fallback_reads_the_same_pages() -> None:
    data = build_pdf(["La Préfecture a déclaré.", None, "L'Hôpital aussi."])
    primary = _pages_with_pdfium(data, "a.pdf")
    fallback = _pages_with_pypdf(data, "a.pdf")
    assert [(p.number, p.has_image) for p in fallback] == [(1, False), (2, True), (3, False)]
    assert [p.text.strip() for p in fallback] == [p.text.strip() for p in primary]


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ([4], "4"),
        ([2, 3], "2 et 3"),
        ([1, 2, 3], "1 à 3"),
        ([1, 3, 5], "1, 3 et 5"),
        ([2, 3, 4, 7, 9, 10, 11, 12], "2 à 4, 7 et 9 à 12"),
    ],
)
def test_french_page_list(numbers: list[int], expected: str) -> None:
    assert french_page_list(numbers) == expected
