"""Migrations create the schema on a fresh database, run again harmlessly, and match the models."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, inspect, select, text

from egide.config import Settings
from egide.store import DraftStore, StoreError, open_store
from egide.store.db import _MIGRATIONS
from egide.store.models import Base, StoreMeta

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


def test_a_database_from_a_newer_version_is_refused_untouched(settings: Settings) -> None:
    with open_store(settings, environ={}) as store, store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(
        StoreError, match=r"schéma de la base inconnu .* plus récente ; rien n'a été modifié"
    ):
        open_store(settings, environ={})
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version"))
            assert version.scalar_one() == "9999"
            assert "drafts" in inspect(connection).get_table_names()
    finally:
        engine.dispose()


_STARTING_PROCESS = """
import sys, time
from pathlib import Path
from egide.config import load_settings
from egide.store import open_store
settings = load_settings()
print("prêt", flush=True)
while not Path(sys.argv[1]).exists():
    time.sleep(0.002)
with open_store(settings):
    print("ouvert", flush=True)
"""


@pytest.mark.slow
def test_processes_starting_together_on_a_fresh_database_all_open_it(
    settings: Settings, tmp_path: Path
) -> None:
    # Server workers or a CLI command starting together on a new database: one runs the
    # migrations and creates the key, the others wait and find both, none fails on CREATE TABLE.
    environ = {k: v for k, v in os.environ.items() if not k.startswith("EGIDE_")}
    environ["EGIDE_HOME"] = str(settings.home)
    if settings.config_path is not None:
        environ["EGIDE_CONFIG"] = str(settings.config_path)
    gate = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _STARTING_PROCESS, str(gate)],
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    try:
        for process in processes:
            assert process.stdout is not None and process.stdout.readline() == "prêt\n"
        gate.touch()  # every one is past its imports: now they race
        results = [process.communicate(timeout=60) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    outcomes = [(p.returncode, out) for p, (out, _err) in zip(processes, results, strict=True)]
    assert outcomes == [(0, "ouvert\n")] * len(processes), [err for _out, err in results]
    with open_store(settings, environ={}) as store, store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
        assert connection.execute(select(func.count()).select_from(StoreMeta)).scalar_one() == 1


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
