"""Conversations, saved defaults and the reply to a letter in a real browser (Chromium, the
portal's one script, its CSP), axe-core clean at 320, 768, 1024 and 1440 px.

The models: the built-in ``local`` engine and an ``interne`` model served by a recording
OpenAI-compatible server (tests/support/fake_openai.py) that answers a scripted text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.flows import check_page, first_sign_in, path_of
from tests.e2e.server import EgideServer
from tests.support.fake_openai import FakeProvider, Script, fake_openai_server

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

WIDTHS = (320, 768, 1024, 1440)
ANSWER = "Le guichet du séjour est ouvert du lundi au vendredi, de 9 h à 12 h."
PASTED = """Madame Amélie ROUSSEAU demande un rendez-vous au guichet du séjour.
Elle est joignable au 06 12 34 56 78."""
LETTER = """Amélie ROUSSEAU
14 bis avenue de la Gloire
31000 Toulouse

Toulouse, le 3 mars 2025

Objet : demande de renouvellement de titre de séjour
Réf. : dossier n° 2025-0042

Je soussignée Madame Amélie ROUSSEAU sollicite le renouvellement de mon titre de séjour.

Amélie ROUSSEAU
"""


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeProvider]:
    with fake_openai_server(Script(answer=ANSWER, chunk_size=8)) as fake:
        yield fake


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, provider: FakeProvider
) -> Iterator[EgideServer]:
    folder = tmp_path_factory.mktemp("egide-e2e-conversations")
    config = folder / "egide.toml"
    config.write_text(
        f"""
[[models]]
name = "interne-ia"
tier = "interne"
backend = "openai"
base_url = "{provider.base_url}"
model = "scripted"
max_retries = 0

