"""Session timeouts, signing out (here and everywhere), and held-back sign-in attempts."""

import re
from pathlib import Path

import pytest

from egide.config import load_settings
from tests.support.portal import Clock, PortalHarness, csrf_of


def test_a_session_ends_after_thirty_idle_minutes(harness: PortalHarness, clock: Clock) -> None:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("cmartin"))
    for _ in range(3):  # an hour and a half of steady activity
        clock.advance(minutes=29)
        assert client.get("/espace").url.path == "/espace"
    clock.advance(minutes=30)
    page = client.get("/espace")
    assert page.url.path == "/connexion"
    assert "Votre session a expiré" in page.text
    assert "egide_session" not in client.cookies


def test_a_session_ends_after_twelve_hours_however_active(
    harness: PortalHarness, clock: Clock
) -> None:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("cmartin"))
    for _ in range(35):  # every 20 minutes for 11 h 40
        clock.advance(minutes=20)
        assert client.get("/espace").url.path == "/espace"
    clock.advance(minutes=20)
    assert client.get("/espace").url.path == "/connexion"


def test_timeouts_follow_the_settings(tmp_path: Path, clock: Clock) -> None:
    settings = load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})
    portal = settings.portal.model_copy(update={"session_idle_minutes": 5})
    harness = PortalHarness(settings.model_copy(update={"portal": portal}), clock)
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("cmartin"))
    clock.advance(minutes=4)
    assert client.get("/espace").url.path == "/espace"
    clock.advance(minutes=5)
    assert client.get("/espace").url.path == "/connexion"


def test_signing_out_ends_this_session_only(harness: PortalHarness) -> None:
    account = harness.add_user("cmartin")
    office, laptop = harness.client(), harness.client()
    harness.first_sign_in(office, account)
    harness.sign_in(laptop, account)
    page = office.post("/deconnexion", data={"csrf_token": csrf_of(office.get("/espace"))})
    assert page.url.path == "/connexion"
    assert "Vous êtes déconnecté." in page.text
    assert office.get("/espace").url.path == "/connexion"
    assert laptop.get("/espace").url.path == "/espace"


def test_signing_out_everywhere_ends_every_session(harness: PortalHarness) -> None:
    account = harness.add_user("cmartin")
    colleague = harness.add_user("lpetit")
    office, laptop, other = harness.client(), harness.client(), harness.client()
    harness.first_sign_in(office, account)
    harness.sign_in(laptop, account)
    harness.first_sign_in(other, colleague)
    page = office.post("/deconnexion-partout", data={"csrf_token": csrf_of(office.get("/espace"))})
    assert page.url.path == "/connexion"
    assert "toutes vos sessions" in page.text
    assert office.get("/espace").url.path == "/connexion"
    assert laptop.get("/espace").url.path == "/connexion"
    assert other.get("/espace").url.path == "/espace"  # someone else's sessions stay open


def test_a_stolen_cookie_value_stops_working_after_sign_out(harness: PortalHarness) -> None:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("cmartin"))
    stolen = client.cookies["egide_session"]
    client.post("/deconnexion", data={"csrf_token": csrf_of(client.get("/espace"))})
    thief = harness.client(cookies={"egide_session": stolen})
    assert thief.get("/espace").url.path == "/connexion"


def test_the_session_id_changes_with_the_second_factor(
    harness: PortalHarness, clock: Clock
) -> None:
    account = harness.add_user("cmartin")
    harness.first_sign_in(harness.client(), account)
    client = harness.client()
    clock.advance(seconds=30)
    page = harness.post_sign_in(client, "cmartin", account.password)
    before = client.cookies["egide_session"]
    client.post(
        "/connexion/code", data={"code": clock.code(account.secret), "csrf_token": csrf_of(page)}
    )
    assert client.cookies["egide_session"] != before
    assert harness.client(cookies={"egide_session": before}).get("/espace").url.path == (
        "/connexion"
    )


def _attempt(harness: PortalHarness, login: str, password: str) -> tuple[int, str]:
    response = harness.post_sign_in(harness.client(), login, password)
    return response.status_code, response.text


