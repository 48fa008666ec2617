"""An installation on the embedded defaults in a temporary EGIDE_HOME, with its keys in files."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.config import Settings, load_settings


@pytest.fixture(autouse=True)
def _no_outside_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("EGIDE_CONFIG", "EGIDE_STORE_KEY", "EGIDE_AUDIT_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("EGIDE_USER", "cmartin")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})
