"""Vault files and backups across a rotation: a vault sealed before still opens, is
re-encrypted on request; a backup made before or after a rotation restores."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from egide.cli import main
from egide.config import Settings, load_settings
from egide.guard.vault import Vault, load_vault_keyring, sealed_vault_key_id
from egide.store import DraftStore, open_store

NAME = "Amélie Rousseau-Keraudren"  # fictitious


def test_a_vault_sealed_before_the_rotation_still_opens(home: Path) -> None:
    vault = Vault()
    placeholder = vault.placeholder_for("PERSON", NAME)
    ring = load_vault_keyring(home)
    old_id = ring.current_id
    coffre = home.parent / "note.coffre"
    coffre.write_bytes(vault.seal(ring))
    assert main(["keys", "rotate", "vault"]) == 0
    ring = load_vault_keyring(home)
    assert Vault.unseal(coffre.read_bytes(), ring).original(placeholder) == NAME
    assert main(["keys", "retire", "vault"]) == 2  # not without --confirmer
    assert main(["keys", "reencrypt", "--coffre", str(coffre)]) == 0
    assert sealed_vault_key_id(coffre.read_bytes()) == ring.current_id != old_id
    assert main(["keys", "retire", "vault", "--confirmer"]) == 0
    assert Vault.unseal(coffre.read_bytes(), load_vault_keyring(home)).original(placeholder) == (
        NAME
    )


def _draft(settings: Settings, title: str) -> str:
    with open_store(settings) as store:
        return DraftStore(store).create(
            owner="cmartin", task="draft", model="local", tier="interne", level="personnel",
            title=title, content=f"Madame {NAME}, votre dossier est complet.",
        ).id  # fmt: skip


def _restore(
    monkeypatch: pytest.MonkeyPatch, origin: Path, archive: Path, target: Path
) -> Settings:
    shutil.copytree(origin / "keys", target / "keys")  # the keys travel separately
    monkeypatch.setenv("EGIDE_HOME", str(target))
    assert main(["restore", str(archive)]) == 0
    assert main(["audit", "verify"]) == 0
    monkeypatch.setenv("EGIDE_HOME", str(origin))
    return load_settings(environ={"EGIDE_HOME": str(target)})


def test_backups_before_and_after_a_rotation_restore(
    settings: Settings, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _draft(settings, "avant")
    before = tmp_path / "avant.egide"
    assert main(["backup", "-o", str(before)]) == 0
    assert main(["keys", "rotate", "store"]) == 0
    assert main(["keys", "rotate", "audit"]) == 0
    second = _draft(settings, "après")  # the old values are not re-encrypted yet
    after = tmp_path / "apres.egide"
    assert main(["backup", "-o", str(after)]) == 0

    for archive, name, ids in ((after, "r1", [first, second]), (before, "r2", [first])):
        restored = _restore(monkeypatch, home, archive, tmp_path / name)
        with open_store(restored) as store:
            titles = [DraftStore(store).get(i, owner="cmartin").title for i in ids]
        assert titles == ["avant", "après"][: len(ids)]
