"""A fresh portal per test: temporary EGIDE_HOME, store key in a file, a clock the test moves."""

from pathlib import Path

import pytest

from egide.config import Settings, load_settings
from tests.support.portal import Clock, PortalHarness


@pytest.fixture(autouse=True)
def _no_outside_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EGIDE_STORE_KEY", raising=False)
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def harness(settings: Settings, clock: Clock) -> PortalHarness:
    return PortalHarness(settings, clock)
