"""Finding 16: what the client writes in its headers does not choose its address nor where a
redirect sends people.

X-Forwarded-For is believed only from a proxy listed in ``portal.trusted_proxies`` (none by
default): not from 127.0.0.1, as uvicorn would by default, so that a client on the same
machine (or behind a proxy that passes the header through) cannot escape the lockout per
address nor write a forged address into the audit trail. The trailing-slash redirect names a
path, never the ``Host`` the request claims.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from egide.audit import AuditLog
from egide.config import load_settings
from tests.e2e.server import EgideServer
from tests.support.portal import Clock, PortalHarness, csrf_of

_FORGED = "203.0.113.66"


def _failed_sign_in(client: httpx.Client | TestClient, headers: dict[str, str]) -> None:
    form = client.get("/connexion")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    client.post(
        "/connexion",
        data={"login": "personne", "password": "pas le bon", "csrf_token": token.group(1)},
        headers=headers,
    )


def _recorded_addresses(home: Path) -> list[object]:
    """The client addresses the trail recorded, in order (events from the command line, such
    as the first administrator's creation by egide serve, have none)."""
    settings = load_settings(environ={"EGIDE_HOME": str(home)})
    return [e.extra["ip"] for e in AuditLog.open(settings).events() if "ip" in e.extra]


@pytest.mark.slow
def test_egide_serve_does_not_believe_forwarded_for_from_loopback(tmp_path: Path) -> None:
    server = EgideServer(tmp_path / "home")
    server.env.pop("FORWARDED_ALLOW_IPS", None)
    server.start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            _failed_sign_in(client, {"X-Forwarded-For": _FORGED, "X-Forwarded-Proto": "https"})
    finally:
        server.stop()
    assert _recorded_addresses(tmp_path / "home") == ["127.0.0.1"]


def _behind_proxy(tmp_path: Path, clock: Clock) -> PortalHarness:
    config = tmp_path / "egide.toml"
    config.write_text('[portal]\ntrusted_proxies = ["10.0.0.0/24"]\n', encoding="utf-8")
    home = tmp_path / "home"
    return PortalHarness(load_settings(config, environ={"EGIDE_HOME": str(home)}), clock)


def test_only_a_configured_proxy_is_believed(tmp_path: Path, clock: Clock) -> None:
    harness = _behind_proxy(tmp_path, clock)
    # Through the proxy: the client it saw (the right-most hop that is not a proxy of ours).
    proxy = TestClient(harness.app, client=("10.0.0.5", 40000))
    _failed_sign_in(proxy, {"X-Forwarded-For": f"198.51.100.1, {_FORGED}, 10.0.0.7"})
    # Straight to Égide, around the proxy: the header is the client's own words.
    clock.advance(seconds=10)
    direct = TestClient(harness.app, client=("192.0.2.10", 40000))
    _failed_sign_in(direct, {"X-Forwarded-For": "10.0.0.9"})
    assert _recorded_addresses(harness.settings.home) == [_FORGED, "192.0.2.10"]


def test_a_proxy_reporting_https_gets_secure_cookies(tmp_path: Path, clock: Clock) -> None:
    harness = _behind_proxy(tmp_path, clock)
    proxied = TestClient(harness.app, client=("10.0.0.5", 40000))
    page = proxied.get("/connexion", headers={"X-Forwarded-Proto": "https"})
    assert "secure" in page.headers["set-cookie"].lower()
    assert "strict-transport-security" in page.headers
    direct = TestClient(harness.app, client=("192.0.2.10", 40000))
    page = direct.get("/connexion", headers={"X-Forwarded-Proto": "https"})
    assert "secure" not in page.headers["set-cookie"].lower()


@pytest.mark.parametrize("path", ["/connexion/", "/espace/", "/admin/utilisateurs/"])
def test_the_trailing_slash_redirect_names_a_path_not_the_claimed_host(
    harness: PortalHarness, path: str
) -> None:
    client = harness.client(follow_redirects=False)
    answer = client.get(path + "?fin=expiree", headers={"Host": "portail.attaquant.example"})
    assert answer.status_code == 307
    assert answer.headers["location"] == path.rstrip("/") + "?fin=expiree"


@pytest.mark.parametrize("path", ["//connexion/", "//portail.attaquant.example/", "/inconnue/"])
def test_no_redirect_leaves_the_site_nor_invents_a_page(harness: PortalHarness, path: str) -> None:
    # "//connexion" in a Location would be another site, named "connexion", to a browser.
    answer = harness.client(follow_redirects=False).get(f"http://testserver{path}")
    assert answer.status_code == 404
    assert "location" not in answer.headers


def test_forms_posted_to_a_trailing_slash_still_check_their_token(harness: PortalHarness) -> None:
    client = harness.client()
    form = client.get("/connexion")
    answer = client.post(
        "/connexion/", data={"login": "x", "password": "y", "csrf_token": csrf_of(form)}
    )
    assert answer.url.path == "/connexion" and answer.status_code == 400
