"""The sign-in journey through the real pages: first sign-in, later sign-ins, second factor."""

import re

import pyotp
import pytest
from fastapi.testclient import TestClient

from egide.auth import Role
from egide.auth.accounts import Actor
from tests.support.portal import (
    NEW_PASSWORD,
    Clock,
    Page,
    PortalHarness,
    csrf_of,
    manual_key_of,
    recovery_codes_of,
)


def _title(page_text: str) -> str:
    found = re.search(r"<title>([^<]*)</title>", page_text)
    assert found
    return found.group(1)


def test_first_sign_in_goes_through_every_step(harness: PortalHarness, clock: Clock) -> None:
    account = harness.add_user("cmartin", Role.AGENT, display_name="Claire Martin")
    client = harness.client()

    page: Page = client.get("/")
    assert page.url.path == "/connexion"
    assert _title(page.text) == "Connexion — Égide"
    assert '<html lang="fr"' in page.text

    page = harness.post_sign_in(client, "cmartin", account.password)
    assert page.url.path == "/connexion/mot-de-passe"
    assert _title(page.text) == "Choix du mot de passe — Égide"

    # The temporary password is not an acceptable new one, nor a short one.
    for new in (account.password, "court"):
        refused = client.post(
            "/connexion/mot-de-passe",
            data={"new_password": new, "confirmation": new, "csrf_token": csrf_of(page)},
        )
        assert refused.status_code == 400
        assert 'aria-describedby="nouveau-mot-de-passe-aide nouveau-mot-de-passe-erreur"' in (
            refused.text
        )
    page = client.post(
        "/connexion/mot-de-passe",
        data={"new_password": NEW_PASSWORD, "confirmation": NEW_PASSWORD,
              "csrf_token": csrf_of(page)},
    )  # fmt: skip
    assert page.url.path == "/connexion/enrolement"
    assert "<svg" in page.text and 'class="egide-qr"' in page.text
    secret = manual_key_of(page)
    assert len(secret) == 32

    # Reloading the page keeps the same key: the phone may already have scanned it.
    assert manual_key_of(client.get("/connexion/enrolement")) == secret
    wrong = client.post(
        "/connexion/enrolement", data={"code": "000000", "csrf_token": csrf_of(page)}
    )
    assert wrong.status_code == 400
    assert 'id="code-totp-erreur"' in wrong.text
    clock.advance(seconds=2)
    page = client.post(
        "/connexion/enrolement", data={"code": clock.code(secret), "csrf_token": csrf_of(page)}
    )
    assert page.url.path == "/connexion/codes-de-secours"
    codes = recovery_codes_of(page)
    assert len(codes) == len(set(codes)) == 10

    # Shown once: the same page never shows them again.
    again = client.get("/connexion/codes-de-secours")
    assert recovery_codes_of(again) == []
    assert 'id="codes-deja-affiches"' in again.text

    page = client.get("/connexion/suite")
    assert page.url.path == "/charte"
    assert "J'ai lu et j'accepte la charte" in page.text
    assert client.get("/espace").url.path == "/charte"  # no way round the charter
    unchecked = client.post("/charte", data={"csrf_token": csrf_of(page)})
    assert unchecked.status_code == 400
    assert 'aria-describedby="accepte-charte-erreur"' in unchecked.text
    page = client.post("/charte", data={"accept": "oui", "csrf_token": csrf_of(page)})
    assert page.url.path == "/espace"
    assert _title(page.text) == "Espace de travail — Égide"
    assert "Claire Martin" in page.text


def test_later_sign_in_asks_for_the_code_only(harness: PortalHarness, clock: Clock) -> None:
    account = harness.add_user("lpetit")
    harness.first_sign_in(harness.client(), account)

    client = harness.client()
    clock.advance(seconds=30)
    page = harness.post_sign_in(client, "LPetit ", account.password)  # login is case-insensitive
    assert page.url.path == "/connexion/code"
    assert _title(page.text) == "Code de validation — Égide"
    assert client.get("/espace").url.path == "/connexion/code"
    page = client.post(
        "/connexion/code", data={"code": clock.code(account.secret), "csrf_token": csrf_of(page)}
    )
    assert page.url.path == "/espace"


def test_a_totp_code_opens_one_session_only(harness: PortalHarness, clock: Clock) -> None:
    account = harness.add_user("jbernard")
    harness.first_sign_in(harness.client(), account)
    clock.advance(seconds=30)
    code = clock.code(account.secret)

    first, second = harness.client(), harness.client()
    page_one = harness.post_sign_in(first, "jbernard", account.password)
    page_two = harness.post_sign_in(second, "jbernard", account.password)
    accepted = first.post("/connexion/code", data={"code": code, "csrf_token": csrf_of(page_one)})
    assert accepted.url.path == "/espace"
    clock.advance(seconds=2)  # past the growing delay, still within the same 30-second step
    replayed = second.post("/connexion/code", data={"code": code, "csrf_token": csrf_of(page_two)})
    assert replayed.status_code == 400
    assert "déjà utilisé" in replayed.text
    assert second.get("/espace").url.path == "/connexion/code"


@pytest.mark.parametrize("offset_s", [-30, 0, 30])
def test_codes_one_step_away_are_accepted(
    harness: PortalHarness, clock: Clock, offset_s: int
) -> None:
    account = harness.add_user("mrobert")
    harness.first_sign_in(harness.client(), account)
    clock.advance(minutes=2)
    client = harness.client()
    page = harness.post_sign_in(client, "mrobert", account.password)
    code = pyotp.TOTP(account.secret).at(clock.now.timestamp() + offset_s)
    page = client.post("/connexion/code", data={"code": code, "csrf_token": csrf_of(page)})
    assert page.url.path == "/espace"


