"""What every browser test does: check a page (path, screenshot, axe-core), sign in, enrol.

axe-core runs WCAG 2.1 A and AA rules; a "serious" or "critical" violation fails the test.
Each checked page is saved as a screenshot under test-artifacts/e2e/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pyotp

from tests.e2e.server import EgideServer

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = [
    "AXE_TAGS",
    "BLOCKING_IMPACTS",
    "NEW_PASSWORD",
    "WIDTHS",
    "blocking_violations",
    "check_page",
    "check_widths",
    "first_sign_in",
    "path_of",
    "sign_in",
]

NEW_PASSWORD = "Trois mots de passe-partout 2026"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
# One width in each of the DSFR's layout bands from 320 to 1440 px, and both sides of 992 px,
# where the header's tools and navigation leave the « Menu » button for the header itself.
WIDTHS = (320, 576, 768, 991, 992, 1248, 1440)


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def blocking_violations(page: Page) -> list[dict[str, Any]]:
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


def check_page(page: Page, path: str, name: str, artifacts: Path) -> None:
    """The page is at ``path``; its screenshot is kept; axe-core finds nothing serious."""
    assert path_of(page) == path, f"attendu {path}, obtenu {page.url}"
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    violations = blocking_violations(page)
    assert violations == [], f"{path} : {json.dumps(violations, ensure_ascii=False, indent=1)}"


def sign_in(page: Page, server: EgideServer, login: str, password: str) -> None:
    page.goto(f"{server.base_url}/connexion")
    page.fill("#identifiant", login)
    page.fill("#mot-de-passe", password)
    page.click("#bouton-connexion")


def first_sign_in(page: Page, server: EgideServer, login: str, password: str) -> str:
    """Temporary password → new password → TOTP → codes → charter; returns the TOTP secret.

    The pages themselves are checked by ``test_e2e_signin``; here they are only crossed.
    """
    sign_in(page, server, login, password)
    page.fill("#nouveau-mot-de-passe", NEW_PASSWORD)
    page.fill("#confirmation", NEW_PASSWORD)
    page.click("#bouton-mot-de-passe")
    secret = page.inner_text("#cle-totp").replace(" ", "")
    page.fill("#code-totp", pyotp.TOTP(secret).now())
    page.click("#bouton-enrolement")
    page.click("a#continuer")
    page.click("label[for=accepte-charte]")
    page.click("#bouton-charte")
    assert path_of(page) == "/espace", page.url
    return secret


def check_widths(
    page: Page, path: str, name: str, artifacts: Path, *, widths: tuple[int, ...] = WIDTHS
) -> None:
    """:func:`check_page` at each width (the page is not reloaded: what the flow did stays),
    a screenshot at the narrowest and the widest; the viewport is set back afterwards."""
    before = page.viewport_size or {"width": 1280, "height": 720}
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": 800})
            assert path_of(page) == path, f"attendu {path}, obtenu {page.url}"
            if width in (widths[0], widths[-1]):
                page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=True)
            violations = blocking_violations(page)
            assert violations == [], (
                f"{path} à {width} px : {json.dumps(violations, ensure_ascii=False, indent=1)}"
            )
    finally:
        page.set_viewport_size(before)
