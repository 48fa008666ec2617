"""What the API attack tests share: a served address and the requests an attacker sends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from egide.policy.levels import Level
from egide.store.applications import ApplicationStore

__all__ = ["Live", "add_app", "bearer", "chat"]


@dataclass(frozen=True)
class Live:
    base_url: str


def add_app(apps: ApplicationStore, name: str, **options: Any) -> str:
    options.setdefault("models", ["interne-echo"])
    options.setdefault("max_level", Level.DIFFUSION_RESTREINTE)
    _, token = apps.add(name, **options)
    return token


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def chat(content: str, **fields: Any) -> dict[str, Any]:
    return {
        "model": "interne-echo",
        "messages": [{"role": "user", "content": content}],
        **fields,
    }
