"""``egide backup -o ARCHIVE`` then ``egide restore ARCHIVE`` on a fresh EGIDE_HOME: the same
drafts, accounts, templates and an audit chain that verifies — taken while events are appended.

``tests/integration/test_backup_postgres.py`` does the same on PostgreSQL, and across engines.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from egide.audit import AuditLog
from egide.cli import main
from egide.config import Settings, load_settings
from egide.store import DraftStore, open_store
from egide.tasks.templates import ADMIN_FOLDER
from tests.support.templates import NOTE

NAME = "Amélie Rousseau-Keraudren"  # fictitious


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EGIDE_CONFIG", "EGIDE_STORE_KEY", "EGIDE_AUDIT_KEY", "EGIDE_VAULT_KEY"):
        monkeypatch.delenv(name, raising=False)


def _settings(home: Path) -> Settings:
    return load_settings(environ={"EGIDE_HOME": str(home)})


def _egide(monkeypatch: pytest.MonkeyPatch, home: Path, *args: str) -> int:
    monkeypatch.setenv("EGIDE_HOME", str(home))
    return main(list(args))


@pytest.fixture
def installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "origine"
    assert _egide(monkeypatch, home, "users", "add", "cmartin", "--role", "agent") == 0
    (home / ADMIN_FOLDER).mkdir(parents=True, exist_ok=True)
    (home / ADMIN_FOLDER / "note-breve.md").write_text(NOTE, encoding="utf-8")
    with open_store(_settings(home)) as store:
        DraftStore(store).create(
            owner="cmartin", task="draft", model="local", tier="interne", level="personnel",
            title=f"Réponse à {NAME}", content=f"Madame {NAME}, votre dossier est complet.",
        )  # fmt: skip
    yield home


def _new_home(tmp_path: Path, origin: Path) -> Path:
    """A fresh machine: an empty EGIDE_HOME, the keys brought separately."""
    home = tmp_path / "restauree"
    shutil.copytree(origin / "keys", home / "keys")
    return home


def test_a_backup_taken_while_events_are_appended_restores_and_verifies(
    installation: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    archive = tmp_path / "sauvegarde.egide"
    log = AuditLog.open(_settings(installation))
    stop = threading.Event()

    def append_events() -> None:
        while not stop.is_set():
            log.append(user="cmartin", action="summarize", counts={"PERSON": 1})

    writer = threading.Thread(target=append_events)
    writer.start()
    try:
        assert _egide(monkeypatch, installation, "backup", "-o", str(archive)) == 0
    finally:
        stop.set()
        writer.join()
    assert "Sauvegarde écrite" in capsys.readouterr().out
    data = archive.read_bytes()
    assert NAME.encode() not in data and b"cmartin" not in data and b"Note" not in data

    restored = _new_home(tmp_path, installation)
    assert _egide(monkeypatch, restored, "restore", str(archive)) == 0
    said = capsys.readouterr().out
    assert "restaurée" in said and "chaîne d'audit intègre" in said
    assert _egide(monkeypatch, restored, "audit", "verify") == 0
    with open_store(_settings(restored)) as store:
        drafts = DraftStore(store).list("cmartin")
        assert [d.title for d in drafts] == [f"Réponse à {NAME}"]
        assert DraftStore(store).get(drafts[0].id, owner="cmartin").content.startswith("Madame")
    assert (restored / ADMIN_FOLDER / "note-breve.md").read_text(encoding="utf-8") == NOTE
    # The restored service goes on recording where the chain stopped.
    assert _egide(monkeypatch, restored, "users", "add", "lbernard", "--role", "agent") == 0
    assert _egide(monkeypatch, restored, "audit", "verify") == 0


def test_restore_needs_an_empty_home_and_the_right_key(
    installation: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    archive = tmp_path / "sauvegarde.egide"
    assert _egide(monkeypatch, installation, "backup", "-o", str(archive)) == 0
    assert _egide(monkeypatch, installation, "backup", "-o", str(archive)) != 0  # never overwritten
    capsys.readouterr()

    assert _egide(monkeypatch, installation, "restore", str(archive)) != 0
    assert "n'est pas vide" in capsys.readouterr().err

    without_keys = tmp_path / "sans-cle"
    assert _egide(monkeypatch, without_keys, "restore", str(archive)) != 0
    assert "clé de la base absente" in capsys.readouterr().err

    other = tmp_path / "autre"
    assert _egide(monkeypatch, other / "x", "users", "list") == 0  # another installation's keys
    shutil.copytree(other / "x" / "keys", other / "y" / "keys")
    assert _egide(monkeypatch, other / "y", "restore", str(archive)) != 0
    assert "n'est pas celle de l'installation sauvegardée" in capsys.readouterr().err
    assert not (other / "y" / "egide.db").exists()


def test_an_archive_cut_short_or_altered_is_refused(
    installation: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    archive = tmp_path / "sauvegarde.egide"
    assert _egide(monkeypatch, installation, "backup", "-o", str(archive)) == 0
    data = archive.read_bytes()
    cut = tmp_path / "coupee.egide"
    cut.write_bytes(data[: len(data) - 40])
    assert _egide(monkeypatch, _new_home(tmp_path, installation), "restore", str(cut)) != 0
    said = capsys.readouterr().err
    assert "tronquée" in said or "altérée" in said
    flipped = tmp_path / "modifiee.egide"
    middle = len(data) // 2
    flipped.write_bytes(data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :])
    target = tmp_path / "deuxieme"
    shutil.copytree(installation / "keys", target / "keys")
    assert _egide(monkeypatch, target, "restore", str(flipped)) != 0
    assert "altérée" in capsys.readouterr().err


def test_restore_of_a_pseudonymised_text_still_takes_its_vault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two commands of one name: with --vault a text's values, without it an archive."""
    text = tmp_path / "lettre.txt"
    text.write_text(f"Réponse à {NAME}, 12 rue des Lilas.\n", encoding="utf-8")
    home = tmp_path / "home"
    assert _egide(monkeypatch, home, "anonymize", str(text), "-o", str(tmp_path / "p.txt")) == 0
    capsys.readouterr()
    assert _egide(monkeypatch, home, "restore", str(tmp_path / "p.txt"), "--vault",
                  str(tmp_path / "p.txt.coffre")) == 0  # fmt: skip
    assert NAME in capsys.readouterr().out
