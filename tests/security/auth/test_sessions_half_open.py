"""Finding 11: a session opened with the password alone stays within its own half-open session.

The attacker holds the agent's password (phished, reused) but not their authenticator.
"""

from __future__ import annotations

from egide.audit import AuditLog
from tests.support.portal import Clock, PortalHarness, csrf_of


def test_a_password_alone_cannot_sign_its_owner_out_everywhere(
    harness: PortalHarness, clock: Clock
) -> None:
    account = harness.add_user("cmartin")
    victim = harness.client()
    harness.first_sign_in(victim, account)
    attacker = harness.client()
    clock.advance(seconds=30)
    half_open = harness.post_sign_in(attacker, "cmartin", account.password)
    assert half_open.url.path == "/connexion/code"
    answer = attacker.post("/deconnexion-partout", data={"csrf_token": csrf_of(half_open)})
    assert answer.url.path == "/connexion/code"  # sent back to the step it has not passed
    assert victim.get("/espace").url.path == "/espace"  # the agent's session lives on
    assert harness.portal.sessions.count(harness.portal.users.named("cmartin").id) == 2
    actions = [e.action for e in AuditLog.open(harness.settings).events()]
    assert "sign_out_everywhere" not in actions


def test_both_factors_do_sign_out_everywhere(harness: PortalHarness) -> None:
    account = harness.add_user("cmartin")
    first, second = harness.client(), harness.client()
    harness.first_sign_in(first, account)
    page = harness.sign_in(second, account)
    second.post("/deconnexion-partout", data={"csrf_token": csrf_of(page)})
    assert first.get("/espace").url.path == "/connexion"
