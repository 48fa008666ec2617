"""Migrations create the schema on a fresh database, run again harmlessly, and match the models."""

import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from egide.config import Settings
from egide.store import DraftStore, open_store
from egide.store.db import _MIGRATIONS
from egide.store.models import Base

DRAFT_COLUMNS = {
    "id", "owner", "task", "model", "tier", "level", "title", "content", "created_at",
    "updated_at", "status", "validated_by", "validated_at", "source_name", "conversation_id",
}  # fmt: skip


def _revision(settings: Settings) -> str | None:
    with open_store(settings, environ={}) as store, store.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_fresh_database_gets_the_whole_schema(settings: Settings) -> None:
    assert not settings.home.exists()
    with open_store(settings, environ={}) as store:
        inspector = inspect(store.engine)
        assert {"drafts", "store_meta", "alembic_version"} <= set(inspector.get_table_names())
        assert {c["name"] for c in inspector.get_columns("drafts")} == DRAFT_COLUMNS
        indexes = {i["name"] for i in inspector.get_indexes("drafts")}
        assert "ix_drafts_owner_created" in indexes
    assert _revision(settings) == ScriptDirectory(str(_MIGRATIONS)).get_current_head()


def test_restart_is_idempotent_and_keeps_the_data(settings: Settings) -> None:
    with open_store(settings, environ={}) as store:
        created = DraftStore(store).create(
            "cmartin", "summarize", "local", "interne", "public", "Note", "Texte conservé."
        )
    first = _revision(settings)
    for _ in range(2):
        with open_store(settings, environ={}) as store:
            assert DraftStore(store).get(created.id, owner="cmartin").content == "Texte conservé."
    assert _revision(settings) == first


def test_models_and_migrations_describe_the_same_schema(settings: Settings) -> None:
    with open_store(settings, environ={}) as store, store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_revisions_form_one_line() -> None:
    scripts = ScriptDirectory(str(_MIGRATIONS))
    assert len(scripts.get_heads()) == 1
    chain = list(scripts.walk_revisions())
    assert chain[-1].down_revision is None
    assert chain[-1].revision == "0001"


def test_migrations_ship_inside_the_package() -> None:
    setuptools = pytest.importorskip("setuptools")
    root = Path(__file__).resolve().parents[2]
    packages = setuptools.find_packages(where=str(root), include=["egide*"])
    assert {"egide.store.migrations", "egide.store.migrations.versions"} <= set(packages)


@pytest.mark.parametrize("relative", ["egide.db", "keys/store.key"])
def test_files_are_private(settings: Settings, relative: str) -> None:
    with open_store(settings, environ={}):
        pass
    mode = stat.S_IMODE((settings.home / relative).stat().st_mode)
    assert mode & 0o077 == 0, oct(mode)
