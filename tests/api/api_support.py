"""What the API tests share: fictitious personal data and a handle on the served gateway."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import openai

from egide.policy.levels import Level
from egide.store.applications import ApplicationStore
from tests.support.fake_openai import FakeProvider

MAX_BODY = 65_536
# Fictitious person; the NIR's check key is valid.
NAME = "Amélie ROUSSEAU"
PHONE = "05 34 45 34 45"
EMAIL = "amelie.rousseau@example.org"
NIR = "2 86 07 99 350 042 43"
PERSONAL_MESSAGE = (
    f"Rédige une réponse à Mme {NAME}, joignable au {PHONE} ou à {EMAIL} ; "
    f"son numéro de sécurité sociale est le {NIR}."
)
RAW_VALUES = (NAME, "ROUSSEAU", PHONE, EMAIL, NIR)


def said(content: str) -> list[Any]:
    """One user message, typed loosely enough for the SDK's message parameters."""
    return [{"role": "user", "content": content}]


@dataclass
class Served:
    base_url: str
    provider: FakeProvider
    home: Path
    env: dict[str, str]
    log_path: Path
    apps: ApplicationStore
    tokens: dict[str, str] = field(default_factory=dict)

    def add_app(self, name: str, **options: Any) -> str:
        options.setdefault("models", ["interne-echo", "externe-public", "local"])
        options.setdefault("max_level", Level.DIFFUSION_RESTREINTE)
        _, token = self.apps.add(name, **options)
        self.tokens[name] = token
        return token

    def client(self, app: str = "crm", **options: Any) -> openai.OpenAI:
        options.setdefault("max_retries", 0)
        return openai.OpenAI(api_key=self.tokens[app], base_url=self.base_url + "/v1", **options)

    def async_client(self, app: str = "crm") -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(
            api_key=self.tokens[app], base_url=self.base_url + "/v1", max_retries=0
        )

    def post(self, path: str, *, app: str | None = "crm", **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if app is not None:
            headers["authorization"] = f"Bearer {self.tokens[app]}"
        return httpx.post(self.base_url + path, headers=headers, timeout=30, **kwargs)

    def upstream_since(self, start: int) -> str:
        return "\n".join(b.decode("utf-8", "replace") for b in self.provider.recorder.raw[start:])
