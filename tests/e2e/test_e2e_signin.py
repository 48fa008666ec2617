"""The first sign-in in a real browser: temporary password to workspace, then a second sign-in.

Every page of the flow goes through axe-core (WCAG 2.1 A and AA): no "serious" or "critical"
violation is allowed. Each page is also saved as a screenshot under test-artifacts/e2e/.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyotp
import pytest

from tests.e2e.flows import NEW_PASSWORD, check_page, path_of, sign_in
from tests.e2e.server import EgideServer

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def test_first_sign_in_then_sign_in_again(
    page: Page, egide_server: EgideServer, artifacts: Path
) -> None:
    password = egide_server.add_agent("lea.bernard")

    page.goto(f"{egide_server.base_url}/connexion")
    check_page(page, "/connexion", "01-connexion", artifacts)
    sign_in(page, egide_server, "lea.bernard", password)

    check_page(page, "/connexion/mot-de-passe", "02-mot-de-passe", artifacts)
    page.fill("#nouveau-mot-de-passe", NEW_PASSWORD)
    page.fill("#confirmation", NEW_PASSWORD)
    page.click("#bouton-mot-de-passe")

    check_page(page, "/connexion/enrolement", "03-enrolement", artifacts)
    secret = page.inner_text("#cle-totp").replace(" ", "")
    page.fill("#code-totp", pyotp.TOTP(secret).now())
    page.click("#bouton-enrolement")

    check_page(page, "/connexion/codes-de-secours", "04-codes-de-secours", artifacts)
    recovery_codes = page.locator("#codes-de-secours li code").all_inner_texts()
    assert len(recovery_codes) == 10
    page.click("a#continuer")

    check_page(page, "/charte", "05-charte", artifacts)
    # The DSFR draws the box over the real input: a person (and Playwright) clicks the label.
    page.click("label[for=accepte-charte]")
    assert page.is_checked("#accepte-charte")
    page.click("#bouton-charte")

    check_page(page, "/espace", "06-espace", artifacts)
    assert "lea.bernard" in page.inner_text("#utilisateur-courant")

    page.click("#bouton-deconnexion")
    assert path_of(page) == "/connexion"
    assert page.is_visible("#message-fin")
    page.goto(f"{egide_server.base_url}/espace")
    assert path_of(page) == "/connexion", "la session devait être fermée"

    # The TOTP code of the enrolment cannot be used twice: a recovery code avoids waiting 30 s.
    sign_in(page, egide_server, "lea.bernard", NEW_PASSWORD)
    check_page(page, "/connexion/code", "07-code", artifacts)
    page.fill("#code-de-secours", recovery_codes[0])
    page.click("#bouton-code-de-secours")
    assert path_of(page) == "/espace", page.url
    assert "lea.bernard" in page.inner_text("#utilisateur-courant")


def _focused_id(page: Page) -> str:
    focused: str = page.evaluate("() => document.activeElement ? document.activeElement.id : ''")
    return focused


def test_sign_in_form_works_with_the_keyboard_alone(
    page: Page, egide_server: EgideServer, artifacts: Path
) -> None:
    password = egide_server.add_agent("hugo.petit")
    page.goto(f"{egide_server.base_url}/connexion")

    # Skip links and the header come first; the first form control reached must be the login.
    form_controls = {"identifiant", "mot-de-passe", "bouton-connexion"}
    for _ in range(15):
        page.keyboard.press("Tab")
        if _focused_id(page) in form_controls:
            break
    assert _focused_id(page) == "identifiant"
    page.keyboard.type("hugo.petit")
    page.keyboard.press("Tab")
    assert _focused_id(page) == "mot-de-passe"
    page.keyboard.type(password)
    page.keyboard.press("Tab")
    assert _focused_id(page) == "bouton-connexion"
    page.screenshot(path=str(artifacts / "08-connexion-clavier.png"))

    page.keyboard.press("Shift+Tab")
    assert _focused_id(page) == "mot-de-passe"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_of(page) == "/connexion/mot-de-passe", page.url
