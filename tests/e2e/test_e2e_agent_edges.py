"""An agent's rough edges of issue 12, in a real browser, each page through axe-core at every
width from 320 to 1440 px: the responsive header (with and without the script), a long preview
that ends with its footer, errors read first, « Mon compte » and its recovery codes, the quiz
that will not grade an empty sheet, and a « Secret » document refused at the door."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from egide.config import load_settings
from egide.store import open_store
from egide.store.workspace import UploadRow, WorkRequestRow
from tests.e2e.flows import NEW_PASSWORD, WIDTHS, check_widths, first_sign_in, path_of, sign_in
from tests.e2e.server import EgideServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

NARROW = [width for width in WIDTHS if width < 992]
WIDE = [width for width in WIDTHS if width >= 992]


def _agent(page: Page, server: EgideServer, login: str) -> str:
    return first_sign_in(page, server, login, server.add_agent(login))


def _focused(page: Page) -> str:
    focused: str = page.evaluate("() => document.activeElement ? document.activeElement.id : ''")
    return focused


def test_the_header_keeps_name_menu_and_sign_out_at_every_width(
    page: Page, egide_server: EgideServer, artifacts: Path
) -> None:
    _agent(page, egide_server, "ines.moreau")
    check_widths(page, "/espace", "60-entete", artifacts)
    for width in NARROW:
        page.set_viewport_size({"width": width, "height": 800})
        assert page.is_visible("#bouton-menu"), width
        assert not page.is_visible("#utilisateur-courant"), width
        page.click("#bouton-menu")
        assert page.get_attribute("#bouton-menu", "aria-expanded") == "true"
        assert page.get_attribute("#menu-principal", "aria-modal") == "true"
        assert _focused(page) == "bouton-fermer-menu"
        assert "ines.moreau" in page.inner_text("#utilisateur-courant-menu")
        assert page.is_visible("#bouton-deconnexion-menu")
        assert page.locator("#menu-principal .fr-nav__link", has_text="Se former").is_visible()
        if width == NARROW[0]:
            check_widths(page, "/espace", "61-menu-ouvert", artifacts, widths=(width,))
        page.keyboard.press("Escape")
        assert page.get_attribute("#bouton-menu", "aria-expanded") == "false"
        assert not page.is_visible("#bouton-deconnexion-menu")
        assert _focused(page) == "bouton-menu"
    for width in WIDE:
        page.set_viewport_size({"width": width, "height": 800})
        assert not page.is_visible("#bouton-menu"), width
        assert page.is_visible("#utilisateur-courant") and page.is_visible("#bouton-deconnexion")
        assert page.locator("#menu-principal .fr-nav__link", has_text="Se former").is_visible()
    # The button shows DSFR's icon, its word « Menu » pushed out of sight (still its name):
    # a link in the brand's fr-enlarge-link would otherwise lose its icon and show « Men ».
    page.set_viewport_size({"width": 320, "height": 800})
    text_left, button_right = page.evaluate(
        "() => { const b = document.getElementById('bouton-menu'); const r = document.createRange();"
        " r.selectNodeContents(b); return [r.getBoundingClientRect().left,"
        " b.getBoundingClientRect().right]; }"
    )
    assert text_left >= button_right - 1, (text_left, button_right)
    # From the menu, at the narrowest width, « Mon compte » and « Se déconnecter » work.
    page.click("#bouton-menu")
    page.click("#utilisateur-courant-menu")
    assert path_of(page) == "/compte"
    page.click("#bouton-menu")
    page.click("#bouton-deconnexion-menu")
    assert path_of(page) == "/connexion" and page.is_visible("#message-fin")


def test_the_menu_opens_without_the_script(
    browser: Browser, egide_server: EgideServer, artifacts: Path
) -> None:
    """No script: « Menu » is a link to the menu, which the style sheet shows (:target)."""
    password = egide_server.add_agent("noe.lambert")
    scripted = browser.new_context(locale="fr-FR")
    first_sign_in(scripted.new_page(), egide_server, "noe.lambert", password)
    scripted.close()
    context = browser.new_context(
        locale="fr-FR", java_script_enabled=False, viewport={"width": 375, "height": 800}
    )
    page = context.new_page()
    try:
        sign_in(page, egide_server, "noe.lambert", NEW_PASSWORD)
        assert path_of(page) == "/connexion/code"  # second factor: the menu holds sign-out
        assert not page.is_visible("#bouton-deconnexion-menu")
        page.click("#bouton-menu")
        assert page.url.endswith("#menu-principal")
        assert page.is_visible("#bouton-deconnexion-menu")
        page.screenshot(path=str(artifacts / "62-menu-sans-script.png"))
        page.click("#bouton-fermer-menu")
        assert not page.is_visible("#bouton-deconnexion-menu")
        page.click("#bouton-menu")
        page.click("#bouton-deconnexion-menu")
        assert path_of(page) == "/connexion"
    finally:
        context.close()


def test_a_long_preview_ends_with_its_footer(
    page: Page, egide_server: EgideServer, artifacts: Path
) -> None:
    _agent(page, egide_server, "jade.roux")
    # Many names: many screen-reader texts, most of them in the part the preview scrolls.
    lines = [f"Dossier {n} : Madame Amélie ROUSSEAU a déposé sa demande le 3 mars." for n in
             range(400)]  # fmt: skip
    page.goto(f"{egide_server.base_url}/espace/resumer")
    page.set_input_files(
        "#document",
        files=[{"name": "registre.txt", "mimeType": "text/plain",
                "buffer": "\n".join(lines).encode()}],
    )  # fmt: skip
    page.click("#bouton-analyser")
    page.wait_for_selector(".egide-apercu", timeout=60_000)
    for width in (320, 1440):
        page.set_viewport_size({"width": width, "height": 800})
        blank = page.evaluate(
            "() => document.documentElement.scrollHeight - (window.scrollY +"
            " document.getElementById('pied-de-page').getBoundingClientRect().bottom)"
        )
        assert blank <= 2, f"{blank} px vides sous le pied de page à {width} px"
    check_widths(page, path_of(page), "63-apercu-long", artifacts)


def test_mon_compte_password_and_recovery_codes(
    page: Page, egide_server: EgideServer, artifacts: Path
) -> None:
    _agent(page, egide_server, "lina.garnier")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{egide_server.base_url}/compte")
    check_widths(page, "/compte", "64-compte", artifacts)

    # An error is read first: at the top, focused, whatever the form's place on the page.
    page.fill("#mot-de-passe-actuel", "pas le bon")
    page.fill("#nouveau-mot-de-passe", "Une nouvelle phrase de passe 2027")
    page.fill("#confirmation", "Une nouvelle phrase de passe 2027")
    page.click("#bouton-compte-mot-de-passe")
    assert _focused(page) == "erreur-compte"
    assert (
        page.evaluate("() => document.getElementById('erreur-compte').getBoundingClientRect().top")
        < 800
    )
    check_widths(page, "/compte/mot-de-passe", "65-compte-erreur", artifacts)

    page.wait_for_timeout(1200)  # the first failure holds the next attempt back for a second
    page.fill("#mot-de-passe-actuel", NEW_PASSWORD)
    page.fill("#nouveau-mot-de-passe", "Une nouvelle phrase de passe 2027")
    page.fill("#confirmation", "Une nouvelle phrase de passe 2027")
    page.click("#bouton-compte-mot-de-passe")
    assert path_of(page) == "/compte" and page.is_visible("#message-compte")
    page.reload()
    assert not page.is_visible("#message-compte")

    page.fill("#codes-mot-de-passe", "Une nouvelle phrase de passe 2027")
    page.click("#bouton-compte-codes")
    assert path_of(page) == "/connexion/codes-de-secours"
    codes = page.locator("#codes-de-secours li code").all_inner_texts()
    assert len(codes) == 10
    check_widths(page, "/connexion/codes-de-secours", "66-nouveaux-codes", artifacts)
    page.click("#copier-codes")
    page.wait_for_function("() => document.getElementById('etat-copie').textContent !== ''")
    assert page.evaluate("() => navigator.clipboard.readText()") == "\n".join(codes) + "\n"
    assert page.is_visible("#imprimer-codes")
    with page.expect_download() as waited:
        page.click("#telecharger-codes")
    saved = Path(waited.value.path()).read_text(encoding="utf-8")
    assert waited.value.suggested_filename == "codes-de-secours-egide.txt"
    assert all(code in saved for code in codes)
    page.emulate_media(media="print")
    assert not page.is_visible("#actions-codes") and page.is_visible("#codes-de-secours")
    page.emulate_media(media="screen")
    page.click("#continuer")
    assert path_of(page) == "/compte"


def test_an_empty_quiz_is_refused_without_its_answers(
    page: Page, egide_server: EgideServer, artifacts: Path
) -> None:
    _agent(page, egide_server, "tom.fabre")
    page.goto(f"{egide_server.base_url}/se-former")
    page.click("label[for=q2-c0]")
    page.click("#bouton-quiz")
    assert _focused(page) == "erreur-quiz"
    assert not page.is_visible("#resultat-quiz")
    assert page.locator("text=Réponse attendue").count() == 0
    assert page.is_checked("#q2-c0")  # the answer given is kept
    check_widths(page, "/se-former", "67-quiz-incomplet", artifacts)
    page.click("#erreur-quiz a[href='#question-0']")
    assert page.url.endswith("#question-0")


def test_a_secret_document_is_refused_once_and_not_stored(
    page: Page, egide_server: EgideServer, artifacts: Path
) -> None:
    _agent(page, egide_server, "eva.henry")
    page.goto(f"{egide_server.base_url}/espace/resumer")
    page.set_input_files(
        "#document",
        files=[{"name": "note-prefet.txt", "mimeType": "text/plain",
                "buffer": b"SECRET\n\nNote au prefet sur le dispositif de la visite.\n"}],
    )  # fmt: skip
    page.click("#bouton-analyser")
    assert path_of(page) == "/espace/resumer"
    assert _focused(page) == "erreur-resume"
    assert page.locator(".fr-alert--error").count() == 1
    assert "n'a pas été enregistré" in page.inner_text("#erreur-resume")
    check_widths(page, "/espace/resumer", "68-document-secret", artifacts)
    settings = load_settings(environ={"EGIDE_HOME": str(egide_server.home)})
    with open_store(settings) as store, store.session() as session:
        uploads = session.scalar(
            select(func.count()).select_from(UploadRow).where(UploadRow.owner == "eva.henry")
        )
        requests = session.scalar(
            select(func.count())
            .select_from(WorkRequestRow)
            .where(WorkRequestRow.owner == "eva.henry")
        )
    assert (uploads, requests) == (0, 0)
