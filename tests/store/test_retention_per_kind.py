"""Each kind of work is deleted at its own period (``portal.retention``), and no sooner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from egide.config import ConfigError, Settings, load_settings
from egide.store import open_store
from egide.store.conversation_rows import ConversationRow
from egide.store.models import Draft
from egide.store.workspace import BatchJobRow, UploadRow, WorkRequestRow
from egide.workspace import Workspace
from egide.workspace.retention import apply_retention, periods
from tests.support.personal_data import seed

KINDS = {
    "requests": WorkRequestRow, "conversations": ConversationRow, "drafts": Draft,
    "uploads": UploadRow, "batches": BatchJobRow,
}  # fmt: skip


def _settings(tmp_path: Path, toml: str) -> Settings:
    path = tmp_path / "egide.toml"
    path.write_text(toml, encoding="utf-8")
    return load_settings(path, environ={"EGIDE_HOME": str(tmp_path / "home")})


def _age_everything(settings: Settings, owner: str, days: float) -> None:
    moment = datetime.now(UTC) - timedelta(days=days)
    with open_store(settings) as store, store.session() as session:
        for table in KINDS.values():
            values = {"created_at": moment}
            if table in (ConversationRow, WorkRequestRow, BatchJobRow, Draft):
                values["updated_at"] = moment
            session.execute(update(table).where(table.owner == owner).values(**values))  # type: ignore[attr-defined]


def _left(settings: Settings, owner: str) -> dict[str, int]:
    with open_store(settings) as store, store.session() as session:
        found = {}
        for kind, table in KINDS.items():
            where = [table.owner == owner]  # type: ignore[attr-defined]
            if table is WorkRequestRow:
                where.append(WorkRequestRow.conversation_id.is_(None))
            found[kind] = int(
                session.scalar(select(func.count()).select_from(table).where(*where)) or 0
            )
        found["turns"] = int(
            session.scalar(
                select(func.count())
                .select_from(WorkRequestRow)
                .where(WorkRequestRow.owner == owner, WorkRequestRow.conversation_id.is_not(None))
            )
            or 0
        )
        return found


def test_periods_default_to_retention_days(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path, "[portal]\nretention_days = 45\n[portal.retention]\ndrafts_days = 365\n"
    )
    assert periods(settings) == {
        "requests": 45, "conversations": 45, "drafts": 365, "uploads": 45, "batches": 45,
    }  # fmt: skip


@pytest.mark.parametrize("bad", ["drafts_days = 0", "uploads_days = 4000", "sessions_days = 3"])
def test_a_wrong_period_stops_egide(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ConfigError):
        _settings(tmp_path, f"[portal.retention]\n{bad}\n")


def test_each_kind_goes_at_its_own_period(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        "[portal]\nretention_days = 30\n[portal.retention]\n"
        "requests_days = 10\nconversations_days = 20\ndrafts_days = 90\nuploads_days = 5\n",
    )
    with open_store(settings) as store:
        workspace = Workspace(settings, lambda: store)
        seed(workspace, "cmartin", "ROUSSEAU")
        seed(workspace, "pdurand", "LEFEBVRE")
    _age_everything(settings, "cmartin", 12)
    _age_everything(settings, "pdurand", 4)

    counts = apply_retention(settings)
    # At 12 days: requests (10) and documents (5) go; conversations (20), drafts (90) and
    # batches (30, the default) stay. The other agent's, at 4 days, all stay.
    assert _left(settings, "cmartin") == {
        "requests": 0, "conversations": 1, "drafts": 1, "uploads": 0, "batches": 1, "turns": 1,
    }  # fmt: skip
    assert counts["demandes"] == 1 and counts["documents"] == 1 and counts["brouillons"] == 0
    assert _left(settings, "pdurand") == {
        "requests": 1, "conversations": 1, "drafts": 1, "uploads": 1, "batches": 1, "turns": 1,
    }  # fmt: skip

    _age_everything(settings, "cmartin", 25)
    apply_retention(settings)
    # At 25 days: the conversation's turn goes, then the conversation with it.
    assert _left(settings, "cmartin")["turns"] == 0
    assert _left(settings, "cmartin")["conversations"] == 0
    assert _left(settings, "cmartin")["drafts"] == 1 and _left(settings, "cmartin")["batches"] == 1

    _age_everything(settings, "cmartin", 31)
    apply_retention(settings)
    assert _left(settings, "cmartin")["batches"] == 0 and _left(settings, "cmartin")["drafts"] == 1
    _age_everything(settings, "cmartin", 91)
    apply_retention(settings)
    assert sum(_left(settings, "cmartin").values()) == 0
    assert _left(settings, "pdurand")["drafts"] == 1


def test_one_period_for_all_still_works(tmp_path: Path) -> None:
    """``egide drafts purge --days N``: one period for every kind."""
    settings = _settings(tmp_path, "[portal.retention]\ndrafts_days = 90\n")
    with open_store(settings) as store:
        seed(Workspace(settings, lambda: store), "cmartin", "ROUSSEAU")
    _age_everything(settings, "cmartin", 3)
    apply_retention(settings, days=2)
    assert sum(_left(settings, "cmartin").values()) == 0
