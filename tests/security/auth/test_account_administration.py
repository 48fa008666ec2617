"""Findings 12 and 16 (placeholder): an account is named one way only, whoever writes its name.

The attacker writes a login in capitals, in full-width letters or like the audit trail's
placeholder for unknown logins, hoping that one check compares it differently than another.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from egide.audit import AuditLog
from egide.auth import Role
from egide.auth.service import UNKNOWN_ACCOUNT
from egide.auth.users import LOGIN_PATTERN
from egide.store.errors import StoreError
from tests.support.portal import Account, Clock, PortalHarness, csrf_of


def _admin(harness: PortalHarness) -> tuple[TestClient, Account]:
    client = harness.client()
    account = harness.add_user("chef", Role.ADMINISTRATEUR)
    harness.first_sign_in(client, account)
    return client, account


@pytest.mark.parametrize("written", ["CHEF", "Chef", " chef", "ｃｈｅｆ"])
@pytest.mark.parametrize(("action", "role"), [("desactiver", ""), ("role", "agent")])
def test_an_administrator_cannot_disable_nor_demote_themselves_however_written(
    harness: PortalHarness, written: str, action: str, role: str
) -> None:
    client, _ = _admin(harness)
    page = client.get("/admin/utilisateurs")
    answer = client.post(
        f"/admin/utilisateurs/{written}/{action}",
        data={"csrf_token": csrf_of(page), "role": role},
    )
    assert answer.status_code == 400
    chef = harness.portal.users.named("chef")
    assert chef.role is Role.ADMINISTRATEUR and not chef.disabled
    assert client.get("/admin/utilisateurs").status_code == 200


def test_every_way_of_writing_a_login_counts_against_the_same_account(
    harness: PortalHarness, clock: Clock
) -> None:
    account = harness.add_user("cmartin")
    harness.first_sign_in(harness.client(), account)
    for written in ("CMARTIN", "CMartin", "ｃｍａｒｔｉｎ", "cmartin "):
        clock.advance(seconds=10)
        assert harness.post_sign_in(harness.client(), written, "pas le bon").status_code == 400
    clock.advance(seconds=10)
    # The fifth failure, whatever its spelling, locks the account: the right password waits.
    harness.post_sign_in(harness.client(), "cMARTIN", "toujours pas")
    clock.advance(seconds=10)
    locked = harness.post_sign_in(harness.client(), "cmartin", account.password)
    assert locked.status_code == 429


def test_no_account_can_be_named_like_the_unknown_login_placeholder(
    harness: PortalHarness,
) -> None:
    assert not LOGIN_PATTERN.fullmatch(UNKNOWN_ACCOUNT)
    with pytest.raises(StoreError):
        harness.portal.users.add(UNKNOWN_ACCOUNT, Role.AGENT)
    # The names the trail gives to the command line's actors are outside the grammar too.
    with pytest.raises(StoreError):
        harness.portal.users.add("cli:root", Role.AGENT)
    harness.post_sign_in(harness.client(), "personne", "un mot de passe")
    failed = [e for e in AuditLog.open(harness.settings).events() if e.action == "sign_in_failed"]
    assert [e.user for e in failed] == [UNKNOWN_ACCOUNT]
    assert all(user.login != UNKNOWN_ACCOUNT for user in harness.portal.users.list())
