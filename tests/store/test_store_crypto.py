"""Encryption at rest: nothing readable in the database file, ciphertexts bound to their row,
and a wrong or missing key stops the store with a clear French message."""

import base64
import os
from pathlib import Path

import pytest
from sqlalchemy import select, update

from egide.config import Settings
from egide.keys import new_key_text
from egide.store import DraftStore, Store, StoreError, open_store
from egide.store.crypto import StoreCipher
from egide.store.models import Draft

# Fictitious person; distinctive enough that no random ciphertext byte run can hold it.
NAME = "Gwendoline Keraudren-Pichot"
SOURCE = "signalement-Keraudren-Pichot.pdf"


def _create(drafts: DraftStore, owner: str = "lbernard") -> str:
    return drafts.create(
        owner, "summarize", "local", "interne", "personnel",
        f"Courrier à {NAME}", f"Madame {NAME} demande un rendez-vous.", source_name=SOURCE,
    ).id  # fmt: skip


def _database_bytes(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(home.glob("egide.db*")))


def test_nothing_readable_in_the_database_file(settings: Settings) -> None:
    with open_store(settings, environ={}) as store:
        drafts = DraftStore(store)
        draft_id = _create(drafts)
        drafts.update_content(draft_id, "lbernard", f"Réponse à {NAME}.")
        drafts.validate(draft_id, owner="lbernard", validated_by="Louise Bernard")
    raw = _database_bytes(settings.home)
    assert b"lbernard" in raw  # the file is really read: clear metadata is there
    for secret in (NAME, "Keraudren", SOURCE, "rendez-vous"):
        assert secret.encode("utf-8") not in raw, secret


@pytest.mark.parametrize("column", ["title", "content", "source_name"])
def test_a_ciphertext_moved_to_another_row_does_not_decrypt(
    store: Store, drafts: DraftStore, column: str
) -> None:
    first, second = _create(drafts), _create(drafts)
    with store.session() as session:
        moved = session.scalar(select(getattr(Draft, column)).where(Draft.id == first))
        session.execute(update(Draft).where(Draft.id == second).values({column: moved}))
    assert drafts.get(first, owner="lbernard").title == f"Courrier à {NAME}"
    with pytest.raises(StoreError, match=r"impossible de déchiffrer .*altérée"):
        drafts.get(second, owner="lbernard")


def test_a_title_moved_into_the_content_does_not_decrypt(store: Store, drafts: DraftStore) -> None:
    draft_id = _create(drafts)
    with store.session() as session:
        title = session.scalar(select(Draft.title).where(Draft.id == draft_id))
        session.execute(update(Draft).where(Draft.id == draft_id).values(content=title))
    with pytest.raises(StoreError, match="impossible de déchiffrer drafts.content"):
        drafts.get(draft_id, owner="lbernard")


def test_each_value_gets_its_own_nonce() -> None:
    cipher = StoreCipher(os.urandom(32))
    where = {"table": "drafts", "column": "content", "row_id": "x"}
    first, second = cipher.seal(NAME, **where), cipher.seal(NAME, **where)
    assert first != second
    assert cipher.open(first, **where) == cipher.open(second, **where) == NAME


def test_key_from_the_environment_is_used_and_no_file_is_written(settings: Settings) -> None:
    environ = {"EGIDE_STORE_KEY": new_key_text()}
    with open_store(settings, environ=environ) as store:
        draft_id = _create(DraftStore(store))
    assert not (settings.home / "keys" / "store.key").exists()
    with open_store(settings, environ=environ) as store:
        assert NAME in DraftStore(store).get(draft_id, owner="lbernard").content
    with pytest.raises(StoreError, match="n'est pas celle qui a chiffré cette base"):
        open_store(settings, environ={"EGIDE_STORE_KEY": new_key_text()})


def test_a_replaced_key_file_is_refused_before_anything_is_read(settings: Settings) -> None:
    with open_store(settings, environ={}) as store:
        _create(DraftStore(store))
    key_file = settings.home / "keys" / "store.key"
    key_file.write_text(new_key_text() + "\n")
    with pytest.raises(StoreError, match=r"n'est pas celle .* rien n'a été modifié"):
        open_store(settings, environ={})


def test_a_lost_key_file_is_not_silently_replaced(settings: Settings) -> None:
    with open_store(settings, environ={}):
        pass
    key_file = settings.home / "keys" / "store.key"
    key_file.unlink()
    with pytest.raises(StoreError, match="clé introuvable .* restaurer depuis votre sauvegarde"):
        open_store(settings, environ={})
    assert not key_file.exists()


@pytest.mark.parametrize(
    "value",
    [
        "trop-courte",
        base64.urlsafe_b64encode(b"\x01" * 31).decode(),  # 31 bytes: one short
        base64.urlsafe_b64encode(b"\x01" * 33).decode(),  # 33 bytes: one too many
        "é" * 43,
    ],
)
def test_a_malformed_key_is_refused(settings: Settings, value: str) -> None:
    with pytest.raises(StoreError, match="32 octets encodés en base64url attendus"):
        open_store(settings, environ={"EGIDE_STORE_KEY": value})


def test_a_key_readable_by_others_is_refused(settings: Settings) -> None:
    with open_store(settings, environ={}):
        pass
    key_file = settings.home / "keys" / "store.key"
    key_file.chmod(0o644)
    with pytest.raises(StoreError, match="chmod 600"):
        open_store(settings, environ={})
