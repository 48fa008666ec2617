"""The knowledge base in a real browser, on the embedded defaults of ``make run``: a collection
added with ``egide kb add``, then an agent searches it, opens a cited passage, asks a question,
reads the passages kept, goes through the usual preview and gets an answer that cites them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.flows import check_page, first_sign_in, path_of
from tests.e2e.server import EgideServer

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

DOCS = {
    "carte-grise.txt": "Carte grise : changement d'adresse\n\nVous devez déclarer votre nouvelle "
    "adresse dans le mois qui suit le déménagement, en ligne sur le site de l'ANTS. La "
    "modification est gratuite et la nouvelle carte grise est envoyée à votre domicile.",
    "permis.md": "# Permis de conduire perdu\n\n## Démarches\n\nEn cas de perte du permis de "
    "conduire, faites une déclaration de perte en ligne puis demandez un nouveau titre ; un "
    "timbre fiscal de 25 euros est exigé.",
    "vote.html": "<h1>Inscription sur les listes électorales</h1><p>Pour voter, inscrivez-vous "
    "en mairie ou en ligne jusqu'au sixième vendredi avant le scrutin.</p>",
}


@pytest.fixture(scope="module")
def kb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EgideServer]:
    folder = tmp_path_factory.mktemp("kb-e2e")
    docs = folder / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    server = EgideServer(folder / "home")
    server.add_agent("lea.fontaine")
    server.egide("kb", "add", "demarches", str(docs), "--sans-vecteurs")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_search_open_a_passage_then_ask_the_base(
    page: Page, kb_server: EgideServer, artifacts: Path
) -> None:
    password = kb_server.egide("users", "add", "paul.roche", "--role", "agent").strip()
    first_sign_in(page, kb_server, "paul.roche", password)
    page.click("a.fr-nav__link[href='/base']")
    check_page(page, "/base", "kb-10-collections", artifacts)
    page.click("a[href='/base/demarches']")
    check_page(page, "/base/demarches", "kb-11-collection", artifacts)

    page.fill("#q", "j'ai perdu mon permis de conduire")
    page.click("#recherche button")
    page.wait_for_selector("#resultats")
    assert (
        "perdu" in page.inner_text("#resultats mark").lower()
        or page.locator("#resultats mark").count() >= 1
    )
    first = page.locator("#resultats li a").first
    assert "Permis de conduire perdu" in first.inner_text()
    first.click()
    assert path_of(page).startswith("/base/demarches/passages/")
    assert "timbre fiscal" in page.inner_text("#passage")
    check_page(page, path_of(page), "kb-12-passage", artifacts)

    page.goto(f"{kb_server.base_url}/base/demarches")
    page.fill("#question", "permis de conduire perdu, quelle déclaration et quel timbre ?")
    page.click("#bouton-question-base")
    page.wait_for_selector("#passages-retenus")
    check_page(page, path_of(page), "kb-13-passages-retenus", artifacts)
    assert "Permis de conduire perdu" in page.inner_text("#passages-retenus")
    page.click("#vers-apercu")
    assert path_of(page).startswith("/espace/demandes/")
    page.click("#bouton-envoyer")
    page.wait_for_selector("#lien-brouillon", state="visible")
    answer = page.inner_text("#reponse-texte")
    assert "[1]" in answer and "Permis de conduire perdu" in answer
    assert "timbre fiscal" in answer
    check_page(page, path_of(page), "kb-14-reponse", artifacts)
