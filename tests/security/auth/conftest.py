"""A fresh portal per test (temporary EGIDE_HOME, a clock the test moves), and helpers that an
attacker's script would use: sign in through the real pages, act as an administrator."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.config import Settings, load_settings
from tests.support.portal import Clock, PortalHarness


@pytest.fixture(autouse=True)
def _no_outside_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EGIDE_STORE_KEY", "EGIDE_CONFIG", "EGIDE_AUDIT_KEY", "EGIDE_USER"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def harness(settings: Settings, clock: Clock) -> PortalHarness:
    return PortalHarness(settings, clock)
