"""A batch of letters in a real browser: the template's example spreadsheet downloaded from the
page, filled as an agent would (a column renamed, one removed, one added, a date that does not
exist), the column step (a guess to check, the column left out, a value for every row), the
analysis, the run, and one ZIP of every letter with the report — opened: A4 letters without the
template's title, « PROJET » until validated, the invalid row reported as invalid.

Every page of the flow is checked by axe-core at each width from 320 to 1440 px. Runs on the
embedded defaults of ``make run`` (built-in ``local`` engine).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import docx
import openpyxl
import pytest

from egide.tasks.templates import load_templates
from tests.e2e.flows import first_sign_in, path_of
from tests.e2e.server import EgideServer
from tests.e2e.widths import check_at_every_width, page_expecting_form_errors

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

TEMPLATE = "accuse-reception"
_LONG_MS = 120_000


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from page_expecting_form_errors(browser, ["/colonnes"])


def _filled_example(example: Path, target: Path) -> None:
    """What an agent does to the example: the « Nom » column renamed, « Lieu » removed (the same
    for every letter), a column of their own added, three rows, one with a date that does not
    exist."""
    template = load_templates(None).get(TEMPLATE)
    book = openpyxl.load_workbook(example)
    sheet = book["Courriers"]
    header = [cell.value for cell in sheet[1]]
    example_row = [cell.value for cell in sheet[2]]
    sheet.delete_rows(2)
    rows = []
    for nom, date in (("Dubois", "03/02/2026"), ("Girard", "04/02/2026"), ("Roux", "31/02/2026")):
        values = dict(zip(header, example_row, strict=True))
        values[template.field_named("nom").label] = nom  # type: ignore[union-attr]
        values[template.field_named("date_reception").label] = date  # type: ignore[union-attr]
        rows.append([values[column] for column in header])
    for row in rows:
        sheet.append(row)
    sheet.cell(row=1, column=header.index("Nom du destinataire") + 1, value="Nom destinataire")
    sheet.delete_cols(header.index("Lieu d'émission du courrier") + 1)
    sheet.cell(row=1, column=sheet.max_column + 1, value="Observations")
    for line in range(2, 5):
        sheet.cell(row=line, column=sheet.max_column, value="suivi par le bureau")
    book.save(target)


def test_letters_from_a_spreadsheet_checked_run_and_downloaded_as_one_zip(
    page: Page, egide_server: EgideServer, artifacts: Path, tmp_path: Path
) -> None:
    password = egide_server.add_agent("hugo.petit")
    first_sign_in(page, egide_server, "hugo.petit", password)
    page.goto(f"{egide_server.base_url}/espace/lots")
    check_at_every_width(page, "/espace/lots", "75-lots", artifacts)

    page.select_option("#exemple-modele", TEMPLATE)
    with page.expect_download() as info:
        page.click("#bouton-exemple")
    assert info.value.suggested_filename == f"exemple-{TEMPLATE}.xlsx"
    example = tmp_path / "exemple.xlsx"
    info.value.save_as(example)
    filled = tmp_path / "accuses.xlsx"
    _filled_example(example, filled)

    page.select_option("#lot-modele", TEMPLATE)
    page.set_input_files("#tableau", str(filled))
    page.click("#bouton-lot-courriers")
    columns_path = path_of(page)
    assert columns_path.endswith("/colonnes")
    job_path = columns_path.removesuffix("/colonnes")
    check_at_every_width(page, columns_path, "76-lot-colonnes", artifacts)
    # The renamed column is proposed, flagged; the added one is shown as left out.
    assert page.input_value("#colonne-nom") == "Nom destinataire"
    assert "à vérifier" in (page.text_content("#champ-lot-nom") or "")
    assert "« Observations »" in page.inner_text("#colonnes-ignorees")
    assert page.input_value("#colonne-lieu") == ""

    # Without « Lieu », no letter can be written: said beside the field, choices kept.
    page.click("#bouton-colonnes")
    assert path_of(page) == columns_path
    assert "Chaque courrier en a besoin" in page.inner_text("#erreur-lieu")
    assert page.input_value("#colonne-nom") == "Nom destinataire"
    check_at_every_width(page, columns_path, "77-lot-colonnes-erreur", artifacts)
    page.fill("#valeur-lieu", "Toulouse")
    page.click("#bouton-colonnes")
    assert path_of(page) == job_path

    page.wait_for_selector("#bouton-lancer", timeout=_LONG_MS)  # the page follows the analysis
    assert "1 élément invalide" in page.inner_text("#lignes-invalides")
    assert "Lieu d'émission du courrier : « Toulouse » pour toutes les lignes" in page.inner_text(
        "#resume-colonnes"
    )
    check_at_every_width(page, job_path, "78-lot-pret", artifacts)
    page.click("#bouton-lancer")
    page.wait_for_selector("#lien-zip-docx", timeout=_LONG_MS)
    check_at_every_width(page, job_path, "79-lot-termine", artifacts)

    with page.expect_download() as info:
        page.click("#lien-zip-docx")
    archive = artifacts / "79-lot-courriers.zip"
    info.value.save_as(archive)
    with zipfile.ZipFile(archive) as package:
        names = package.namelist()
        letters = [docx.Document(io.BytesIO(package.read(n))) for n in names if n.endswith(".docx")]
        report = package.read("rapport.csv").decode("utf-8-sig").splitlines()
    assert names == [f"{TEMPLATE}-ligne-0002.docx", f"{TEMPLATE}-ligne-0003.docx", "rapport.csv"]
    title = load_templates(None).get(TEMPLATE).title
    for letter, nom in zip(letters, ("DUBOIS", "GIRARD"), strict=True):
        section = letter.sections[0]
        assert section.page_width is not None and section.page_height is not None
        assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
        texts = [p.text for p in letter.paragraphs]
        assert title not in texts and texts[0] == "PRÉFECTURE DE LA GIRONDE"
        assert any(t.startswith("Toulouse, le ") for t in texts)
        assert any(nom in t for t in texts)
        assert [p.text for p in section.header.paragraphs if p.text] == [
            "PROJET — document non validé"
        ]
        assert "non validé" in texts[-1]
    assert report[0] == "element;statut;fichier;validation;brouillon;raison"
    assert report[3].startswith("ligne 4;invalide;;;;")
    assert "n'existe pas dans le calendrier" in report[3] and "charte" not in report[3]
