"""A fresh store in a temporary EGIDE_HOME for each test, with its key in a file."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from egide.config import Settings, load_settings
from egide.store import DraftStore, Store, open_store


@pytest.fixture(autouse=True)
def _no_outside_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EGIDE_STORE_KEY", raising=False)
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with open_store(settings, environ={}) as opened:
        yield opened


@pytest.fixture
def drafts(store: Store) -> DraftStore:
    return DraftStore(store)
