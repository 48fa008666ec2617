"""« Mon compte »: an agent changes their password and renews their recovery codes alone —
after their current password, never twice by a reload, and every change in the audit trail."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from urllib.parse import unquote

from fastapi.testclient import TestClient

from egide.audit import AuditLog
from egide.auth.own_account import BY_PROVIDER
from egide.auth.sessions import OIDC_METHOD, SessionState
from tests.support.portal import NEW_PASSWORD, Account, PortalHarness, csrf_of, recovery_codes_of

OTHER_PASSWORD = "Une autre phrase pour l'hiver 2027"


def _signed_in(harness: PortalHarness) -> tuple[TestClient, Account]:
    client = harness.client()
    account = harness.add_user("cmartin", display_name="Claire Martin", service="Cabinet")
    harness.first_sign_in(client, account)
    return client, account


def _actions(harness: PortalHarness) -> list[str]:
    return [e.action for e in AuditLog.open(harness.settings).events()]


def test_the_account_page_says_who_i_am(harness: PortalHarness) -> None:
    client, _ = _signed_in(harness)
    page = html.unescape(client.get("/compte").text)
    assert "<dt>Identifiant</dt><dd>cmartin</dd>" in page
    assert "<dt>Service</dt><dd>Cabinet</dd>" in page
    assert "Il vous reste <strong>10</strong> codes de secours sur 10" in page
    assert 'id="utilisateur-courant" aria-current="page"' in page  # the header's link is here


def test_a_wrong_current_password_changes_nothing(harness: PortalHarness) -> None:
    client, account = _signed_in(harness)
    form = client.get("/compte")
    page = client.post(
        "/compte/mot-de-passe",
        data={"csrf_token": csrf_of(form), "current_password": "pas le mien",
              "new_password": OTHER_PASSWORD, "confirmation": OTHER_PASSWORD},
    )  # fmt: skip
    text = html.unescape(page.text)
    assert page.status_code == 400
    assert "Votre mot de passe actuel est incorrect : rien n'a été changé." in text
    assert re.search(r'id="erreur-compte" tabindex="-1" data-egide-focus', text)
    assert 'aria-describedby="erreur-compte" aria-invalid="true"' in text
    assert "pas le mien" not in text and OTHER_PASSWORD not in text  # never echoed
    assert harness.portal.credentials.is_password(
        harness.portal.users.named("cmartin").id, account.password
    )
    assert _actions(harness)[-1] == "reauthentication_failed"
    raw = (harness.settings.home / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    assert "pas le mien" not in raw


def test_the_current_password_cannot_be_guessed_from_an_open_session(
    harness: PortalHarness,
) -> None:
    """A session left open must not let anyone try passwords: the account's lockout counts."""
    client, account = _signed_in(harness)
    form = client.get("/compte")
    statuses = []
    for attempt in range(6):
        harness.clock.advance(seconds=20)
        page = client.post(
            "/compte/codes-de-secours",
            data={"csrf_token": csrf_of(form), "current_password": f"essai {attempt}"},
        )
        statuses.append(page.status_code)
    assert statuses[:4] == [400] * 4 and statuses[4:] == [429, 429]
    assert "Retry-After" in page.headers
    harness.clock.advance(seconds=20)
    locked = client.post(
        "/compte/codes-de-secours",
        data={"csrf_token": csrf_of(form), "current_password": account.password},
    )
    assert locked.status_code == 429  # even the right one waits for the lockout to end
    assert (
        harness.portal.credentials.recovery_codes_left(harness.portal.users.named("cmartin").id)
        == 10
    )


def test_changing_the_password_ends_the_other_sessions_and_says_so_once(
    harness: PortalHarness,
) -> None:
    client, account = _signed_in(harness)
    elsewhere = harness.client()
    harness.sign_in(elsewhere, account)
    assert elsewhere.get("/espace").url.path == "/espace"
    form = client.get("/compte")
    too_short = client.post(
        "/compte/mot-de-passe",
        data={"csrf_token": csrf_of(form), "current_password": NEW_PASSWORD,
              "new_password": "court", "confirmation": "court"},
    )  # fmt: skip
    assert too_short.status_code == 400
    assert 'id="nouveau-mot-de-passe" name="new_password" required' in too_short.text
    assert 'aria-describedby="nouveau-mot-de-passe-aide erreur-compte"' in too_short.text
    harness.clock.advance(seconds=10)
    done = client.post(
        "/compte/mot-de-passe",
        data={"csrf_token": csrf_of(form), "current_password": NEW_PASSWORD,
              "new_password": OTHER_PASSWORD, "confirmation": OTHER_PASSWORD},
    )  # fmt: skip
    assert done.url.path == "/compte" and done.history[0].status_code == 303
    assert "Vos autres sessions, sur vos autres appareils, sont fermées." in html.unescape(
        done.text
    )
    assert "sont fermées" not in client.get("/compte").text  # shown once
    assert elsewhere.get("/espace").url.path == "/connexion"
    assert client.get("/espace").url.path == "/espace"
    assert _actions(harness).count("password_changed") == 2  # first sign-in, then this one
    account.password = OTHER_PASSWORD
    harness.sign_in(harness.client(), account)  # the new password opens the account


def test_new_recovery_codes_are_shown_once_and_replace_the_old_ones(
    harness: PortalHarness,
) -> None:
    client, account = _signed_in(harness)
    old = account.recovery_codes
    form = client.get("/compte")
    page = client.post(
        "/compte/codes-de-secours",
        data={"csrf_token": csrf_of(form), "current_password": account.password},
    )
    assert page.url.path == "/connexion/codes-de-secours"
    codes = recovery_codes_of(page)
    assert len(codes) == 10 and not set(codes) & set(old)
    assert 'href="/compte" id="continuer"' in page.text
    download = re.search(r'href="data:text/plain;charset=utf-8,([^"]+)"', page.text)
    assert download is not None
    text = unquote(download.group(1))
    assert all(code in text for code in codes) and "compte « cmartin »" in text
    again = client.get("/connexion/codes-de-secours?suite=compte")
    assert recovery_codes_of(again) == [] and 'id="codes-deja-affiches"' in again.text
    assert _actions(harness)[-1] == "recovery_codes_renewed"

    user_id = harness.portal.users.named("cmartin").id
    now = datetime.now(UTC)
    assert not harness.portal.credentials.use_recovery_code(user_id, old[0], now)
    assert harness.portal.credentials.use_recovery_code(user_id, codes[0], now)


def test_a_session_opened_by_the_identity_provider_has_no_password_here(
    harness: PortalHarness,
) -> None:
    _, account = _signed_in(harness)
    user = harness.portal.users.named("cmartin")
    now = harness.clock.now
    state = SessionState("x" * 64, user.id, "jeton", now, now, now, False, False, OIDC_METHOD)
    outcome = harness.portal.own_account.change_password(
        state, user, current=account.password, new=OTHER_PASSWORD,
        confirmation=OTHER_PASSWORD, address="10.0.0.1",
    )  # fmt: skip
    assert not outcome.ok and outcome.message == BY_PROVIDER
    assert harness.portal.credentials.is_password(user.id, account.password)
