"""``egide serve --workers N``: several web processes need a shared database."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.cli import main


def test_several_processes_on_sqlite_are_refused_with_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    assert main(["serve", "--workers", "2"]) != 0
    message = capsys.readouterr().err
    assert "--workers 2" in message and "PostgreSQL" in message
    assert "sans --workers" in message
    assert not (tmp_path / "home").exists()  # refused before anything was created


def test_egide_worker_is_refused_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    assert main(["worker"]) != 0
    assert "« egide serve » exécute lui-même les travaux" in capsys.readouterr().err
