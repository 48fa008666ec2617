"""What proves who a user is: password, TOTP secret, recovery codes (checked, changed, used).

Every check that could be raced (a TOTP code or a recovery code sent twice at once) is settled
by one conditional UPDATE: of two simultaneous uses of the same code, exactly one succeeds.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import CursorResult

from egide.auth import recovery, totp
from egide.auth.passwords import hash_password, needs_rehash, spend_equal_time, verify_password
from egide.auth.roles import User
from egide.auth.users import normalise_login, public_user
from egide.store.accounts import RecoveryCode, UserAccount
from egide.store.db import Store

__all__ = ["Credentials"]

_TABLE = "users"


def _changed(result: object) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount or 0)


class Credentials:
    def __init__(self, store: Store) -> None:
        self._store = store

    def check_password(self, login: str, password: str) -> User | None:
        """The user when ``password`` is theirs; None otherwise, as slowly for unknown logins."""
        with self._store.session() as session:
            row = session.scalars(
                select(UserAccount).where(UserAccount.login == normalise_login(login))
            ).first()
            if row is None:
                spend_equal_time(password)
                return None
            if not verify_password(row.password_hash, password):
                return None
            if needs_rehash(row.password_hash):
                row.password_hash = hash_password(password)
            return public_user(row)

    def is_password(self, user_id: str, password: str) -> bool:
        with self._store.session() as session:
            row = session.get(UserAccount, user_id)
            return row is not None and verify_password(row.password_hash, password)

    def change_password(self, user_id: str, password: str, now: datetime) -> None:
        with self._store.session() as session:
            row = session.get(UserAccount, user_id)
            if row is not None:
                row.password_hash = hash_password(password)
                row.must_change_password = False
                row.password_changed_at = now

    def retire_password(self, user_id: str) -> None:
        """Replace the password by one nobody knows (the account stays usable by its provider
        identity; a password comes back only through a reset)."""
        with self._store.session() as session:
            row = session.get(UserAccount, user_id)
            if row is not None:
                row.password_hash = hash_password(secrets.token_urlsafe(32))

    def enrol_totp(self, user_id: str, secret: str, step: int, now: datetime) -> None:
        """Keep the secret (sealed) and the step of the code that proved the enrolment."""
        sealed = self._store.cipher.seal(secret, table=_TABLE, column="totp_secret", row_id=user_id)
        with self._store.session() as session:
            row = session.get(UserAccount, user_id)
            if row is not None:
                row.totp_secret, row.totp_enrolled_at, row.totp_last_step = sealed, now, step

    def check_totp(self, user_id: str, code: str, now: datetime) -> bool:
        """True once per valid code: a code already used (or older) is refused."""
        with self._store.session() as session:
            row = session.get(UserAccount, user_id)
            if row is None or row.totp_secret is None:
                return False
            secret = self._store.cipher.open(
                row.totp_secret, table=_TABLE, column="totp_secret", row_id=user_id
            )
            step = totp.matching_step(secret, code, now, after=row.totp_last_step)
            if step is None:
                return False
            result = session.execute(
                update(UserAccount)
                .where(UserAccount.id == user_id)
                .where(UserAccount.totp_last_step.is_(None) | (UserAccount.totp_last_step < step))
                .values(totp_last_step=step)
            )
            return _changed(result) == 1

    def new_recovery_codes(self, user_id: str, now: datetime) -> list[str]:
        """Ten fresh codes, replacing any earlier ones; only their digests are kept."""
        codes = recovery.new_codes()
        with self._store.session() as session:
            session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
            for code in codes:
                normalised = recovery.normalise_code(code)
                assert normalised is not None
                session.add(
                    RecoveryCode(
                        user_id=user_id,
                        code_hash=recovery.hash_code(user_id, normalised),
                        created_at=now,
                        used_at=None,
                    )
                )
        return codes

    def use_recovery_code(self, user_id: str, code: str, now: datetime) -> bool:
        normalised = recovery.normalise_code(code)
        if normalised is None:
            return False
        with self._store.session() as session:
            result = session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.user_id == user_id)
                .where(RecoveryCode.code_hash == recovery.hash_code(user_id, normalised))
                .where(RecoveryCode.used_at.is_(None))
                .values(used_at=now)
            )
            return _changed(result) == 1

    def recovery_codes_left(self, user_id: str) -> int:
        with self._store.session() as session:
            count = session.scalar(
                select(func.count())
                .select_from(RecoveryCode)
                .where(RecoveryCode.user_id == user_id)
                .where(RecoveryCode.used_at.is_(None))
            )
            return int(count or 0)

    def record_sign_in(self, user_id: str, now: datetime) -> None:
        with self._store.session() as session:
            row = session.get(UserAccount, user_id)
            if row is not None:
                row.last_sign_in_at = now
