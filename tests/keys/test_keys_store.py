"""Rotation of the store's key: data written before, during and after stays readable, by this
process and by one that still holds the old key; re-encryption by batches resumes; the old key
leaves only when nothing uses it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import LargeBinary, update

from egide.cli import main
from egide.config import Settings
from egide.keyring import Keyring
from egide.keys import read_key_file
from egide.store import DraftStore, StoreError, open_store
from egide.store.crypto import LEGACY_KEY_ID, STORE_KEYS, StoreCipher, sealed_key_id
from egide.store.models import Base, Draft
from egide.store.rekey import NOT_SEALED, SEALED_COLUMNS, count_by_key, reencrypt

NAME = "Amélie Rousseau-Keraudren"  # fictitious


def _draft(drafts: DraftStore, title: str) -> str:
    return drafts.create(
        owner="cmartin", task="draft", model="local", tier="interne", level="personnel",
        title=title, content=f"Madame {NAME}, votre dossier {title} est complet.",
    ).id  # fmt: skip


def _titles(settings: Settings, ids: list[str]) -> list[str]:
    with open_store(settings) as store:
        drafts = DraftStore(store)
        return [drafts.get(draft_id, owner="cmartin").title for draft_id in ids]


def _legacy(key: bytes, text: str, row_id: str, column: str) -> bytes:
    """A value as Égide sealed it before key fingerprints (version byte 1)."""
    nonce = os.urandom(12)
    context = f"egide-store\x00drafts.{column}\x00{row_id}".encode()
    return b"\x01" + nonce + AESGCM(key).encrypt(nonce, text.encode(), context)


def test_every_binary_column_is_known_to_reencryption() -> None:
    listed = {f"{spec.table}.{spec.column}" for spec in SEALED_COLUMNS}
    binary = {
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, LargeBinary)
    }
    assert binary - listed - NOT_SEALED == set()


def test_rotation_before_during_after(
    settings: Settings, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old_process = open_store(settings)
    drafts = DraftStore(old_process)
    old_key = read_key_file(home / "keys" / "store.key")
    before = [_draft(drafts, f"avant-{n}") for n in range(5)]
    # One value of the first format, without a fingerprint: still read, and re-encrypted.
    with old_process.session() as session:
        session.execute(
            update(Draft)
            .where(Draft.id == before[0])
            .values(title=_legacy(old_key, "avant-0", before[0], "title"))
        )

    assert main(["keys", "rotate", "store"]) == 0
    new_key = read_key_file(home / "keys" / "store.key")
    old_id, new_id = STORE_KEYS.identify(old_key), STORE_KEYS.identify(new_key)
    assert new_key != old_key
    assert read_key_file(home / "keys" / "store.previous" / f"{old_id}.key") == old_key
    output = capsys.readouterr().out
    assert f"{old_id} → {new_id}" in output and old_key.hex() not in output

    during_old = _draft(drafts, "pendant-ancien")  # a process that has not reloaded yet
    with open_store(settings) as new_process:
        during_new = _draft(DraftStore(new_process), "pendant-nouveau")
        counts = count_by_key(new_process)
    assert counts[new_id] == 2  # the title and content sealed by the new process
    assert counts[LEGACY_KEY_ID] == 1

    # Retiring is refused while values remain under the old key, in French, nothing removed.
    assert main(["keys", "retire", "store"]) == 2
    err = capsys.readouterr().err
    assert "refusé" in err and "egide keys reencrypt" in err
    assert (home / "keys" / "store.previous" / f"{old_id}.key").exists()

    assert main(["keys", "reencrypt", "--lot", "3"]) == 0
    assert "valeurs rechiffrées" in capsys.readouterr().out
    with open_store(settings) as store:
        assert set(count_by_key(store)) == {new_id}
    after = _draft(drafts, "apres")
    ids = [*before, during_old, during_new, after]
    # The old process meets values sealed with the new key: it reloads its keys and reads them.
    assert [drafts.get(i, owner="cmartin").title for i in ids] == [
        *(f"avant-{n}" for n in range(5)), "pendant-ancien", "pendant-nouveau", "apres",
    ]  # fmt: skip
    old_process.close()

    # That process sealed "apres" with the old key (it reloads its keys every 30 s at most):
    # retiring is refused again, until a second pass re-encrypts it.
    assert main(["keys", "retire", "store"]) == 2
    assert "2 avec " + old_id in capsys.readouterr().err
    assert main(["keys", "reencrypt"]) == 0
    assert main(["keys", "retire", "store"]) == 0
    assert not (home / "keys" / "store.previous" / f"{old_id}.key").exists()
    assert _titles(settings, ids)[-1] == "apres"
    assert main(["keys", "status", "--json"]) == 0
    assert '"a_rechiffrer": 0' in capsys.readouterr().out


def test_a_machine_with_the_next_key_reads_what_the_switched_ones_seal(
    settings: Settings, home: Path
) -> None:
    """Several machines: the new key is deployed as "next" everywhere first; a machine that
    has not switched yet (old current, new next, given by its environment) reads the values
    a switched machine seals, and keeps sealing with its old key, which the others read."""
    with open_store(settings) as store:
        first = _draft(DraftStore(store), "premier")
    old_key = read_key_file(home / "keys" / "store.key")
    assert main(["keys", "rotate", "store", "--preparer"]) == 0
    next_key = read_key_file(home / "keys" / "store.next.key")
    not_switched = StoreCipher(Keyring(STORE_KEYS, old_key, next_key=next_key))
    assert main(["keys", "rotate", "store"]) == 0
    with open_store(settings) as store:
        second = _draft(DraftStore(store), "second")
        row = DraftStore(store).get(second, owner="cmartin")
        assert row.title == "second"
        with store.engine.connect() as connection:
            sealed = connection.execute(Draft.__table__.select().where(Draft.id == second)).one()
        assert sealed_key_id(sealed.title) == STORE_KEYS.identify(next_key)
        assert not_switched.open(sealed.title, table="drafts", column="title", row_id=second) == (
            "second"
        )
        blob = not_switched.seal("écrit par l'autre machine", table="drafts", column="title",
                                 row_id=first)  # fmt: skip
        assert store.cipher.open(blob, table="drafts", column="title", row_id=first) == (
            "écrit par l'autre machine"
        )


def test_a_missing_old_key_is_a_clear_refusal_that_loses_nothing(
    settings: Settings, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(settings) as store:
        draft = _draft(DraftStore(store), "gardé")
    assert main(["keys", "rotate", "store"]) == 0
    previous = home / "keys" / "store.previous"
    aside = home.parent / "mise-de-cote"
    shutil.move(previous, aside)
    with pytest.raises(StoreError, match="n'est pas celle qui a chiffré cette base"):
        open_store(settings)
    assert main(["keys", "reencrypt"]) == 1
    assert "rien n'a été modifié" in capsys.readouterr().err
    shutil.move(aside, previous)
    assert _titles(settings, [draft]) == ["gardé"]


def test_reencryption_resumes_after_an_interruption(settings: Settings) -> None:
    with open_store(settings) as store:
        drafts = DraftStore(store)
        ids = [_draft(drafts, f"n{n}") for n in range(12)]
    assert main(["keys", "rotate", "store"]) == 0

    class Stop(Exception):
        pass

    def stop_after_first(where: str, done: int) -> None:
        if done:
            raise Stop

    with open_store(settings) as store:
        with pytest.raises(Stop):
            reencrypt(store, batch=4, progress=stop_after_first)
        remaining = count_by_key(store)
        assert sum(n for kid, n in remaining.items() if kid != store.cipher.key_id) > 0
        report = reencrypt(store, batch=4)
        again = reencrypt(store, batch=4)
        assert set(count_by_key(store)) == {store.cipher.key_id}
    assert report.done > 0 and again.done == 0 and not report.unreadable
    assert _titles(settings, ids) == [f"n{n}" for n in range(12)]
