"""OpenID Connect sign-in against a real provider started by the tests (node-oidc-provider).

The provider runs on loopback from ``tests/oidc`` (``npm ci`` by ``make test``); Égide runs
in-process. Each test drives the whole authorization code flow: Égide → provider's login
form → back to Égide's callback → session → charter → workspace.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from egide.audit import AuditLog
from egide.auth import Role
from egide.auth.accounts import Actor
from egide.config import load_settings
from tests.support.oidc_provider import CLIENT_SECRET, free_port, oidc_provider, through_provider
from tests.support.portal import PortalHarness, csrf_of

pytestmark = pytest.mark.integration

CALLBACK = "http://testserver/connexion/oidc/retour"
ACCOUNTS = {
    "camille.martin": {"acr": "eidas2", "claims": {"preferred_username": "camille.martin"}},
    "paul.faible": {"acr": "eidas1", "claims": {"preferred_username": "paul.faible"}},
    "sans.compte": {"acr": "eidas2", "claims": {"preferred_username": "sans.compte"}},
}


@pytest.fixture(autouse=True)
def _client_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGIDE_TEST_OIDC_SECRET", CLIENT_SECRET)


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with oidc_provider([CALLBACK], ACCOUNTS) as issuer:
        yield issuer


def _harness(tmp_path: Path, issuer: str, acr: str = '["eidas2"]') -> PortalHarness:
    config = tmp_path / "egide.toml"
    config.write_text(
        f"""
[portal.oidc]
issuer = "{issuer}"
client_id = "egide"
client_secret_env = "EGIDE_TEST_OIDC_SECRET"
required_acr = {acr}
label = "Se connecter avec le fournisseur de test"
""",
        encoding="utf-8",
    )
    return PortalHarness(load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")}))


def _linked(harness: PortalHarness, login: str) -> None:
    """An account provisioned for the provider by an administrator, by its subject there."""
    harness.add_user(login, Role.AGENT)
    harness.portal.accounts.link_oidc(Actor("chef"), login, subject=login)


def test_a_known_account_signs_in_with_the_required_acr(tmp_path: Path, provider: str) -> None:
    harness = _harness(tmp_path, provider)
    _linked(harness, "camille.martin")
    client = harness.client()
    assert "Se connecter avec le fournisseur de test" in client.get("/connexion").text
    done = through_provider(client, "camille.martin")
    assert done.status_code == 200, done.text[done.text.find("<main") :][:1500]
    assert 'http-equiv="refresh"' in done.text
    assert "egide_session" in client.cookies
    # The same answer of the provider, brought back again, opens nothing (flow cookie spent).
    replayed = client.get(str(done.url).removeprefix("http://testserver"))
    assert (
        replayed.status_code == 400 and "recommencez depuis la page de connexion" in replayed.text
    )
    # No password step nor TOTP enrolment: the provider vouched for both factors. The owner
    # is told first that an administrator bound the account to the provider.
    notice = client.get("/connexion/suite")
    assert notice.url.path == "/connexion/changements"
    assert "rattaché au fournisseur" in notice.text
    charter = client.post("/connexion/changements", data={"csrf_token": csrf_of(notice)})
    assert charter.url.path == "/charte"
    workspace = client.post("/charte", data={"accept": "oui", "csrf_token": csrf_of(charter)})
    assert workspace.url.path == "/espace"
    sign_in = [e for e in AuditLog.open(harness.settings.home).events() if e.action == "sign_in"]
    assert sign_in[-1].user == "camille.martin"
    assert sign_in[-1].extra["method"] == "oidc" and sign_in[-1].extra["acr"] == "eidas2"


def test_an_insufficient_acr_is_refused(tmp_path: Path, provider: str) -> None:
    harness = _harness(tmp_path, provider)
    _linked(harness, "paul.faible")
    client = harness.client()
    refused = through_provider(client, "paul.faible")
    assert refused.status_code == 400
    assert "niveau de sécurité exigé" in refused.text and "eidas1" in refused.text
    assert "egide_session" not in client.cookies


def test_an_identity_without_an_account_is_refused(tmp_path: Path, provider: str) -> None:
    harness = _harness(tmp_path, provider)
    client = harness.client()
    refused = through_provider(client, "sans.compte")
    assert refused.status_code == 403
    assert "aucun compte Égide ne lui correspond" in refused.text


def test_a_forged_callback_is_refused(tmp_path: Path, provider: str) -> None:
    harness = _harness(tmp_path, provider)
    _linked(harness, "camille.martin")
    client = harness.client()
    client.get("/connexion/oidc", follow_redirects=False)
    forged = client.get("/connexion/oidc/retour", params={"code": "x", "state": "pas-le-bon"})
    assert forged.status_code == 400 and "recommencez depuis la page de connexion" in forged.text
    stranger = harness.client()  # a browser that never started the flow
    assert (
        stranger.get("/connexion/oidc/retour", params={"code": "x", "state": "y"}).status_code
        == 400
    )


def test_a_provider_that_is_down_gets_a_clear_message(tmp_path: Path) -> None:
    harness = _harness(tmp_path, f"http://127.0.0.1:{free_port()}")
    page = harness.client().get("/connexion/oidc", follow_redirects=False)
    assert page.status_code == 502
    assert "ne répond pas" in page.text and "identifiant et votre mot de passe" in page.text
