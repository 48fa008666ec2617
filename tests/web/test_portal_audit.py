"""The sign-in journey in the audit trail: who signed in, how, what failed — never a secret."""

from __future__ import annotations

from egide.audit import AuditLog
from egide.auth.service import UNKNOWN_ACCOUNT
from tests.support.portal import PortalHarness, csrf_of


def _events(harness: PortalHarness) -> list[tuple[str, str]]:
    return [(e.user, e.action) for e in AuditLog.open(harness.settings.home).events()]


def test_first_sign_in_and_sign_out_are_recorded(harness: PortalHarness) -> None:
    client = harness.client()
    account = harness.add_user("cmartin")
    page = harness.first_sign_in(client, account)
    client.post("/deconnexion", data={"csrf_token": csrf_of(page)})
    assert _events(harness) == [
        ("cmartin", "password_changed"),
        ("cmartin", "totp_enrolled"),
        ("cmartin", "sign_in"),
        ("cmartin", "charter_accepted"),
        ("cmartin", "sign_out"),
    ]
    sign_in = next(
        e for e in AuditLog.open(harness.settings.home).events() if e.action == "sign_in"
    )
    assert sign_in.extra == {"method": "enrolment", "ip": "testclient"}
    assert AuditLog.open(harness.settings.home).verify().ok


def test_failures_name_the_account_but_never_what_was_typed(harness: PortalHarness) -> None:
    client = harness.client()
    account = harness.add_user("cmartin")
    harness.first_sign_in(client, account)
    other = harness.client()
    harness.post_sign_in(other, "cmartin", "pas le bon mot de passe")
    harness.post_sign_in(other, "Mon mot de passe secret", "x")
    failures = [
        e for e in AuditLog.open(harness.settings.home).events() if e.action == "sign_in_failed"
    ]
    assert [(e.user, e.extra["step"]) for e in failures] == [
        ("cmartin", "password"),
        (UNKNOWN_ACCOUNT, "password"),
    ]
    raw = (harness.settings.home / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    assert "secret" not in raw.lower() and "pas le bon" not in raw


def test_a_wrong_totp_code_is_recorded(harness: PortalHarness) -> None:
    client = harness.client()
    account = harness.add_user("cmartin")
    harness.first_sign_in(client, account)
    other = harness.client()
    harness.clock.advance(seconds=30)
    page = harness.post_sign_in(other, "cmartin", account.password)
    other.post("/connexion/code", data={"code": "000000", "csrf_token": csrf_of(page)})
    last = list(AuditLog.open(harness.settings.home).events())[-1]
    assert (last.user, last.action, last.extra["step"]) == ("cmartin", "sign_in_failed", "totp")
