"""OpenID Connect sign-in in a real browser: Égide → the provider's login page → back, with
the session cookie (SameSite=Strict) carried by Égide's own hand-over page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.flows import check_page, path_of
from tests.e2e.server import EgideServer
from tests.support.oidc_provider import CLIENT_SECRET, free_port, oidc_provider

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.fixture(scope="module")
def oidc_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EgideServer]:
    folder = tmp_path_factory.mktemp("egide-e2e-oidc")
    port = free_port()
    callback = f"http://127.0.0.1:{port}/connexion/oidc/retour"
    accounts = {
        "sophie.lambert": {"acr": "eidas2", "claims": {"preferred_username": "sophie.lambert"}}
    }
    with oidc_provider([callback], accounts) as issuer:
        config = folder / "egide.toml"
        config.write_text(
            f"""
[portal.oidc]
issuer = "{issuer}"
client_id = "egide"
client_secret_env = "EGIDE_OIDC_SECRET"
required_acr = ["eidas2"]
label = "Se connecter avec ProConnect"
""",
            encoding="utf-8",
        )
        server = EgideServer(folder / "home", config=config, port=port)
        server.env["EGIDE_OIDC_SECRET"] = CLIENT_SECRET
        server.add_agent("sophie.lambert")
        # Reached through the provider only once bound to its subject there.
        server.egide("users", "oidc-link", "sophie.lambert", "--subject", "sophie.lambert")
        server.start()
        try:
            yield server
        finally:
            server.stop()


def test_sign_in_through_the_provider(
    page: Page, oidc_server: EgideServer, artifacts: Path
) -> None:
    page.goto(f"{oidc_server.base_url}/connexion")
    check_page(page, "/connexion", "60-connexion-oidc", artifacts)
    page.click("#bouton-oidc")
    assert path_of(page).startswith("/interaction/")  # the provider's own page
    page.fill("#login", "sophie.lambert")
    page.click("#valider")
    # Told first that an administrator bound the account to the provider.
    page.wait_for_url(f"{oidc_server.base_url}/connexion/changements")
    check_page(page, "/connexion/changements", "61-changements-compte", artifacts)
    page.click("#bouton-changements-lus")
    page.wait_for_url(f"{oidc_server.base_url}/charte")
    check_page(page, "/charte", "62-charte-apres-oidc", artifacts)
    page.click("label[for=accepte-charte]")
    page.click("#bouton-charte")
    assert path_of(page) == "/espace"
    assert "sophie.lambert" in page.inner_text("#utilisateur-courant")
