"""``egide users erase``: an administrator handles an erasure request — the account's content
goes, other accounts keep theirs, the trail names the account and the counts, and verifies."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from egide.audit import AuditLog
from egide.auth import Role
from egide.auth.users import UserStore
from egide.cli import main
from egide.config import Settings, load_settings
from egide.store import open_store
from egide.store.accounts import RecoveryCode, UserAccount, WebSession
from egide.store.conversation_rows import AgentProfileRow, ConversationRow
from egide.store.models import Draft
from egide.store.workspace import BatchJobRow, UploadRow, WorkRequestRow
from egide.workspace import Workspace
from tests.support.personal_data import seed

TABLES = (WorkRequestRow, ConversationRow, Draft, UploadRow, BatchJobRow, AgentProfileRow)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("EGIDE_USER", "dpo")
    monkeypatch.delenv("EGIDE_STORE_KEY", raising=False)
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    settings = load_settings()
    with open_store(settings) as store:
        users = UserStore(store)
        users.add("cmartin", Role.AGENT, display_name="Camille Martin", service="Titres")
        users.add("pdurand", Role.AGENT)
        workspace = Workspace(settings, lambda: store)
        seed(workspace, "cmartin", "ROUSSEAU")
        seed(workspace, "pdurand", "LEFEBVRE")
    return settings


def _rows(settings: Settings, owner: str) -> int:
    with open_store(settings) as store, store.session() as session:
        return sum(
            int(
                session.scalar(
                    select(func.count()).select_from(t).where(t.owner == owner)  # type: ignore[attr-defined]
                )
                or 0
            )
            for t in TABLES
        )


def test_without_confirm_nothing_is_erased(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users", "erase", "cmartin"]) == 2
    err = capsys.readouterr().err
    assert "Brouillons : 1" in err and "Rien n'est effacé" in err and "--confirm" in err
    assert _rows(settings, "cmartin") == 7
    assert not [e for e in AuditLog.open(settings).events() if "erased" in e.action]


def test_erase_with_confirm_keeps_the_account_and_the_trail(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users", "erase", "CMartin", "--confirm"]) == 0
    out = capsys.readouterr().out
    assert "Contenus du compte « cmartin » effacés" in out and "brouillons : 1" in out
    assert _rows(settings, "cmartin") == 0 and _rows(settings, "pdurand") == 7
    with open_store(settings) as store:
        user = UserStore(store).named("cmartin")
    assert not user.disabled and user.display_name == "Camille Martin"
    [event] = [e for e in AuditLog.open(settings).events() if e.action == "user_content_erased"]
    assert event.user == "cli:dpo" and dict(event.extra) == {"target": "cmartin"}
    assert event.counts["drafts"] == 1 and event.counts["turns"] == 1
    assert not [e for e in AuditLog.open(settings).events() if "ROUSSEAU" in str(e.to_record())]
    assert main(["audit", "verify"]) == 0


def test_closing_the_account_keeps_only_its_login(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(settings) as store, store.session() as session:
        row = session.scalars(select(UserAccount).where(UserAccount.login == "cmartin")).one()
        before_hash, user_id = row.password_hash, row.id
        session.add(RecoveryCode(user_id=user_id, code_hash="0" * 64, created_at=row.created_at))
    assert main(["users", "erase", "cmartin", "--confirm", "--close-account"]) == 0
    assert "Compte « cmartin » fermé" in capsys.readouterr().out
    with open_store(settings) as store, store.session() as session:
        row = session.get(UserAccount, user_id)
        assert row is not None and row.login == "cmartin" and row.disabled_at is not None
        assert row.display_name is None and row.service is None and row.totp_secret is None
        assert row.password_hash != before_hash
        for table in (RecoveryCode, WebSession):
            assert not session.scalars(select(table).where(table.user_id == user_id)).all()
    actions = [(e.action, e.extra.get("target")) for e in AuditLog.open(settings).events()]
    assert ("user_content_erased", "cmartin") in actions
    assert ("user_account_closed", "cmartin") in actions
    assert main(["audit", "verify"]) == 0


def test_an_unknown_account_is_a_clear_error(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users", "erase", "personne", "--confirm"]) == 1
    assert "personne" in capsys.readouterr().err
    assert _rows(settings, "cmartin") == 7
