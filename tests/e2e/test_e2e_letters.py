"""A letter fit to send, in a real browser: a refusal drafted from a template — a date that does
not exist and a refusal without motifs are refused in French, the agent's other values kept,
the motifs shown only once « défavorable » is chosen — then sent, exported before validation
(« PROJET ») and after (the mention), each file opened: A4, no template title, the layout.

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
import pytest

from egide.tasks.templates import load_templates
from tests.e2e.flows import first_sign_in, path_of
from tests.e2e.server import EgideServer
from tests.e2e.widths import check_at_every_width, page_expecting_form_errors

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

TEMPLATE = "reponse-usager"
MOTIFS = "les pièces justificatives demandées n'ont pas été fournies"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from page_expecting_form_errors(browser, [f"/espace/rediger/{TEMPLATE}"])


def _fill(page: Page, values: dict[str, str]) -> None:
    template = load_templates(None).get(TEMPLATE)
    for item in template.fields:
        if item.name not in values:
            continue
        selector = f"#champ-{item.name}"
        if item.choices:
            page.select_option(selector, values[item.name])
        else:
            page.fill(selector, values[item.name])


def _cm(length: int | None) -> float:
    assert length is not None
    return round(length / 360000, 1)


def test_a_refusal_letter_is_checked_sent_and_exported_fit_to_send(
    page: Page, egide_server: EgideServer, artifacts: Path
) -> None:
    password = egide_server.add_agent("lea.bernard")
    first_sign_in(page, egide_server, "lea.bernard", password)
    form_path = f"/espace/rediger/{TEMPLATE}"
    page.goto(f"{egide_server.base_url}{form_path}")
    check_at_every_width(page, form_path, "70-courrier-formulaire", artifacts)

    # The motifs belong to a refusal only: hidden until « défavorable » is chosen.
    assert page.is_hidden("#champ-motifs")
    page.select_option("#champ-sens", "défavorable")
    assert page.is_visible("#champ-motifs") and page.is_visible("#champ-tribunal")
    template = load_templates(None).get(TEMPLATE)
    values = {f.name: f.example for f in template.fields if f.example}
    values.update(sens="défavorable", motifs="", nom="Girard", date_demande="31/02/2026")
    _fill(page, values)
    page.click("#bouton-rediger")

    # Refused in French, beside each field; every other value is still there.
    assert path_of(page) == form_path
    assert "n'existe pas dans le calendrier" in page.inner_text("#champ-date_demande-erreur")
    motifs_error = page.inner_text("#champ-motifs-erreur")
    assert "obligatoire quand « Sens de la réponse » est « défavorable »" in motifs_error
    assert page.input_value("#champ-nom") == "Girard"
    assert page.input_value("#champ-date_demande") == "31/02/2026"
    assert page.is_visible("#champ-motifs")  # the choice made is kept, and so is its field
    check_at_every_width(page, form_path, "71-courrier-erreurs", artifacts)

    page.fill("#champ-date_demande", "14/02/2026")
    page.fill("#champ-motifs", MOTIFS)
    page.click("#bouton-rediger")
    assert path_of(page).startswith("/espace/demandes/")
    check_at_every_width(page, path_of(page), "72-courrier-apercu", artifacts)
    page.click("#bouton-envoyer")
    page.wait_for_selector("#lien-brouillon", state="visible")
    page.click("#lien-brouillon")
    draft_path = path_of(page)
    assert draft_path.startswith("/espace/brouillons/")
    check_at_every_width(page, draft_path, "73-courrier-brouillon", artifacts)

    # Before validation: « PROJET » on every page, the mention says so.
    with page.expect_download() as info:
        page.click("#export-odt")
    project = artifacts / "73-courrier-projet.odt"
    info.value.save_as(project)
    with zipfile.ZipFile(project) as package:
        styles = package.read("styles.xml").decode()
        content = package.read("content.xml").decode()
    assert 'fo:page-width="21cm"' in styles and 'fo:page-height="29.7cm"' in styles
    assert "PROJET — document non validé" in styles
    assert template.title not in content and "non validé" in content
    assert "[En-tête]" not in content and MOTIFS in content

    page.click("label[for=relu]")
    page.click("#bouton-valider")
    assert "Validé le" in (page.text_content("#etat-brouillon") or "")
    check_at_every_width(page, draft_path, "74-courrier-valide", artifacts)
    with page.expect_download() as info:
        page.click("#export-docx")
    letter_path = artifacts / "74-courrier-valide.docx"
    info.value.save_as(letter_path)
    letter = docx.Document(io.BytesIO(letter_path.read_bytes()))
    section = letter.sections[0]
    assert (_cm(section.page_width), _cm(section.page_height)) == (21.0, 29.7)
    texts = [p.text for p in letter.paragraphs]
    assert template.title not in texts  # no title paragraph: the letter starts with its timbre
    assert texts[0] == "PRÉFECTURE DE LA GIRONDE"
    assert any(t.startswith("Bordeaux, le ") for t in texts)
    assert "Monsieur Marc GIRARD" in texts and "Paul LEFÈVRE" in texts
    assert any(MOTIFS in t for t in texts) and any("Télérecours" in t for t in texts)
    assert "relu et validé par lea.bernard" in texts[-1]
    headers = [p.text for p in section.first_page_header.paragraphs + section.header.paragraphs]
    assert not any("PROJET" in text for text in headers)
