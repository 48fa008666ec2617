"""Every page of the portal in a real browser, through axe-core (WCAG 2.1 A and AA), with a
screenshot each; and a whole request with the keyboard alone."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.flows import check_page, first_sign_in, path_of
from tests.e2e.server import EgideServer
from tests.support.templates import NOTE

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

CSV = (
    "Objet;Texte\n"
    "Permanence;Le service sera fermé le lundi de Pentecôte.\n"
    "Dossier;Madame Amélie ROUSSEAU a déposé son dossier le 3 mars.\n"
)


def _add(server: EgideServer, login: str, role: str) -> str:
    return server.egide("users", "add", login, "--role", role, "--service", "SIDSIC").strip()


def test_every_page_of_an_administrator_and_an_auditor(
    page: Page, egide_server: EgideServer, artifacts: Path
) -> None:
    first_sign_in(page, egide_server, "chef", _add(egide_server, "chef", "administrateur"))
    base = egide_server.base_url
    for path, name in (
        ("/espace", "40-espace"),
        ("/espace/rediger", "41-rediger"),
        ("/espace/rediger/accuse-reception", "42-rediger-modele"),
        ("/espace/discuter", "43-discuter"),
        ("/espace/historique", "44-historique"),
        ("/tableau-de-bord", "46-tableau-de-bord"),
        ("/admin/utilisateurs", "47-utilisateurs"),
        ("/admin/modeles", "48-modeles"),
        ("/charte", "49-charte"),
    ):
        page.goto(base + path)
        check_page(page, path, name, artifacts)

    page.goto(base + "/se-former")
    check_page(page, "/se-former", "45-se-former", artifacts)
    for question in range(page.locator("#form-quiz fieldset").count()):
        page.click(f"label[for=q{question}-c0]")  # an incomplete quiz is refused (issue 12)
    page.click("#bouton-quiz")
    assert page.is_visible("#resultat-quiz")
    check_page(page, "/se-former", "45-se-former-resultat", artifacts)

    page.goto(base + "/admin/modeles-de-documents")
    check_page(page, "/admin/modeles-de-documents", "50-modeles-documents", artifacts)
    page.set_input_files(
        "#fichier-modele",
        files=[{"name": "note-breve.md", "mimeType": "text/markdown",
                "buffer": NOTE.encode()}],
    )  # fmt: skip
    page.click("#bouton-modele-document")
    assert page.is_visible("#message-modeles")

    page.goto(base + "/espace/lots")
    check_page(page, "/espace/lots", "51-lots", artifacts)
    page.select_option("#lot-modele", "note-breve")
    page.set_input_files(
        "#tableau",
        files=[{"name": "notes.csv", "mimeType": "text/csv", "buffer": CSV.encode()}],
    )
    page.click("#bouton-lot-courriers")
    # The page follows the analysis by itself (the portal's script), then shows the table.
    page.wait_for_selector("#tableau-analyse", timeout=60_000)
    lot = path_of(page)
    check_page(page, lot, "52-lot-analyse", artifacts)
    page.click("#tableau-analyse a >> nth=1")
    check_page(page, lot + "/elements/1", "53-lot-element", artifacts)
    page.go_back()
    page.click("#bouton-lancer")
    page.wait_for_selector("#lien-rapport", timeout=60_000)
    check_page(page, lot, "54-lot-termine", artifacts)
    assert page.locator("#tableau-analyse a", has_text="fait").count() == 2

    page.click("#bouton-deconnexion")
    first_sign_in(page, egide_server, "verif", _add(egide_server, "verif", "auditeur"))
    page.goto(base + "/audit?verifier=1")
    check_page(page, "/audit", "55-audit", artifacts)
    assert "intègre" in page.inner_text("#resultat-verification")


def _tab_to(page: Page, element_id: str, *, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} n'est pas atteignable au clavier")


def test_a_whole_request_with_the_keyboard_alone(
    page: Page, egide_server: EgideServer, artifacts: Path
) -> None:
    first_sign_in(page, egide_server, "clavier", _add(egide_server, "clavier", "agent"))
    page.goto(egide_server.base_url + "/espace/discuter")
    _tab_to(page, "question")
    page.keyboard.type("Quels sont les horaires du service ?")
    # The built-in engine answers from a document: a pasted text is one.
    _tab_to(page, "texte")
    page.keyboard.type("Le service est ouvert du lundi au vendredi, de 9 h à 12 h.")
    _tab_to(page, "bouton-question")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_of(page).startswith("/espace/demandes/")
    _tab_to(page, "modele-auto")
    _tab_to(page, "bouton-envoyer")
    page.keyboard.press("Enter")
    page.wait_for_selector("#lien-brouillon", state="visible")
    # The link back to the conversation takes the focus once the answer is complete.
    assert page.evaluate("() => document.activeElement.id") == "lien-brouillon"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_of(page).startswith("/espace/conversations/")
    # The agent keeps the answer as a draft, to validate it.
    _tab_to(page, page.get_attribute("[id^=garder-]", "id") or "")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_of(page).startswith("/espace/brouillons/")
    _tab_to(page, "texte-brouillon")
    page.keyboard.press("End")
    page.keyboard.type(" Relu.")
    _tab_to(page, "relu")
    page.keyboard.press("Space")
    _tab_to(page, "bouton-valider")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Validé le" in (page.text_content("#etat-brouillon") or "")
    page.screenshot(path=str(artifacts / "56-clavier-valide.png"))
