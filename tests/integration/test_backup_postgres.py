"""Backups of a PostgreSQL deployment, taken while another process appends to its audit chain,
restored into a fresh PostgreSQL database and into an embedded SQLite installation: the data is
there, ``egide audit verify`` passes, and the restored service goes on recording."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from egide.audit import AuditLog
from egide.config import load_settings
from egide.store import DraftStore, open_store
from tests.e2e.server import EGIDE
from tests.support.postgres import PostgresServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NAME = "Amélie Rousseau-Keraudren"  # fictitious


def _key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


class Installation:
    def __init__(self, home: Path, keys: dict[str, str], url: str | None) -> None:
        self.home = home
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("EGIDE_")},
            **keys,
            "EGIDE_HOME": str(home),
        }
        if url is not None:
            config = home.parent / f"{home.name}.toml"
            config.write_text(f'[storage]\nurl = "{url}"\n', encoding="utf-8")
            self.env["EGIDE_CONFIG"] = str(config)

    def egide(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(EGIDE), *args], env=self.env, capture_output=True, text=True, timeout=300,
            check=False,
        )  # fmt: skip

    def settings(self):  # type: ignore[no-untyped-def]
        return load_settings(self.env.get("EGIDE_CONFIG"), environ=self.env)


@pytest.fixture
def databases(postgres: PostgresServer) -> Iterator[tuple[str, str]]:
    names = (postgres.new_database("egide_origine"), postgres.new_database("egide_restauree"))
    yield postgres.url(names[0]), postgres.url(names[1])
    for name in names:
        postgres.drop_database(name)


def test_a_postgresql_backup_restores_on_postgresql_and_on_sqlite(
    databases: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = {"EGIDE_STORE_KEY": _key(), "EGIDE_AUDIT_KEY": _key(), "EGIDE_VAULT_KEY": _key()}
    for name, value in keys.items():
        monkeypatch.setenv(name, value)
    origin = Installation(tmp_path / "origine", keys, databases[0])
    assert origin.egide("users", "add", "cmartin", "--role", "agent").returncode == 0
    settings = origin.settings()
    with open_store(settings) as store:
        DraftStore(store).create(
            owner="cmartin", task="draft", model="local", tier="interne", level="personnel",
            title=f"Réponse à {NAME}", content=f"Madame {NAME}, votre dossier est complet.",
        )  # fmt: skip
    log = AuditLog.open(settings)
    stop = threading.Event()
    appended: list[int] = []

    def append_events() -> None:  # another process of the deployment, still working
        while not stop.is_set():
            appended.append(log.append(user="cmartin", action="summarize").seq)

    writer = threading.Thread(target=append_events)
    writer.start()
    archive = tmp_path / "sauvegarde.egide"
    try:
        made = origin.egide("backup", "-o", str(archive))
    finally:
        stop.set()
        writer.join()
    assert made.returncode == 0, made.stderr
    assert appended  # events were appended during the backup

    for target in (
        Installation(tmp_path / "pg", keys, databases[1]),
        Installation(tmp_path / "sqlite", keys, None),
    ):
        restored = target.egide("restore", str(archive))
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "chaîne d'audit intègre" in restored.stdout
        verified = target.egide("audit", "verify")
        assert verified.returncode == 0, verified.stdout
        # The restored service goes on: new rows (sequences set after the restored ids), new
        # audit events chained after the restored ones.
        assert target.egide("users", "add", "lbernard", "--role", "agent").returncode == 0
        assert target.egide("audit", "verify").returncode == 0
        with open_store(target.settings()) as store:
            drafts = DraftStore(store).list("cmartin")
            assert [d.title for d in drafts] == [f"Réponse à {NAME}"]
