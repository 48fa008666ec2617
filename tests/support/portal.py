"""A portal in-process (FastAPI's TestClient) with a clock the tests move, and sign-in helpers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import pyotp
from fastapi.testclient import TestClient

from egide.auth import Portal, Role
from egide.config import Settings
from egide.models import ModelBackend
from egide.web import create_app

__all__ = [
    "NEW_PASSWORD",
    "WITH_EXTERNAL_MODEL",
    "Clock",
    "Page",
    "PortalHarness",
    "csrf_of",
    "manual_key_of",
    "recovery_codes_of",
]

NEW_PASSWORD = "Trois mots de passe-partout 2026"
# The built-in engine and an external service (never reached: the charter refuses personal
# data to it, and tests that let it answer use their own recording server).
WITH_EXTERNAL_MODEL = """
[[models]]
name = "local"
tier = "interne"
backend = "local"

[[models]]
name = "public-ia"
tier = "externe"
backend = "openai"
base_url = "http://127.0.0.1:9/v1"
model = "any"
max_retries = 0
"""
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_KEY = re.compile(r'id="cle-totp"[^>]*>([A-Z2-7 ]+)<')
_CODES = re.compile(r"<li><code>([A-Z2-9-]{19})</code></li>")


class Page(Protocol):
    """What the tests read of a response (the test client's HTTP library varies)."""

    @property
    def text(self) -> str: ...

    @property
    def url(self) -> Any: ...

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Any: ...


@dataclass
class Clock:
    """The portal's time; starts on a Monday morning, moves only when a test says so."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 8, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def code(self, secret: str) -> str:
        return pyotp.TOTP(secret).at(self.now)


def csrf_of(page: Page) -> str:
    found = _CSRF.search(page.text)
    assert found, f"no CSRF token on {page.url}"
    return found.group(1)


def manual_key_of(page: Page) -> str:
    found = _KEY.search(page.text)
    assert found, "no manual TOTP key on the enrolment page"
    return found.group(1).replace(" ", "")


def recovery_codes_of(page: Page) -> list[str]:
    return _CODES.findall(page.text)


@dataclass
class Account:
    login: str
    password: str
    secret: str = ""
    recovery_codes: list[str] = field(default_factory=list)


class PortalHarness:
    def __init__(
        self,
        settings: Settings,
        clock: Clock | None = None,
        *,
        backends: Mapping[str, ModelBackend] | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or Clock()
        self.app = create_app(settings, clock=self.clock, backends=backends)

    @property
    def portal(self) -> Portal:
        portal: Portal = self.app.state.portal
        return portal

    def client(self, **options: object) -> TestClient:
        return TestClient(self.app, **options)  # type: ignore[arg-type]

    def add_user(self, login: str, role: Role = Role.AGENT, **fields: str) -> Account:
        _, password = self.portal.users.add(login, role, **fields)  # type: ignore[arg-type]
        return Account(login, password)

    def post_sign_in(self, client: TestClient, login: str, password: str) -> Page:
        form = client.get("/connexion")
        return client.post(
            "/connexion",
            data={"login": login, "password": password, "csrf_token": csrf_of(form)},
        )

    def first_sign_in(self, client: TestClient, account: Account) -> Page:
        """Temporary password → new password → TOTP enrolment → codes → (what administrators
        changed, acknowledged) → charter → workspace."""
        page = self.post_sign_in(client, account.login, account.password)
        assert page.url.path == "/connexion/mot-de-passe", page.url
        page = client.post(
            "/connexion/mot-de-passe",
            data={
                "new_password": NEW_PASSWORD,
                "confirmation": NEW_PASSWORD,
                "csrf_token": csrf_of(page),
            },
        )
        assert page.url.path == "/connexion/enrolement", page.url
        account.password = NEW_PASSWORD
        account.secret = manual_key_of(page)
        page = client.post(
            "/connexion/enrolement",
            data={"code": self.clock.code(account.secret), "csrf_token": csrf_of(page)},
        )
        assert page.url.path == "/connexion/codes-de-secours", page.url
        account.recovery_codes = recovery_codes_of(page)
        page = client.get("/connexion/suite")
        if page.url.path == "/connexion/changements":  # an administrator changed a way in
            page = client.post("/connexion/changements", data={"csrf_token": csrf_of(page)})
        assert page.url.path == "/charte", page.url
        page = client.post("/charte", data={"accept": "oui", "csrf_token": csrf_of(page)})
        assert page.url.path == "/espace", page.url
        return page

    def sign_in(self, client: TestClient, account: Account) -> Page:
        """A later sign-in: password, then a fresh TOTP code (the clock moves one step first)."""
        self.clock.advance(seconds=30)
        page = self.post_sign_in(client, account.login, account.password)
        assert page.url.path == "/connexion/code", page.url
        return client.post(
            "/connexion/code",
            data={"code": self.clock.code(account.secret), "csrf_token": csrf_of(page)},
        )
