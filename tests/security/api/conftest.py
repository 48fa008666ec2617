"""The whole service in-process, its model a recording fake server, for the API's attackers.

``harness`` is the app as ``create_app`` builds it (TestClient); ``live`` serves the same app
with uvicorn on loopback, for what only a real socket shows (a client that hangs up).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from security_api_support import Live

from egide.config import Settings, load_settings
from egide.store import open_store
from egide.store.applications import ApplicationStore
from tests.support.fake_openai import FakeProvider, fake_openai_server
from tests.support.portal import Clock, PortalHarness


@pytest.fixture(autouse=True)
def _no_outside_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EGIDE_STORE_KEY", raising=False)
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeProvider]:
    with fake_openai_server() as provider:
        yield provider


@pytest.fixture
def provider(upstream: FakeProvider) -> FakeProvider:
    """The fake model, back to its default script (echo, small chunks, no failure)."""
    script = upstream.script
    script.answer, script.chunk_size, script.delay_s = None, 7, 0.0
    script.fail_status.clear()
    script.cut_after_chunks = None
    return upstream


@pytest.fixture
def settings(tmp_path: Path, provider: FakeProvider) -> Settings:
    config = tmp_path / "egide.toml"
    config.write_text(
        f"""
[api]
scan_max_chars = 5000
scan_per_minute = 3

[[models]]
name = "interne-echo"
tier = "interne"
backend = "openai"
base_url = "{provider.base_url}"
model = "echo"
max_retries = 0
timeout_s = 20
""",
        encoding="utf-8",
    )
    return load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})


@pytest.fixture
def harness(settings: Settings) -> PortalHarness:
    return PortalHarness(settings, Clock())


@pytest.fixture
def apps(settings: Settings) -> ApplicationStore:
    return ApplicationStore(open_store(settings))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live(harness: PortalHarness) -> Iterator[Live]:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(harness.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield Live(f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=30)
