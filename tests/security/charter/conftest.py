"""A portal and a gateway in-process with an ``interne`` and an ``externe`` model, both served by
one recording upstream: whatever reaches a model is in ``upstream.recorder``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from egide.config import Settings, load_settings
from tests.support.fake_openai import FakeProvider, Script, fake_openai_server
from tests.support.portal import PortalHarness

INTERNAL = "interne-ia"
EXTERNAL = "public-ia"


@pytest.fixture(autouse=True)
def _no_outside_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EGIDE_STORE_KEY", raising=False)
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)


@pytest.fixture
def upstream() -> Iterator[FakeProvider]:
    with fake_openai_server(Script(chunk_size=5)) as fake:
        yield fake


@pytest.fixture
def settings(tmp_path: Path, upstream: FakeProvider) -> Settings:
    config = tmp_path / "egide.toml"
    config.write_text(
        f"""
[[models]]
name = "{INTERNAL}"
tier = "interne"
backend = "openai"
base_url = "{upstream.base_url}"
model = "echo"
max_retries = 0

[[models]]
name = "{EXTERNAL}"
tier = "externe"
backend = "openai"
base_url = "{upstream.base_url}"
model = "echo"
max_retries = 0
""",
        encoding="utf-8",
    )
    return load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})


@pytest.fixture
def harness(settings: Settings) -> PortalHarness:
    return PortalHarness(settings)