[[models]]
name = "local"
tier = "interne"
backend = "local"
""",
        encoding="utf-8",
    )
    started = EgideServer(folder / "home", config=config)
    started.add_agent("lea.dumas")
    started.start()
    try:
        yield started
    finally:
        started.stop()


def _every_width(page: Page, path: str, name: str, artifacts: Path) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        check_page(page, path, f"{name}-{width}", artifacts)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_conversation_from_a_pasted_text_to_a_kept_draft(
    page: Page, server: EgideServer, provider: FakeProvider, artifacts: Path
) -> None:
    first_sign_in(page, server, "camille.roux", server.add_agent("camille.roux"))
    base = server.base_url
    page.goto(base + "/espace/discuter")
    _every_width(page, "/espace/discuter", "80-nouvelle-conversation", artifacts)
    page.fill("#question", "Quand Madame ROUSSEAU peut-elle venir au guichet ?")
    page.fill("#texte", PASTED)
    page.click("#bouton-question")

    # The preview: the pasted text is a document, its personal data highlighted.
    assert path_of(page).startswith("/espace/demandes/")
    assert "Texte collé" in page.inner_text("main")
    assert page.locator("mark[data-label=PHONE]").count() == 1
    _every_width(page, path_of(page), "81-apercu-question", artifacts)
    page.click("label[for=modele-interne-ia]")
    page.click("#bouton-envoyer")
    page.wait_for_selector("#lien-brouillon", state="visible")
    assert ANSWER in page.inner_text("#reponse-texte")
    assert "gardée dans la conversation" in page.inner_text("#reponse-etat")
    page.click("#lien-brouillon")

    # The conversation: the answer is there, not a draft; copy is offered by the script.
    assert path_of(page).startswith("/espace/conversations/")
    thread = path_of(page)
    exchange = (page.get_attribute(".egide-echange", "id") or "").removeprefix("echange-")
    assert ANSWER in page.inner_text(f"#reponse-{exchange}")
    assert page.is_visible(f"#copier-{exchange}")
    _every_width(page, thread, "82-conversation", artifacts)

    # Regenerate with the same texts: streamed into the exchange, no preview.
    provider.script.answer = "Seconde version : le guichet ouvre à 9 h."
    page.click(f"#regenerer-{exchange}")
    page.wait_for_selector(f"#regeneration-{exchange}-lien", state="visible")
    assert "Seconde version" in page.inner_text(f"#regeneration-{exchange}-texte")
    page.click(f"#regeneration-{exchange}-lien")
    assert "Seconde version" in page.inner_text(f"#reponse-{exchange}")
    page.click(f"#versions-{exchange} summary")
    assert ANSWER in page.inner_text(f"#versions-{exchange}")
    _every_width(page, thread, "83-conversation-regeneree", artifacts)

    # Reformulate: the answer itself is previewed before it is sent.
    page.select_option(f"#style-{exchange}", "simple")
    page.click(f"#reformuler-{exchange}")
    assert path_of(page).startswith("/espace/demandes/")
    assert "Réponse à reformuler" in page.inner_text("main")
    check_page(page, path_of(page), "84-apercu-reformulation", artifacts)
    provider.script.answer = "Vous pouvez venir le matin, de 9 h à 12 h."
    page.click("label[for=modele-interne-ia]")
    page.click("#bouton-envoyer")
    page.wait_for_selector("#lien-brouillon", state="visible")
    page.click("#lien-brouillon")
    assert "Plus simple (FALC)" in page.inner_text(f"#echange-{exchange}")

    # Keep it as a draft: then the usual draft page.
    page.click(f"#garder-{exchange}")
    assert path_of(page).startswith("/espace/brouillons/")
    assert "Vous pouvez venir le matin" in page.input_value("#texte-brouillon")

    # The list, its search in the answers, rename, delete with confirmation.
    page.goto(base + "/espace/conversations")
    page.fill("#q", "VENIR LE MATIN")
    page.click("#form-recherche-conversations button")
    assert "1 conversation pour" in page.inner_text("#tableau-conversations caption")
    _every_width(page, "/espace/conversations", "85-conversations-recherche", artifacts)
    page.goto(base + thread)
    page.fill("#titre", "Rendez-vous de Mme Rousseau")
    page.click("#bouton-renommer")
    assert page.inner_text("#titre-conversation") == "Rendez-vous de Mme Rousseau"
    page.click("#lien-supprimer")
    _every_width(page, thread + "/supprimer", "86-supprimer-conversation", artifacts)
    assert "1 brouillon" in page.inner_text("#portee-suppression")
    page.click("#bouton-confirmer-suppression")
    assert path_of(page) == "/espace/conversations"
    assert page.is_visible("#message-conversations")


def test_saved_defaults_and_a_reply_pre_filled_from_the_letter(
    page: Page, server: EgideServer, artifacts: Path
) -> None:
    first_sign_in(page, server, "hugo.petit", server.add_agent("hugo.petit"))
    base = server.base_url
    page.goto(base + "/espace/preferences")
    _every_width(page, "/espace/preferences", "87-preferences", artifacts)
    for key, value in (
        ("administration", "PRÉFECTURE DE LA HAUTE-GARONNE"),
        ("service", "Bureau du séjour"),
        ("lieu", "Toulouse"),
        ("signataire_fonction", "Le chef du bureau du séjour"),
        ("signataire_prenom", "Paul"),
        ("signataire_nom", "Lefèvre"),
    ):
        page.fill(f"#pref-{key}", value)
    page.click("#bouton-preferences")
    assert page.is_visible("#message-preferences")

    page.goto(base + "/espace/repondre")
    _every_width(page, "/espace/repondre", "88-repondre", artifacts)
    page.set_input_files(
        "#courrier",
        files=[{"name": "courrier.txt", "mimeType": "text/plain", "buffer": LETTER.encode()}],
    )
    page.click("label[for=reponse-accuse-reception]")
    page.click("#bouton-repondre")
    assert path_of(page) == "/espace/repondre"
    assert page.input_value("#champ-nom") == "ROUSSEAU"
    assert page.input_value("#champ-civilite") == "Madame"
    assert not page.is_visible("#champ-administration")  # folded under « Vos informations »
    _every_width(page, "/espace/repondre", "89-reponse-pre-remplie", artifacts)
    page.click("#champs-preferences summary")
    assert page.input_value("#champ-signataire_nom") == "Lefèvre"
    page.fill("#champ-date_reception", "05/03/2025")
    page.select_option("#champ-decision_implicite", "rejet")
    page.click("#bouton-rediger")
    assert path_of(page).startswith("/espace/demandes/")
    assert "ROUSSEAU" in page.inner_text("main")
    check_page(page, path_of(page), "90-apercu-reponse", artifacts)
