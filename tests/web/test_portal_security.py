"""CSRF, roles, security headers on every answer (errors included), cookies, upload limit."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from egide.auth import Role
from egide.config import Settings, load_settings
from egide.web.security import CONTENT_SECURITY_POLICY
from tests.support.portal import Clock, Page, PortalHarness, csrf_of

EXPECTED_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}


def _assert_secure_headers(headers: object, *, hsts: bool) -> None:
    for name, value in EXPECTED_HEADERS.items():
        assert headers[name] == value, name  # type: ignore[index]
    assert "camera=()" in headers["permissions-policy"]  # type: ignore[index]
    assert ("strict-transport-security" in headers) is hsts  # type: ignore[operator]


def test_the_policy_forbids_inline_scripts_and_framing() -> None:
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/connexion", 200),
        ("GET", "/", 303),
        ("GET", "/espace", 303),
        ("GET", "/admin/utilisateurs", 303),
        ("GET", "/healthz", 200),
        ("GET", "/static/dsfr/dsfr.min.css", 200),
        ("GET", "/static/egide.css", 200),
        ("GET", "/page-qui-n-existe-pas", 404),
        ("GET", "/static/absent.css", 404),
        ("GET", "/deconnexion", 405),
        ("POST", "/connexion", 403),  # no CSRF token
        ("POST", "/api/guard/scan", 401),  # known callers only
    ],
)
def test_every_answer_carries_the_security_headers(
    harness: PortalHarness, method: str, path: str, status: int
) -> None:
    client = harness.client(follow_redirects=False)
    response = client.request(method, path)
    assert response.status_code == status
    _assert_secure_headers(response.headers, hsts=False)


def test_error_pages_are_french_pages(harness: PortalHarness) -> None:
    response = harness.client().get("/page-qui-n-existe-pas")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Page introuvable — Égide" in response.text
    assert '<html lang="fr"' in response.text


def test_an_unexpected_error_is_a_french_500_with_the_headers(harness: PortalHarness) -> None:
    def explode() -> None:
        raise RuntimeError("contenu à ne jamais montrer")

    harness.app.add_api_route("/essai-erreur", explode)
    response = harness.client(raise_server_exceptions=False).get("/essai-erreur")
    assert response.status_code == 500
    assert "Erreur interne" in response.text
    assert "contenu à ne jamais montrer" not in response.text
    _assert_secure_headers(response.headers, hsts=False)


@pytest.mark.parametrize("behind_tls", [False, True])
@pytest.mark.parametrize("base_url", ["http://testserver", "https://testserver"])
def test_hsts_and_secure_cookies_only_over_tls(
    tmp_path: Path, clock: Clock, behind_tls: bool, base_url: str
) -> None:
    settings = load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})
    settings = settings.model_copy(
        update={"portal": settings.portal.model_copy(update={"behind_tls": behind_tls})}
    )
    harness = PortalHarness(settings, clock)
    account = harness.add_user("cmartin")
    client = harness.client(base_url=base_url)
    page = client.get("/connexion")
    tls = behind_tls or base_url.startswith("https")
    _assert_secure_headers(page.headers, hsts=tls)
    form_cookie = page.headers["set-cookie"]
    assert form_cookie.startswith("egide_csrf=") and "HttpOnly" in form_cookie
    assert ("Secure" in form_cookie) is tls
    if behind_tls and base_url.startswith("http:"):
        return  # the browser sees HTTPS; a plain-HTTP client rightly keeps Secure cookies back
    signed = client.post(
        "/connexion",
        data={"login": "cmartin", "password": account.password, "csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith("egide_session=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert ("Secure" in cookie) is tls


def _signed_in(harness: PortalHarness, login: str = "cmartin") -> TestClient:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user(login))
    return client


@pytest.mark.parametrize("token", [None, "", "jeton-invente-de-toutes-pieces-0123456789"])
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/deconnexion", {}),
        ("/deconnexion-partout", {}),
        ("/charte", {"accept": "oui"}),
        ("/connexion/code", {"code": "123456"}),
    ],
)
def test_state_changes_without_the_session_token_are_refused(
    harness: PortalHarness, token: str | None, path: str, data: dict[str, str]
) -> None:
    client = _signed_in(harness)
    form = dict(data)
    if token is not None:
        form["csrf_token"] = token
    refused = client.post(path, data=form)
    assert refused.status_code == 403
    assert "jeton de sécurité" in refused.text
    assert client.get("/espace").url.path == "/espace"  # still signed in: nothing happened


def test_the_token_of_another_session_is_refused(harness: PortalHarness) -> None:
    first = _signed_in(harness, "cmartin")
    second = _signed_in(harness, "lpetit")
    other_token = csrf_of(second.get("/espace"))
    refused = first.post("/deconnexion", data={"csrf_token": other_token})
    assert refused.status_code == 403


def test_the_token_may_come_in_a_header(harness: PortalHarness) -> None:
    client = _signed_in(harness)
    token = csrf_of(client.get("/espace"))
    response = client.post("/deconnexion", headers={"X-CSRF-Token": token})
    assert response.url.path == "/connexion"
    assert client.get("/espace").url.path == "/connexion"


@pytest.mark.parametrize("token", [None, "faux-jeton-faux-jeton-faux-jeton-faux"])
def test_the_sign_in_form_checks_its_own_token(harness: PortalHarness, token: str | None) -> None:
    account = harness.add_user("cmartin")
    client = harness.client()
    client.get("/connexion")  # sets the form's cookie
    data = {"login": "cmartin", "password": account.password}
    if token is not None:
        data["csrf_token"] = token
    assert client.post("/connexion", data=data).status_code == 403


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.AGENT, 403),
        (Role.AMBASSADEUR, 403),
        (Role.AUDITEUR, 403),
        (Role.ADMINISTRATEUR, 200),
    ],
)
def test_only_administrators_list_the_users(
    harness: PortalHarness, role: Role, status: int
) -> None:
    account = harness.add_user("personne", role, display_name="Camille Personne")
    harness.add_user("cmartin", Role.AGENT, service="Bureau des étrangers")
    client = harness.client()
    landing = harness.first_sign_in(client, account)
    assert ('id="lien-utilisateurs"' in landing.text) is (role is Role.ADMINISTRATEUR)
    page = client.get("/admin/utilisateurs")
    assert page.status_code == status
    _assert_secure_headers(page.headers, hsts=False)
    if status == 200:
        assert "cmartin" in page.text and "Bureau des étrangers" in page.text
        assert "argon2" not in page.text
    else:
        assert "Votre rôle ne donne pas accès" in page.text


def test_a_role_change_applies_at_the_next_page(harness: PortalHarness) -> None:
    client = _signed_in(harness, "cmartin")
    assert client.get("/admin/utilisateurs").status_code == 403
    harness.portal.users.set_role("cmartin", Role.ADMINISTRATEUR)
    assert client.get("/admin/utilisateurs").status_code == 200


def _small_uploads(tmp_path: Path) -> Settings:
    settings = load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})
    return settings.model_copy(
        update={"portal": settings.portal.model_copy(update={"max_upload_bytes": 2048})}
    )


def test_a_declared_oversized_body_gets_a_french_413(tmp_path: Path, clock: Clock) -> None:
    harness = PortalHarness(_small_uploads(tmp_path), clock)
    response = harness.client().post("/connexion", data={"login": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "taille maximale" in response.text and "Envoi trop volumineux — Égide" in response.text
    _assert_secure_headers(response.headers, hsts=False)


def test_a_streamed_oversized_body_gets_a_french_413(tmp_path: Path, clock: Clock) -> None:
    harness = PortalHarness(_small_uploads(tmp_path), clock)

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(8):
            yield b"login=" + b"x" * 1000 + b"&"

    response = harness.client().post(
        "/connexion",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert "taille maximale" in response.text
    _assert_secure_headers(response.headers, hsts=False)


def test_a_body_under_the_limit_goes_through(tmp_path: Path, clock: Clock) -> None:
    harness = PortalHarness(_small_uploads(tmp_path), clock)
    response = harness.client().post("/connexion", data={"login": "x" * 1500, "password": "y"})
    assert response.status_code == 403  # reached the route, which wants its CSRF token


def test_pages_have_no_inline_script_nor_style(harness: PortalHarness) -> None:
    client = harness.client()
    account = harness.add_user("cmartin")
    pages: list[Page] = [client.get("/connexion")]
    pages.append(harness.post_sign_in(client, "cmartin", account.password))
    for page in pages:
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page.text, re.S)
        # Only the portal's own file, loaded by address: nothing inline to allow in the CSP.
        assert scripts == [(' src="/static/egide.js" defer', "")]
        assert " style=" not in page.text and "<style" not in page.text
