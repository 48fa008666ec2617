"""Finding 1: an OpenID Connect provider answer reaches only the account provisioned for it.

The attacker controls an account at the identity provider (or at any provider the portal
trusts): they name it ``admin``, give it ``admin@attacker.example`` or ``ADMIN@interieur.gouv.fr``,
leave its address unverified or copy a colleague's address — and hope that Égide picks an
account by name. Égide runs in-process; the provider is the real node-oidc-provider
(``tests/oidc``), started by the tests on loopback.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest

from egide.audit import AuditLog
from egide.auth import Role
from egide.auth.accounts import AccountRefused, Actor
from egide.auth.service import UNKNOWN_ACCOUNT
from egide.config import load_settings
from tests.support.oidc_provider import CLIENT_SECRET, oidc_provider, through_provider
from tests.support.portal import PortalHarness

pytestmark = pytest.mark.integration

CALLBACK = "http://testserver/connexion/oidc/retour"
DOMAIN = "interieur.gouv.fr"
CAMILLE = f"camille.martin@{DOMAIN}"


def _account(claims: dict[str, object]) -> dict[str, object]:
    return {"acr": "eidas2", "claims": claims}


# Provider accounts, by their subject (``sub``).
PROVIDER_ACCOUNTS = {
    "mallory": _account(
        {"preferred_username": "admin", "email": "admin@attacker.example", "email_verified": True}
    ),
    "mallory-interieur": _account(
        {"preferred_username": "admin", "email": f"ADMIN@{DOMAIN}", "email_verified": True}
    ),
    "c4m1ll3": _account({"email": CAMILLE, "email_verified": True}),
    "camille-non-verifiee": _account({"email": CAMILLE, "email_verified": False}),
    "camille-verifiee-en-texte": _account({"email": CAMILLE, "email_verified": "true"}),
    "usurpateur": _account({"email": CAMILLE.upper(), "email_verified": True}),
    "pdurand-idp": _account({"preferred_username": "pdurand"}),
    "lbernard-idp": _account({"preferred_username": "lbernard"}),
    "sduval-idp": _account({"preferred_username": "sduval"}),
}


@pytest.fixture(autouse=True)
def _client_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGIDE_TEST_OIDC_SECRET", CLIENT_SECRET)


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with oidc_provider([CALLBACK], PROVIDER_ACCOUNTS) as issuer:
        yield issuer


def _harness(tmp_path: Path, issuer: str, extra: str = "") -> PortalHarness:
    config = tmp_path / "egide.toml"
    config.write_text(
        f"""
