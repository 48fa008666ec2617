"""A real OpenID Connect provider on loopback: ``tests/oidc/provider.mjs`` (node-oidc-provider).

``make test`` installs it (``npm ci`` in ``tests/oidc``). In CI a missing Node.js or package is
a failure: the OpenID Connect tests must never pass by skipping.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

__all__ = ["CLIENT_SECRET", "free_port", "oidc_provider", "through_provider"]

PROVIDER_DIR = Path(__file__).resolve().parents[1] / "oidc"
CLIENT_SECRET = "secret-de-test-du-client-egide-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"le fournisseur OpenID Connect de test est exigé en CI : {reason}")
    pytest.skip(reason)


@contextmanager
def oidc_provider(
    redirect_uris: Sequence[str], accounts: Mapping[str, Mapping[str, Any]]
) -> Iterator[str]:
    """Start the provider; yields its issuer URL. ``accounts``: login → {acr, claims}."""
    node = shutil.which("node")
    if node is None or not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        _unavailable("Node.js ou oidc-provider absent : cd tests/oidc && npm ci")
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URIS": " ".join(redirect_uris),
        "OIDC_ACCOUNTS": json.dumps(accounts),
    }
    process = subprocess.Popen(
        [str(node), "provider.mjs"], cwd=PROVIDER_DIR, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"le fournisseur OpenID Connect ne démarre pas :\n{error}")
            try:
                httpx.get(issuer + "/.well-known/openid-configuration", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        if process.stderr:
            process.stderr.close()


def through_provider(client: TestClient, login: str) -> httpx.Response:
    """Égide → the provider's form, answered as ``login`` (its subject) → Égide's callback."""
    start = client.get("/connexion/oidc", follow_redirects=False)
    assert start.status_code == 303, start.text
    location = start.headers["location"]
    assert "code_challenge_method=S256" in location and "acr_values=" in location
    with httpx.Client(timeout=10) as browser:
        answer = browser.get(location, follow_redirects=True)
        assert str(answer.url).split("?")[0].count("/interaction/") == 1, answer.text
        answer = browser.post(str(answer.url), data={"login": login})
        while answer.is_redirect:
            target = answer.headers["location"]
            if target.startswith("http://testserver"):
                return client.get(target.removeprefix("http://testserver"))
            answer = browser.get(httpx.URL(str(answer.url)).join(target))
    raise AssertionError(f"le fournisseur n'est pas revenu vers Égide : {answer.text[:300]}")
