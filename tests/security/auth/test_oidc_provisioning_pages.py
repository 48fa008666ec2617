"""Finding 1, the administrators' side: provisioning an account for the provider from
/admin/utilisateurs — at once for a new account, under two administrators for a used one."""

from __future__ import annotations

import html
from pathlib import Path

from fastapi.testclient import TestClient

from egide.audit import AuditLog
from egide.auth import Role
from egide.config import load_settings
from tests.support.portal import Clock, PortalHarness, csrf_of

DOMAIN = "interieur.gouv.fr"


def _harness(tmp_path: Path) -> PortalHarness:
    config = tmp_path / "egide.toml"
    # The provider is never contacted here: only the administration pages are used.
    config.write_text(
        f"""
[portal.oidc]
issuer = "https://fournisseur.invalid"
client_id = "egide"
required_acr = ["eidas2"]
email_domains = ["{DOMAIN}"]
""",
        encoding="utf-8",
    )
    return PortalHarness(
        load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")}), Clock()
    )


def _admin(harness: PortalHarness, login: str) -> TestClient:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user(login, Role.ADMINISTRATEUR))
    return client


def _link(client: TestClient, login: str, **fields: str) -> str:
    page = client.get("/admin/utilisateurs")
    answer = client.post(
        "/admin/rattachements", data={"csrf_token": csrf_of(page), "login": login, **fields}
    )
    return html.unescape(answer.text)


def test_accounts_are_provisioned_explicitly_and_used_ones_by_two(tmp_path: Path) -> None:
    harness = _harness(tmp_path)
    chef, adjoint = _admin(harness, "chef"), _admin(harness, "adjoint")
    harness.add_user("nouveau", Role.AGENT)
    assert "est rattaché au fournisseur" in _link(chef, "nouveau", email=f"n.ouveau@{DOMAIN}")
    # Another domain, or an administrator's account: refused.
    assert "n'est pas de ceux" in _link(chef, "nouveau", email="n.ouveau@attacker.example")
    assert "administrateurs ne se connectent pas" in _link(chef, "adjoint", subject="x")
    # A used account: a request that the same administrator cannot confirm.
    agent = harness.add_user("cmartin", Role.AGENT)
    harness.first_sign_in(harness.client(), agent)
    assert "attend la confirmation" in _link(chef, "cmartin", subject="sub-de-chef")
    page = chef.get("/admin/utilisateurs")
    assert "en attente d'un autre administrateur" in html.unescape(page.text)
    own = chef.post(
        "/admin/utilisateurs/cmartin/confirmer-fournisseur", data={"csrf_token": csrf_of(page)}
    )
    assert own.status_code == 400
    assert harness.portal.identities.list()[0].login == "nouveau"  # nothing for cmartin yet
    page = adjoint.get("/admin/utilisateurs")
    assert 'action="/admin/utilisateurs/cmartin/confirmer-fournisseur"' in page.text
    assert "(identifiant sub-de-chef)" in page.text  # what the second administrator confirms
    confirmed = adjoint.post(
        "/admin/utilisateurs/cmartin/confirmer-fournisseur", data={"csrf_token": csrf_of(page)}
    )
    assert "est confirmé" in html.unescape(confirmed.text)
    bound = {i.login: i for i in harness.portal.identities.list()}
    assert bound["cmartin"].subject == "sub-de-chef"
    assert (bound["cmartin"].created_by, bound["cmartin"].approved_by) == ("chef", "adjoint")
    actions = [(e.user, e.action) for e in AuditLog.open(harness.settings).events()]
    assert ("chef", "oidc_provisioned") in actions
    assert ("chef", "oidc_link_requested") in actions
    assert ("adjoint", "oidc_link_approved") in actions
    # The owner is told at their next sign-in.
    page = harness.sign_in(harness.client(), agent)
    assert page.url.path == "/connexion/changements"
    assert "confirmé par adjoint" in html.unescape(page.text)