@pytest.mark.parametrize("offset_s", [-90, 90])
def test_codes_further_away_are_refused(
    harness: PortalHarness, clock: Clock, offset_s: int
) -> None:
    account = harness.add_user("arichard")
    harness.first_sign_in(harness.client(), account)
    clock.advance(minutes=2)
    client = harness.client()
    page = harness.post_sign_in(client, "arichard", account.password)
    code = pyotp.TOTP(account.secret).at(clock.now.timestamp() + offset_s)
    refused = client.post("/connexion/code", data={"code": code, "csrf_token": csrf_of(page)})
    assert refused.status_code == 400


def test_a_recovery_code_works_once(harness: PortalHarness, clock: Clock) -> None:
    account = harness.add_user("sdurand")
    harness.first_sign_in(harness.client(), account)
    code = account.recovery_codes[3]

    client = harness.client()
    page = harness.post_sign_in(client, "sdurand", account.password)
    # Typed by hand: lower case, spaces instead of dashes.
    typed = code.lower().replace("-", " ")
    page = client.post(
        "/connexion/code-de-secours", data={"recovery_code": typed, "csrf_token": csrf_of(page)}
    )
    assert page.url.path == "/espace"

    clock.advance(minutes=1)
    other = harness.client()
    page = harness.post_sign_in(other, "sdurand", account.password)
    refused = other.post(
        "/connexion/code-de-secours", data={"recovery_code": code, "csrf_token": csrf_of(page)}
    )
    assert refused.status_code == 400
    assert 'id="code-de-secours-erreur"' in refused.text
    assert other.get("/espace").url.path == "/connexion/code"
    assert (
        harness.portal.credentials.recovery_codes_left(harness.portal.users.named("sdurand").id)
        == 9
    )


def test_few_recovery_codes_left_are_announced(harness: PortalHarness, clock: Clock) -> None:
    account = harness.add_user("pmoreau")
    harness.first_sign_in(harness.client(), account)
    user_id = harness.portal.users.named("pmoreau").id
    for code in account.recovery_codes[:7]:
        assert harness.portal.credentials.use_recovery_code(user_id, code, clock.now)
    client = harness.client()
    page = harness.sign_in(client, account)
    assert 'id="alerte-codes-de-secours"' in page.text
    assert "Il vous reste 3 codes de secours" in page.text


def test_a_password_reset_asks_for_the_code_before_the_new_password(
    harness: PortalHarness, clock: Clock
) -> None:
    account = harness.add_user("tgarnier")
    harness.first_sign_in(harness.client(), account)
    _, temporary = harness.portal.accounts.reset_password(Actor("chef"), "tgarnier")

    client = harness.client()
    clock.advance(seconds=30)
    page = harness.post_sign_in(client, "tgarnier", temporary)
    assert page.url.path == "/connexion/code"
    assert client.get("/connexion/mot-de-passe").url.path == "/connexion/code"
    page = client.post(
        "/connexion/code", data={"code": clock.code(account.secret), "csrf_token": csrf_of(page)}
    )
    assert page.url.path == "/connexion/mot-de-passe"


def test_a_totp_reset_enrols_again(harness: PortalHarness, clock: Clock) -> None:
    account = harness.add_user("nfaure")
    harness.first_sign_in(harness.client(), account)
    harness.portal.accounts.reset_totp(Actor("chef"), "nfaure")

    client = harness.client()
    page = harness.post_sign_in(client, "nfaure", account.password)
    assert page.url.path == "/connexion/enrolement"
    assert manual_key_of(page) != account.secret


@pytest.mark.parametrize(
    ("login", "password"),
    [
        ("cmartin", "pas le bon mot de passe"),
        ("inconnu", "pas le bon mot de passe"),
        ("cmartin", ""),
    ],
)
def test_wrong_credentials_get_one_answer(
    harness: PortalHarness, login: str, password: str
) -> None:
    harness.add_user("cmartin")
    client = harness.client()
    page = harness.post_sign_in(client, login, password)
    assert page.status_code == 400
    assert page.url.path == "/connexion"
    assert 'role="alert"' in page.text
    assert 'aria-describedby="erreur-connexion"' in page.text
    assert "egide_session" not in client.cookies


def test_a_disabled_account_cannot_sign_in_and_loses_its_sessions(
    harness: PortalHarness,
) -> None:
    account = harness.add_user("gblanc")
    client = harness.client()
    harness.first_sign_in(client, account)
    harness.portal.users.disable("gblanc")
    assert client.get("/espace").url.path == "/connexion"
    page = harness.post_sign_in(harness.client(), "gblanc", account.password)
    assert page.status_code == 400
    assert "désactivé" in page.text


def test_an_unfinished_sign_in_expires_after_a_quarter_of_an_hour(
    harness: PortalHarness, clock: Clock
) -> None:
    account = harness.add_user("vroux")
    client: TestClient = harness.client()
    page = harness.post_sign_in(client, "vroux", account.password)
    assert page.url.path == "/connexion/mot-de-passe"
    for _ in range(2):  # active, but never past the password step
        clock.advance(minutes=5)
        assert client.get("/connexion/mot-de-passe").url.path == "/connexion/mot-de-passe"
    clock.advance(minutes=5)
    assert client.get("/connexion/mot-de-passe").url.path == "/connexion"
