"""A fresh EGIDE_HOME per test, keys in files, no key from the outside."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.config import Settings, load_settings

_VARIABLES = [
    f"EGIDE_{kind}_KEY{suffix}"
    for kind in ("STORE", "VAULT", "AUDIT")
    for suffix in ("", "_NEXT", "_PREVIOUS")
]


@pytest.fixture(autouse=True)
def _no_outside_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [*_VARIABLES, "EGIDE_CONFIG"]:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("EGIDE_HOME", str(folder))
    return folder


@pytest.fixture
def settings(home: Path) -> Settings:
    return load_settings(environ={"EGIDE_HOME": str(home)})
