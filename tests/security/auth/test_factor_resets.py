"""Finding 5: no single administrator ends up inside an agent's account by resetting its factors.

The attacker is an administrator of the portal who wants to read an agent's drafts: reset the
agent's second factor and password from /admin/utilisateurs, read the temporary password on
their own page, sign in as the agent and enrol their own authenticator.
"""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from egide.audit import AuditLog
from egide.auth import Role
from egide.auth.accounts import Actor
from tests.support.portal import (
    NEW_PASSWORD,
    Account,
    Clock,
    Page,
    PortalHarness,
    csrf_of,
    manual_key_of,
)

_SECRET = re.compile(r'id="mot-de-passe-valeur">([A-Z0-9-]+)<')


def _admin(harness: PortalHarness, login: str) -> TestClient:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user(login, Role.ADMINISTRATEUR))
    return client


def _agent(harness: PortalHarness, login: str = "cmartin") -> Account:
    account = harness.add_user(login, Role.AGENT)
    harness.first_sign_in(harness.client(), account)
    return account


def _act(client: TestClient, login: str, action: str) -> Page:
    page = client.get("/admin/utilisateurs")
    return client.post(f"/admin/utilisateurs/{login}/{action}", data={"csrf_token": csrf_of(page)})


def _secret(page: Page) -> str | None:
    found = _SECRET.search(page.text)
    return found.group(1) if found else None


def _walk_in_as(harness: PortalHarness, login: str, password: str) -> Page:
    """What the administrator would do with a temporary password: sign in, choose a password,
    enrol their own authenticator, and go as far as the account lets them."""
    client = harness.client()
    page = harness.post_sign_in(client, login, password)
    if page.url.path == "/connexion/mot-de-passe":
        page = client.post(
            "/connexion/mot-de-passe",
            data={"new_password": NEW_PASSWORD, "confirmation": NEW_PASSWORD,
                  "csrf_token": csrf_of(page)},
        )  # fmt: skip
    if page.url.path == "/connexion/enrolement":
        secret = manual_key_of(page)
        page = client.post(
            "/connexion/enrolement",
            data={"code": harness.clock.code(secret), "csrf_token": csrf_of(page)},
        )
    return client.get("/espace")


def test_one_administrator_cannot_reset_both_factors_and_walk_in(
    harness: PortalHarness, clock: Clock
) -> None:
    _agent(harness)
    chef = _admin(harness, "chef")
    totp = _act(chef, "cmartin", "reinitialiser-totp")
    assert totp.status_code == 200
    password = _act(chef, "cmartin", "reinitialiser-mot-de-passe")
    assert password.status_code == 400
    assert "réinitialisation complète" in html.unescape(password.text)
    assert _secret(password) is None
    # The other order: a temporary password first, then the second factor.
    _agent(harness, "lbernard")
    first = _act(chef, "lbernard", "reinitialiser-mot-de-passe")
    temporary = _secret(first)
    assert temporary is not None  # alone, it does not open the account: the TOTP stands
    second = _act(chef, "lbernard", "reinitialiser-totp")
    assert second.status_code == 400
    clock.advance(seconds=30)
    assert _walk_in_as(harness, "lbernard", temporary).url.path != "/espace"


def test_a_second_administrator_does_not_make_one_person_hold_both(
    harness: PortalHarness,
) -> None:
    _agent(harness)
    chef, adjoint = _admin(harness, "chef"), _admin(harness, "adjoint")
    assert _act(chef, "cmartin", "reinitialiser-totp").status_code == 200
    # A colleague's single reset would hand the colleague both factors: refused as well.
    refused = _act(adjoint, "cmartin", "reinitialiser-mot-de-passe")
    assert refused.status_code == 400 and _secret(refused) is None


def test_a_full_reset_needs_two_administrators_each_holding_half(
    harness: PortalHarness, clock: Clock
) -> None:
    agent = _agent(harness)
    chef, adjoint = _admin(harness, "chef"), _admin(harness, "adjoint")
    asked = _act(chef, "cmartin", "reinitialisation-complete")
    first_half = _secret(asked)
    assert first_half is not None and "Première moitié" in asked.text
    # Nothing changed yet: the agent still signs in with their own factors.
    home = harness.sign_in(harness.client(), agent)
    assert home.url.path == "/espace"
    again = _act(chef, "cmartin", "reinitialisation-complete")
    assert again.status_code == 400 and _secret(again) is None
    assert "autre administrateur" in html.unescape(again.text)
    confirmed = _act(adjoint, "cmartin", "reinitialisation-complete")
    second_half = _secret(confirmed)
    assert second_half is not None and "Seconde moitié" in confirmed.text
    clock.advance(seconds=30)
    for half in (first_half, second_half):  # one half is no password at all
        assert harness.post_sign_in(harness.client(), "cmartin", half).status_code == 400
        clock.advance(seconds=10)  # past the delay a failure brings
    # The agent, with both halves, gets in and is told who reset what, and when.
    client = harness.client()
    page = harness.post_sign_in(client, "cmartin", f"{first_half}-{second_half}")
    assert page.url.path == "/connexion/mot-de-passe"
    page = client.post(
        "/connexion/mot-de-passe",
        data={"new_password": "Un autre mot de passe 2026", "confirmation":
              "Un autre mot de passe 2026", "csrf_token": csrf_of(page)},
    )  # fmt: skip
    page = client.post(
        "/connexion/enrolement",
        data={"code": clock.code(manual_key_of(page)), "csrf_token": csrf_of(page)},
    )
    notice = client.get("/connexion/suite")
    assert notice.url.path == "/connexion/changements"
    told = html.unescape(notice.text)
    assert "demande de chef" in told and "confirmée par adjoint" in told
    assert client.get("/espace").url.path == "/connexion/changements"  # not skippable
    done = client.post("/connexion/changements", data={"csrf_token": csrf_of(notice)})
    assert done.url.path == "/espace"
    actions = [(e.user, e.action) for e in AuditLog.open(harness.settings.home).events()]
    assert ("chef", "user_full_reset_requested") in actions
    assert ("adjoint", "user_full_reset_approved") in actions
    assert ("cmartin", "account_changes_seen") in actions


def test_the_agent_is_told_of_a_single_reset_at_next_sign_in(
    harness: PortalHarness, clock: Clock
) -> None:
    agent = _agent(harness)
    chef = _admin(harness, "chef")
    temporary = _secret(_act(chef, "cmartin", "reinitialiser-mot-de-passe"))
    assert temporary is not None
    agent.password = temporary
    client = harness.client()
    page = harness.sign_in(client, agent)  # the temporary password, then the agent's own TOTP
    assert page.url.path == "/connexion/mot-de-passe"
    page = client.post(
        "/connexion/mot-de-passe",
        data={"new_password": "Encore un mot de passe 2026", "confirmation":
              "Encore un mot de passe 2026", "csrf_token": csrf_of(page)},
    )  # fmt: skip
    assert page.url.path == "/connexion/changements"
    assert "réinitialisé par chef" in html.unescape(page.text)


def test_a_request_left_unconfirmed_expires(harness: PortalHarness, clock: Clock) -> None:
    _agent(harness)
    chef = _admin(harness, "chef")
    assert _secret(_act(chef, "cmartin", "reinitialisation-complete")) is not None
    clock.advance(hours=25)
    # A day later the colleague's confirmation is a new request, not the approval of a stale
    # one: nothing changes until a third person confirms it.
    _, _, done = harness.portal.accounts.full_reset(Actor("adjoint"), "cmartin")
    assert not done
    assert harness.portal.users.named("cmartin").totp_enrolled