[portal.oidc]
issuer = "{issuer}"
client_id = "egide"
client_secret_env = "EGIDE_TEST_OIDC_SECRET"
required_acr = ["eidas2"]
{extra}
""",
        encoding="utf-8",
    )
    harness = PortalHarness(load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")}))
    harness.add_user("admin", Role.ADMINISTRATEUR)
    harness.add_user("camille.martin", Role.AGENT)
    return harness


def _signed_in_as(harness: PortalHarness) -> list[str]:
    return [e.user for e in AuditLog.open(harness.settings).events() if e.action == "sign_in"]


def test_a_provider_account_named_like_the_administrator_reaches_nothing(
    tmp_path: Path, provider: str
) -> None:
    harness = _harness(tmp_path, provider)
    client = harness.client()
    refused = through_provider(client, "mallory")
    assert refused.status_code == 403
    assert "aucun compte Égide ne lui correspond" in html.unescape(refused.text)
    assert "egide_session" not in client.cookies
    assert client.get("/admin/utilisateurs").url.path == "/connexion"
    assert _signed_in_as(harness) == []
    failed = [e for e in AuditLog.open(harness.settings).events() if e.action == "sign_in_failed"]
    assert [(e.user, e.extra["step"]) for e in failed] == [(UNKNOWN_ACCOUNT, "oidc")]


def test_a_verified_address_reaches_only_the_account_waiting_for_it_and_only_once(
    tmp_path: Path, provider: str
) -> None:
    harness = _harness(tmp_path, provider, f'email_domains = ["{DOMAIN}"]')
    # The administrator's address at the right domain: no account was provisioned for it.
    assert through_provider(harness.client(), "mallory-interieur").status_code == 403
    harness.portal.accounts.link_oidc(Actor("chef"), "camille.martin", email=CAMILLE)
    # The right address, but the provider does not vouch for it (false, or a string "true").
    assert through_provider(harness.client(), "camille-non-verifiee").status_code == 403
    assert through_provider(harness.client(), "camille-verifiee-en-texte").status_code == 403
    first = through_provider(harness.client(), "c4m1ll3")
    assert first.status_code == 200
    linked = [e for e in AuditLog.open(harness.settings).events() if e.action == "oidc_linked"]
    assert [(e.user, e.extra) for e in linked] == [
        ("camille.martin", {"how": "email", "domain": DOMAIN})
    ]
    # Bound now: another provider account with the same verified address reaches nothing.
    assert through_provider(harness.client(), "usurpateur").status_code == 403
    assert through_provider(harness.client(), "c4m1ll3").status_code == 200
    assert _signed_in_as(harness) == ["camille.martin", "camille.martin"]


def test_administrators_are_not_reached_through_the_provider(tmp_path: Path, provider: str) -> None:
    harness = _harness(tmp_path, provider)
    with pytest.raises(AccountRefused):
        harness.portal.accounts.link_oidc(Actor("chef"), "admin", subject="mallory")
    # An agent linked to the provider, promoted later: the provider no longer opens it.
    harness.add_user("pdurand", Role.AGENT)
    harness.portal.accounts.link_oidc(Actor("chef"), "pdurand", subject="pdurand-idp")
    harness.portal.accounts.set_role(Actor("chef"), "pdurand", Role.ADMINISTRATEUR)
    refused = through_provider(harness.client(), "pdurand-idp")
    assert refused.status_code == 403
    assert "administrateurs ne se connectent pas" in html.unescape(refused.text)
    assert _signed_in_as(harness) == []


def test_one_administrator_cannot_bind_their_own_identity_to_a_used_account(
    tmp_path: Path, provider: str
) -> None:
    harness = _harness(tmp_path, provider)
    owner = harness.add_user("lbernard", Role.AGENT)
    # Linked by one administrator while the account was new (its creator held its password
    # anyway) — then the owner takes the account over with their own password and TOTP.
    harness.portal.accounts.link_oidc(Actor("chef"), "lbernard", subject="lbernard-idp")
    harness.first_sign_in(harness.client(), owner)
    lapsed = through_provider(harness.client(), "lbernard-idp")
    assert lapsed.status_code == 403
    assert "n'est plus valable" in html.unescape(lapsed.text)
    # On a used account, a link waits for a second, different administrator.
    _, done = harness.portal.accounts.link_oidc(Actor("chef"), "lbernard", subject="lbernard-idp")
    assert not done
    assert through_provider(harness.client(), "lbernard-idp").status_code == 403
    with pytest.raises(AccountRefused):
        harness.portal.accounts.approve_oidc(Actor("chef"), "lbernard")
    harness.portal.accounts.approve_oidc(Actor("adjoint"), "lbernard")
    assert through_provider(harness.client(), "lbernard-idp").status_code == 200
    assert _signed_in_as(harness)[-1] == "lbernard"


def test_the_creators_temporary_password_dies_at_the_first_sign_in_through_the_provider(
    tmp_path: Path, provider: str
) -> None:
    harness = _harness(tmp_path, provider)
    created = harness.add_user("sduval", Role.AGENT)  # the creator read this password
    harness.portal.accounts.link_oidc(Actor("chef"), "sduval", subject="sduval-idp")
    assert through_provider(harness.client(), "sduval-idp").status_code == 200
    # The account now holds its owner's work: the password only its creator ever knew is dead.
    page = harness.post_sign_in(harness.client(), "sduval", created.password)
    assert page.status_code == 400 and page.url.path == "/connexion"