def test_failures_bring_a_growing_delay_then_a_lockout(
    harness: PortalHarness, clock: Clock
) -> None:
    account = harness.add_user("cmartin")
    for failure, delay in enumerate([1, 2, 4, 8], start=1):
        status, _ = _attempt(harness, "cmartin", f"mauvais mot de passe {failure}")
        assert status == 400
        # Too early: refused without even checking, the right password included.
        status, text = _attempt(harness, "cmartin", account.password)
        assert status == 429
        assert f"patientez {delay} seconde" in text
        clock.advance(seconds=delay)
    status, text = _attempt(harness, "cmartin", "mauvais mot de passe 5")
    assert status == 429
    assert "bloquée pendant 15 minutes" in text
    clock.advance(minutes=14)
    status, text = _attempt(harness, "cmartin", account.password)
    assert status == 429 and "bloquée" in text
    clock.advance(minutes=1)
    response = harness.post_sign_in(harness.client(), "cmartin", account.password)
    assert response.url.path == "/connexion/mot-de-passe"


def test_held_back_answers_say_when_to_retry(harness: PortalHarness) -> None:
    harness.add_user("cmartin")
    _attempt(harness, "cmartin", "mauvais")
    response = harness.post_sign_in(harness.client(), "cmartin", "mauvais")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"


def test_wrong_codes_count_against_the_account_too(harness: PortalHarness, clock: Clock) -> None:
    account = harness.add_user("cmartin")
    harness.first_sign_in(harness.client(), account)
    client = harness.client()
    page = harness.post_sign_in(client, "cmartin", account.password)
    for _ in range(5):
        response = client.post(
            "/connexion/code", data={"code": "000000", "csrf_token": csrf_of(page)}
        )
        clock.advance(seconds=30)
    assert response.status_code == 429
    assert "bloquée" in response.text
    refused = client.post(
        "/connexion/code", data={"code": clock.code(account.secret), "csrf_token": csrf_of(page)}
    )
    assert refused.status_code == 429  # a right code is not even tried while locked


def test_unknown_logins_are_held_back_like_known_ones(harness: PortalHarness, clock: Clock) -> None:
    results = []
    for login in ("cmartin", "inconnu"):
        if login == "cmartin":
            harness.add_user(login)
        _attempt(harness, login, "mauvais")
        results.append(_attempt(harness, login, "mauvais")[0])
        clock.advance(minutes=20)
    assert results == [429, 429]


@pytest.mark.parametrize("threshold", [3, 4])
def test_failures_from_one_address_lock_that_address(
    tmp_path: Path, clock: Clock, threshold: int
) -> None:
    settings = load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})
    portal = settings.portal.model_copy(update={"ip_lockout_failures": threshold})
    harness = PortalHarness(settings.model_copy(update={"portal": portal}), clock)
    victim = harness.add_user("cmartin")
    for number in range(threshold):  # one failure each on several accounts
        status, _ = _attempt(harness, f"agent{number}", "mauvais")
        assert status == (429 if number == threshold - 1 else 400)
        clock.advance(seconds=30)
    status, text = _attempt(harness, "cmartin", victim.password)
    assert status == 429 and "bloquée" in text
    clock.advance(minutes=15)
    response = harness.post_sign_in(harness.client(), "cmartin", victim.password)
    assert response.url.path == "/connexion/mot-de-passe"


def test_a_successful_sign_in_forgets_the_account_failures(
    harness: PortalHarness, clock: Clock
) -> None:
    account = harness.add_user("cmartin")
    harness.first_sign_in(harness.client(), account)
    for _ in range(3):
        _attempt(harness, "cmartin", "mauvais")
        clock.advance(seconds=10)
    harness.sign_in(harness.client(), account)
    for _ in range(4):  # four more failures: five in all, but the count started over
        assert _attempt(harness, "cmartin", "mauvais")[0] == 400
        clock.advance(seconds=10)


def test_the_sign_out_button_works_on_every_page_with_a_session(harness: PortalHarness) -> None:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("cmartin"))
    # A failed sign-in as someone else, from the same browser: the header still signs out.
    page = harness.post_sign_in(client, "cmartin", "mauvais mot de passe")
    assert page.status_code == 400
    form = re.search(r'id="form-deconnexion">\s*<input[^>]*value="([^"]+)"', page.text)
    assert form is not None
    page = client.post("/deconnexion", data={"csrf_token": form.group(1)})
    assert page.url.path == "/connexion" and "Vous êtes déconnecté." in page.text
