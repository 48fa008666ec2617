"""The store on a real PostgreSQL server: the same behaviour as on SQLite, plus what only a
server shows (raw ``bytea`` columns, session time zones, concurrent starts, a refused connection).

The backend-independent tests of ``tests/store`` run here unchanged: they are bound below under
their own names, and the ``settings`` fixture of this module points them at a fresh PostgreSQL
database, configured through ``[storage] url`` in an ``egide.toml`` as a deployment would be.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text

from egide.config import Settings, load_settings
from egide.store import DraftStore, Store, StoreError, open_store
from tests.store import test_store_crypto as crypto_tests
from tests.store import test_store_drafts as drafts_tests
from tests.store import test_store_schema as schema_tests
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.integration

# Fictitious person; distinctive enough that no random ciphertext byte run can hold it.
NAME = crypto_tests.NAME
SOURCE = crypto_tests.SOURCE
SECRETS = (NAME, "Keraudren", SOURCE, "rendez-vous")
KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"  # fixed test key: 32 bytes, base64url


@pytest.fixture(autouse=True)
def _no_outside_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EGIDE_STORE_KEY", raising=False)
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)


def _settings(tmp_path: Path, url: str) -> Settings:
    tmp_path.mkdir(parents=True, exist_ok=True)
    config = tmp_path / "egide.toml"
    config.write_text(f'[storage]\nurl = "{url}"\n', encoding="utf-8")
    return load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})


@pytest.fixture
def database(postgres: PostgresServer) -> Iterator[str]:
    name = postgres.new_database()
    yield name
    postgres.drop_database(name)


@pytest.fixture
def settings(postgres: PostgresServer, database: str, tmp_path: Path) -> Settings:
    return _settings(tmp_path, postgres.url(database))


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with open_store(settings, environ={}) as opened:
        yield opened


@pytest.fixture
def drafts(store: Store) -> DraftStore:
    return DraftStore(store)


# --- the backend-independent store tests, on PostgreSQL ---------------------------------------

test_fresh_database_gets_the_whole_schema = schema_tests.test_fresh_database_gets_the_whole_schema
test_restart_is_idempotent_and_keeps_the_data = (
    schema_tests.test_restart_is_idempotent_and_keeps_the_data
)
test_models_and_migrations_describe_the_same_schema = (
    schema_tests.test_models_and_migrations_describe_the_same_schema
)
test_a_database_from_a_newer_version_is_refused_untouched = (
    schema_tests.test_a_database_from_a_newer_version_is_refused_untouched
)
test_processes_starting_together_on_a_fresh_database_all_open_it = (
    schema_tests.test_processes_starting_together_on_a_fresh_database_all_open_it
)

test_round_trip = drafts_tests.test_round_trip
test_another_owner_is_told_exactly_what_a_missing_id_gets = (
    drafts_tests.test_another_owner_is_told_exactly_what_a_missing_id_gets
)
test_update_content_while_a_draft = drafts_tests.test_update_content_while_a_draft
test_validation_records_who_and_when_then_freezes = (
    drafts_tests.test_validation_records_who_and_when_then_freezes
)
test_validation_needs_a_name = drafts_tests.test_validation_needs_a_name
test_concurrent_validations_let_exactly_one_win = (
    drafts_tests.test_concurrent_validations_let_exactly_one_win
)
test_search_sees_only_the_owners_decrypted_drafts = (
    drafts_tests.test_search_sees_only_the_owners_decrypted_drafts
)
test_list_is_newest_first_and_limited = drafts_tests.test_list_is_newest_first_and_limited
test_delete = drafts_tests.test_delete
test_retention_purge = drafts_tests.test_retention_purge
test_find_id_from_a_prefix = drafts_tests.test_find_id_from_a_prefix
test_create_checks_its_labels = drafts_tests.test_create_checks_its_labels

test_a_ciphertext_moved_to_another_row_does_not_decrypt = (
    crypto_tests.test_a_ciphertext_moved_to_another_row_does_not_decrypt
)
test_a_title_moved_into_the_content_does_not_decrypt = (
    crypto_tests.test_a_title_moved_into_the_content_does_not_decrypt
)
test_key_from_the_environment_is_used_and_no_file_is_written = (
    crypto_tests.test_key_from_the_environment_is_used_and_no_file_is_written
)
test_a_replaced_key_file_is_refused_before_anything_is_read = (
    crypto_tests.test_a_replaced_key_file_is_refused_before_anything_is_read
)
test_a_lost_key_file_is_not_silently_replaced = (
    crypto_tests.test_a_lost_key_file_is_not_silently_replaced
)


# --- what only a PostgreSQL server shows --------------------------------------------------------


def _sensitive_draft(drafts: DraftStore) -> str:
    draft_id = drafts.create(
        "lbernard", "summarize", "local", "interne", "personnel",
        f"Courrier à {NAME}", f"Madame {NAME} demande un rendez-vous.", source_name=SOURCE,
    ).id  # fmt: skip
    drafts.update_content(draft_id, "lbernard", f"Réponse à {NAME}.")
    drafts.validate(draft_id, owner="lbernard", validated_by="Louise Bernard")
    return draft_id


def test_raw_bytea_columns_hold_no_clear_text(store: Store, drafts: DraftStore) -> None:
    draft_id = _sensitive_draft(drafts)
    with store.engine.connect() as connection:
        row = connection.execute(
            text("SELECT owner, title, content, source_name FROM drafts WHERE id = :id"),
            {"id": draft_id},
        ).one()
        types: dict[str, str] = dict(
            connection.execute(
                text(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = 'drafts' AND column_name IN "
                    "('title', 'content', 'source_name')"
                )
            ).all()
        )
    assert types == {"title": "bytea", "content": "bytea", "source_name": "bytea"}
    assert row.owner == "lbernard"
    for column in ("title", "content", "source_name"):
        raw = bytes(getattr(row, column))
        # Version byte, the sealing key's fingerprint (8 bytes), nonce, tag.
        assert raw[:1] == b"\x02" and len(raw) > 1 + 8 + 12 + 16, column
        for secret in SECRETS:
            assert secret.encode("utf-8") not in raw, (column, secret)


def test_nothing_readable_in_a_dump_nor_in_the_server_files(
    postgres: PostgresServer, database: str, store: Store, drafts: DraftStore
) -> None:
    _sensitive_draft(drafts)
    dump = postgres.run_tool("pg_dump", "--no-owner", database).stdout
    assert b"lbernard" in dump  # the dump is really read: clear metadata is there
    with store.engine.connect() as connection:
        connection.execute(text("CHECKPOINT"))  # the pages reach the data files
        oid = connection.execute(
            text("SELECT oid FROM pg_database WHERE datname = current_database()")
        ).scalar_one()
    files = [*sorted((postgres.data_dir / "base" / str(oid)).iterdir())]
    files += sorted((postgres.data_dir / "pg_wal").glob("0*"))
    at_rest = b"".join(path.read_bytes() for path in files if path.is_file())
    assert b"lbernard" in at_rest
    for secret in SECRETS:
        encoded = secret.encode("utf-8")
        # bytea is dumped in hexadecimal: a clear value would show there as hex digits.
        assert encoded not in dump and encoded.hex().encode() not in dump, secret
        assert encoded not in at_rest, secret


def test_timestamps_are_aware_instants_whatever_the_session_time_zone(
    postgres: PostgresServer, database: str, tmp_path: Path
) -> None:
    # A server or role set to another time zone must not shift the instants (nor the
    # "validé le" date of the exports): the columns are timestamptz, read back as UTC.
    noumea = postgres.url(database) + "?options=" + quote("-c TimeZone=Pacific/Noumea")
    before = datetime.now(UTC)
    with open_store(_settings(tmp_path / "a", noumea), environ={"EGIDE_STORE_KEY": KEY}) as store:
        with store.engine.connect() as connection:
            zone = connection.execute(text("SHOW TimeZone")).scalar_one()
            types = {
                name: kind
                for name, kind in connection.execute(
                    text(
                        "SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_name = 'drafts' AND column_name LIKE '%\\_at'"
                    )
                )
            }
        drafts = DraftStore(store)
        draft_id = drafts.create("cmartin", "draft", "local", "interne", "public", "T", "C").id
        written = drafts.validate(draft_id, owner="cmartin", validated_by="Camille Martin")
    after = datetime.now(UTC)
    assert zone == "Pacific/Noumea"
    assert set(types.values()) == {"timestamp with time zone"} and len(types) == 3
    plain = _settings(tmp_path / "b", postgres.url(database))
    with open_store(plain, environ={"EGIDE_STORE_KEY": KEY}) as store:
        read = DraftStore(store).get(draft_id, owner="cmartin")
    for moment in (read.created_at, read.updated_at, read.validated_at):
        assert moment is not None and moment.utcoffset() is not None
        assert moment.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
        assert before <= moment <= after
    assert (read.created_at, read.validated_at) == (written.created_at, written.validated_at)


def test_an_unreachable_server_is_explained_in_french_without_the_password(
    tmp_path: Path,
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+psycopg://egide:motdepasse-fictif@127.0.0.1:{port}/egide"
    with pytest.raises(StoreError) as caught:
        open_store(_settings(tmp_path, url), environ={"EGIDE_STORE_KEY": KEY})
    message = str(caught.value)
    assert message.startswith("la base de données est indisponible (")
    assert "rien de ce qui était déjà enregistré n'a été perdu" in message
    assert "motdepasse-fictif" not in message
