"""The guard on multi-page documents: every value found, on the right page, whatever the format."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.documents import read_document, write_docx
from egide.guard import Guard
from tests.documents.pdf_builder import build_pdf

FILLER = (
    "Le service instructeur a examiné les pièces du dossier et consigné ses observations dans "
    "le registre prévu à cet effet, conformément à la procédure en vigueur.\n"
) * 12

# (page, text holding a value, value, label) — fictitious people, valid check keys.
PAGES = [
    (1, "Dossier suivi par Mme Claire FONTAINE, bureau du séjour.", "Claire FONTAINE", "PERSON"),
    (3, "NIR de l'intéressé : 1 84 12 75 108 123 47.", "1 84 12 75 108 123 47", "NIR"),
    (
        5,
        "Versement sur le compte FR76 3000 6000 0112 3456 7890 189.",
        "FR76 3000 6000 0112 3456 7890 189",
        "IBAN",
    ),
    (
        7,
        "Le requérant demeure 14 bis avenue de la Gloire, 31500 Toulouse.",
        "14 bis avenue de la Gloire, 31500 Toulouse",
        "ADDRESS",
    ),
    (9, "Contact : 05 34 45 34 45 ou amelie.rousseau@example.org.", "05 34 45 34 45", "PHONE"),
    (12, "Fait à Toulouse. Le préfet,\nPhilippe GARNIER", "Philippe GARNIER", "PERSON"),
]


def _pages() -> list[str]:
    pages = [FILLER for _ in range(12)]
    for page, text, _value, _label in PAGES:
        pages[page - 1] = FILLER[:400] + "\n" + text + "\n" + FILLER[:400]
    return pages


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard()


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_values_are_found_on_their_page_or_paragraph(
    tmp_path: Path, guard: Guard, fmt: str
) -> None:
    pages = _pages()
    path = tmp_path / f"dossier.{fmt}"
    if fmt == "pdf":
        path.write_bytes(build_pdf(pages, title="Dossier"))
    else:
        write_docx(path, title="Dossier", body=[p for page in pages for p in page.split("\n") if p])
    document = read_document(path)
    findings = guard.scan(document.text).findings
    found = {(document.text[f.start : f.end], f.label): f for f in findings}
    for page, _text, value, label in PAGES:
        finding = found.get((value, label))
        assert finding is not None, f"{value!r} ({label}) not found; got {sorted(found)}"
        section = document.locate(finding.start)
        assert section is not None
        if fmt == "pdf":
            assert section.page == page
        else:
            assert section.paragraph is not None
    assert {f.label for f in findings} >= {"PERSON", "NIR", "IBAN", "ADDRESS", "PHONE", "EMAIL"}
