"""The first sign-in in a real browser: temporary password to workspace, then a second sign-in.

Every page of the flow goes through axe-core (WCAG 2.1 A and AA): no "serious" or "critical"
violation is allowed. Each page is also saved as a screenshot under test-artifacts/e2e/.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pyotp
import pytest

from tests.e2e.server import EgideServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

NEW_PASSWORD = "Trois mots de passe-partout 2026"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
_TIMEOUT_MS = 10_000


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(_TIMEOUT_MS)
    opened = context.new_page()
    # The portal runs no script and loads nothing from elsewhere: anything the browser refuses
    # (a CSP violation, a missing asset) is a defect, collected here and checked at the end.
    refusals: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            refusals.append(message.text)

    opened.on("console", on_console)
    yield opened
    context.close()
    assert refusals == [], f"erreurs dans la console du navigateur : {refusals}"


def _path_of(page: Page) -> str:
    return urlsplit(page.url).path


def _blocking_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the current page.

    The script goes in through ``evaluate`` (DevTools protocol), which the page's
    Content-Security-Policy (``script-src 'self'``) does not govern, whereas ``add_script_tag``
    inserts an inline ``<script>`` that the policy rightly blocks. This keeps the CSP enforced
    during the whole flow instead of turning it off with ``bypass_csp``.
    """
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]],
        }
        for violation in results["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def _check_page(page: Page, path: str, name: str, artifacts: Path) -> None:
    assert _path_of(page) == path, f"attendu {path}, obtenu {page.url}"
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    violations = _blocking_violations(page)
    assert violations == [], f"{path} : {json.dumps(violations, ensure_ascii=False, indent=1)}"


def _sign_in(page: Page, server: EgideServer, login: str, password: str) -> None:
    page.goto(f"{server.base_url}/connexion")
    page.fill("#identifiant", login)
    page.fill("#mot-de-passe", password)
    page.click("#bouton-connexion")


def test_first_sign_in_then_sign_in_again(
    page: Page, egide_server: EgideServer, artifacts: Path
) -> None:
    password = egide_server.add_agent("lea.bernard")

    page.goto(f"{egide_server.base_url}/connexion")
    _check_page(page, "/connexion", "01-connexion", artifacts)
    _sign_in(page, egide_server, "lea.bernard", password)

    _check_page(page, "/connexion/mot-de-passe", "02-mot-de-passe", artifacts)
    page.fill("#nouveau-mot-de-passe", NEW_PASSWORD)
    page.fill("#confirmation", NEW_PASSWORD)
    page.click("#bouton-mot-de-passe")

    _check_page(page, "/connexion/enrolement", "03-enrolement", artifacts)
    secret = page.inner_text("#cle-totp").replace(" ", "")
    page.fill("#code-totp", pyotp.TOTP(secret).now())
    page.click("#bouton-enrolement")

    _check_page(page, "/connexion/codes-de-secours", "04-codes-de-secours", artifacts)
    recovery_codes = page.locator("#codes-de-secours li code").all_inner_texts()
    assert len(recovery_codes) == 10
    page.click("a#continuer")

    _check_page(page, "/charte", "05-charte", artifacts)
    # The DSFR draws the box over the real input: a person (and Playwright) clicks the label.
    page.click("label[for=accepte-charte]")
    assert page.is_checked("#accepte-charte")
    page.click("#bouton-charte")

    _check_page(page, "/espace", "06-espace", artifacts)
    assert "lea.bernard" in page.inner_text("#utilisateur-courant")

    page.click("#bouton-deconnexion")
    assert _path_of(page) == "/connexion"
    assert page.is_visible("#message-fin")
    page.goto(f"{egide_server.base_url}/espace")
    assert _path_of(page) == "/connexion", "la session devait être fermée"

    # The TOTP code of the enrolment cannot be used twice: a recovery code avoids waiting 30 s.
    _sign_in(page, egide_server, "lea.bernard", NEW_PASSWORD)
    _check_page(page, "/connexion/code", "07-code", artifacts)
    page.fill("#code-de-secours", recovery_codes[0])
    page.click("#bouton-code-de-secours")
    assert _path_of(page) == "/espace", page.url
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
    assert _path_of(page) == "/connexion/mot-de-passe", page.url
