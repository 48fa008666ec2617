"""Finding 14: ``egide users …`` and ``egide apps …`` change nothing that the audit trail does
not show — who (the system account, or EGIDE_USER), what, on which account or application —
and change nothing when it cannot be recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.audit import AuditLog
from egide.cli import main
from egide.config import Settings, load_settings


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("EGIDE_USER", "exploitant")
    return load_settings()


def _events(settings: Settings) -> list[tuple[str, str, object]]:
    return [(e.user, e.action, e.extra.get("target")) for e in AuditLog.open(settings).events()]


def test_every_change_of_an_account_from_the_command_line_is_recorded(
    home: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ["users", "add", "cmartin", "--role", "agent"],
        ["users", "set-role", "cmartin", "ambassadeur"],
        ["users", "disable", "cmartin"],
        ["users", "enable", "cmartin"],
        ["users", "reset-totp", "cmartin"],
        ["users", "reset-password", "cmartin"],
    ):
        assert main(argv) == 0, capsys.readouterr().err
    assert _events(home) == [
        ("cli:exploitant", "user_created", "cmartin"),
        ("cli:exploitant", "user_role_changed", "cmartin"),
        ("cli:exploitant", "user_disabled", "cmartin"),
        ("cli:exploitant", "user_enabled", "cmartin"),
        ("cli:exploitant", "user_totp_reset", "cmartin"),
        ("cli:exploitant", "user_password_reset", "cmartin"),
    ]
    assert AuditLog.open(home).verify().ok


def test_adding_and_revoking_an_application_is_recorded(
    home: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["apps", "add", "titres", "--models", "local", "--max-level", "interne"]) == 0
    assert main(["apps", "revoke", "titres"]) == 0
    capsys.readouterr()
    assert _events(home) == [
        ("cli:exploitant", "app_added", "titres"),
        ("cli:exploitant", "app_revoked", "titres"),
    ]
    added = next(iter(AuditLog.open(home).events()))
    assert added.extra["level"] == "interne" and added.extra["models"] == "local"


def test_nothing_changes_when_the_trail_cannot_record_it(
    home: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users", "add", "cmartin", "--role", "agent"]) == 0
    token_out = capsys.readouterr()
    assert token_out.out.strip()
    log = home.home / "audit" / "audit.jsonl"
    log.write_text(log.read_text(encoding="utf-8") + "ligne abîmée\n", encoding="utf-8")
    assert main(["users", "disable", "cmartin"]) == 1
    assert "journal d'audit" in capsys.readouterr().err
    assert main(["apps", "add", "titres", "--models", "local", "--max-level", "interne"]) == 1
    refused = capsys.readouterr()
    assert refused.out == ""  # no token handed out
    log.write_text(log.read_text(encoding="utf-8").replace("ligne abîmée\n", ""), "utf-8")
    assert main(["users", "list"]) == 0
    assert "désactivé" not in capsys.readouterr().out


def test_the_administrator_created_at_the_first_start_is_recorded(home: Settings) -> None:
    from egide.cli.serve import _prepare_store

    _prepare_store(home, "http://127.0.0.1:8000/")
    _prepare_store(home, "http://127.0.0.1:8000/")  # a second start creates nothing
    assert _events(home) == [("cli:premier-demarrage", "user_created", "admin")]
