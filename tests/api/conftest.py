"""One ``egide serve`` on loopback for the API tests, its model being a recording fake server.

The service runs in a subprocess, exactly as deployed; applications are added to its database
from the test process (the same SQLite file), and every test starts from the fake's default
script, so that a test changing it does not leak into the next one.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import httpx
import pytest
from api_support import MAX_BODY, Served

from egide.config import load_settings
from egide.policy.levels import Level
from egide.policy.tiers import Tier
from egide.store import open_store
from egide.store.applications import ApplicationStore
from tests.support.fake_openai import fake_openai_server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(base_url: str) -> str:
    return textwrap.dedent(
        f"""
        [api]
        max_body_bytes = {MAX_BODY}

        [[models]]
        name = "interne-echo"
        tier = "interne"
        backend = "openai"
        base_url = "{base_url}"
        model = "echo"
        max_retries = 0
        timeout_s = 20

        [[models]]
        name = "externe-public"
        tier = "externe"
        backend = "openai"
        base_url = "{base_url}"
        max_retries = 0

        [[models]]
        name = "local"
        tier = "interne"
        backend = "local"
        """
    )


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("egide-api")
    with fake_openai_server() as provider:
        config = home / "egide.toml"
        config.write_text(_config(provider.base_url), encoding="utf-8")
        env = {**os.environ, "EGIDE_HOME": str(home / "var"), "EGIDE_CONFIG": str(config)}
        settings = load_settings(config, environ=env)
        apps = ApplicationStore(open_store(settings, environ=env))
        port = _free_port()
        log_path = home / "serve.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "egide.cli", "serve", "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(base_url + "/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(log_path.read_text(encoding="utf-8")) from None
                    time.sleep(0.1)
            served = Served(base_url, provider, home / "var", env, log_path, apps)
            served.add_app("crm")
            served.add_app("interne-only", models=["interne-echo"], max_level=Level.INTERNE)
            served.add_app("no-externe", tiers=[Tier.METIER, Tier.INTERNE])
            yield served
        finally:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture
def gateway(served: Served) -> Served:
    script = served.provider.script
    script.answer, script.chunk_size, script.delay_s = None, 7, 0.0
    script.fail_status.clear()
    script.cut_after_chunks = None
    return served
