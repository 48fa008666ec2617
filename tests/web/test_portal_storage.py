"""What the database keeps of the secrets: argon2id hashes, digests and ciphertexts only."""

import hashlib

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Table, select, text

from egide.auth.recovery import normalise_code
from egide.store.accounts import (
    AuthThrottle,
    CharterAcceptance,
    RecoveryCode,
    UserAccount,
    WebSession,
)
from egide.store.db import _MIGRATIONS
from egide.store.models import Base
from tests.support.portal import PortalHarness

ACCOUNT_TABLES = {
    model.__tablename__
    for model in (UserAccount, RecoveryCode, WebSession, CharterAcceptance, AuthThrottle)
}


def test_no_secret_is_kept_in_clear(harness: PortalHarness) -> None:
    account = harness.add_user("cmartin")
    temporary = account.password
    client = harness.client()
    harness.first_sign_in(client, account)
    cookie = client.cookies["egide_session"]
    store = harness.portal.store
    with store.session() as session:
        row = session.scalars(select(UserAccount)).one()
        assert row.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert row.totp_secret is not None and account.secret.encode() not in row.totp_secret
        digests = session.scalars(select(RecoveryCode.code_hash)).all()
        sessions = session.scalars(select(WebSession.id)).all()
    expected = {
        hashlib.sha256(f"egide-recovery\x00{row.id}\x00{normalise_code(code)}".encode()).hexdigest()
        for code in account.recovery_codes
    }
    assert set(digests) == expected
    assert sessions == [hashlib.sha256(cookie.encode()).hexdigest()]

    # Nowhere in the file either, not even in freed pages.
    store.engine.dispose()
    raw = (harness.settings.home / "egide.db").read_bytes()
    secrets = [temporary, account.password, account.secret, cookie, *account.recovery_codes]
    secrets += [normalise_code(code) or "" for code in account.recovery_codes]
    for secret in secrets:
        assert secret.encode() not in raw, secret


def test_the_account_tables_match_their_migration(harness: PortalHarness) -> None:
    store = harness.portal.store
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert (
            context.get_current_revision() == ScriptDirectory(str(_MIGRATIONS)).get_current_head()
        )
        differences = compare_metadata(context, Base.metadata)
        tables = {row[0] for row in connection.execute(text("SELECT name FROM sqlite_master"))}
    assert tables >= ACCOUNT_TABLES
    mine = [d for d in differences if _table_of(d) in ACCOUNT_TABLES]
    assert mine == []
    assert ScriptDirectory(str(_MIGRATIONS)).get_revision("0003").down_revision == "0002"


def _table_of(difference: object) -> str:
    item = difference[0] if isinstance(difference, list) else difference
    assert isinstance(item, tuple)
    operation = item[0]
    if operation.startswith("modify_") or operation in ("add_column", "remove_column"):
        return str(item[2])
    target = item[1]
    return str(target.name if isinstance(target, Table) else target.table.name)
