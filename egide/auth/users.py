"""Accounts: creation with a one-time temporary password, roles, disabling.

The command line (``egide users …``) and the administrators' pages change accounts through
:class:`egide.auth.accounts.AccountAdmin`, which audits each change and applies the rules; the
resets of factors are in :mod:`egide.auth.resets`, the sign-in steps in
:mod:`egide.auth.credentials`.
"""

from __future__ import annotations

import builtins
import re
import unicodedata
import uuid
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from egide.auth.passwords import hash_password, new_temporary_password
from egide.auth.roles import Role, User
from egide.store.accounts import UserAccount, WebSession
from egide.store.db import Store
from egide.store.errors import StoreError

__all__ = [
    "FIRST_ADMIN_LOGIN",
    "LOGIN_PATTERN",
    "UserStore",
    "display_login",
    "normalise_login",
    "public_user",
]

FIRST_ADMIN_LOGIN = "admin"
LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
_MAX_TEXT = 128


def normalise_login(login: str) -> str:
    """The one canonical form of a login, for every lookup and every comparison.

    Compatibility forms (full-width letters…) fold to ASCII and case is ignored, so that
    ``CHEF``, ``Chef`` or ``ｃｈｅｆ`` in a form, a URL or a command name the same account as
    ``chef`` — and are recognised as the same account by every check, not only by lookups.
    """
    return unicodedata.normalize("NFKC", login).strip().lower()


def display_login(typed: str) -> str | None:
    """The login as the administrator typed it, to be shown (``CMartin``); None when that is
    the canonical form already. Compatibility forms still fold (``ｃｍａｒｔｉｎ`` shows as
    ``cmartin``): only case is kept, and only for display — never looked up nor compared."""
    shown = unicodedata.normalize("NFKC", typed).strip()
    canonical = normalise_login(typed)
    if shown == canonical or shown.lower() != canonical or len(shown) > 64:
        return None
    return shown


def public_user(row: UserAccount) -> User:
    return User(
        id=row.id,
        login=row.login,
        typed_login=row.login_display,
        display_name=row.display_name,
        service=row.service,
        role=Role(row.role),
        must_change_password=row.must_change_password,
        totp_enrolled=row.totp_enrolled_at is not None,
        created_at=row.created_at,
        last_sign_in_at=row.last_sign_in_at,
        disabled=row.disabled_at is not None,
    )


def _clean_text(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    if len(value) > _MAX_TEXT:
        raise StoreError(f"{what} trop long : {_MAX_TEXT} caractères au plus")
    return value or None


class UserStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    @staticmethod
    def _find_row(session: Session, login: str) -> UserAccount | None:
        return session.scalars(
            select(UserAccount).where(UserAccount.login == normalise_login(login))
        ).first()

    @classmethod
    def _row(cls, session: Session, login: str) -> UserAccount:
        row = cls._find_row(session, login)
        if row is None:
            raise StoreError(f"utilisateur inconnu « {login} » (voir « egide users list »)")
        return row

    def add(
        self,
        login: str,
        role: Role,
        *,
        display_name: str | None = None,
        service: str | None = None,
        now: datetime | None = None,
    ) -> tuple[User, str]:
        """Create an account; returns it with its temporary password, never available again.

        ``login`` is kept in its canonical form for every lookup, and as typed for display."""
        typed = display_login(login)
        login = self.check_new(login)
        password = new_temporary_password()
        row = UserAccount(
            id=str(uuid.uuid4()),
            login=login,
            login_display=typed,
            display_name=_clean_text(display_name, "nom"),
            service=_clean_text(service, "service"),
            role=Role(role).value,
            password_hash=hash_password(password),
            must_change_password=True,
            totp_secret=None,
            totp_enrolled_at=None,
            totp_last_step=None,
            created_at=now or datetime.now(UTC),
            password_changed_at=None,
            last_sign_in_at=None,
            disabled_at=None,
        )
        with self._store.session() as session:
            if session.scalars(select(UserAccount.id).where(UserAccount.login == login)).first():
                raise StoreError(f"un utilisateur « {login} » existe déjà")
            session.add(row)
            try:
                session.flush()
            except IntegrityError:
                raise StoreError(f"un utilisateur « {login} » existe déjà") from None
        return public_user(row), password

    def check_new(self, login: str) -> str:
        """The canonical form of a login that a new account may take; StoreError otherwise."""
        login = normalise_login(login)
        if not LOGIN_PATTERN.fullmatch(login):
            raise StoreError(
                f"identifiant invalide « {login} » : 2 à 64 lettres sans accent, chiffres, "
                "points, tirets ou soulignés, commençant par une lettre ou un chiffre"
            )
        if self.find(login) is not None:
            raise StoreError(f"un utilisateur « {login} » existe déjà")
        return login

    def ensure_first_admin(self, *, now: datetime | None = None) -> str | None:
        """On a store without any account, create ``admin``; its temporary password, or None."""
        if self.count():
            return None
        try:
            _, password = self.add(FIRST_ADMIN_LOGIN, Role.ADMINISTRATEUR, now=now)
        except StoreError:
            return None  # another process created it first
        return password

    def count(self) -> int:
        with self._store.session() as session:
            return int(session.scalar(select(func.count()).select_from(UserAccount)) or 0)

    def list(self) -> builtins.list[User]:
        with self._store.session() as session:
            rows = session.scalars(select(UserAccount).order_by(UserAccount.login)).all()
            return [public_user(row) for row in rows]

    def get(self, user_id: str) -> User | None:
        with self._store.session() as session:
            row = session.get(UserAccount, user_id)
            return public_user(row) if row is not None else None

    def find(self, login: str) -> User | None:
        """The account of ``login``, or None (no error: a sign-in form asks this)."""
        with self._store.session() as session:
            row = self._find_row(session, login)
            return public_user(row) if row is not None else None

    def named(self, login: str) -> User:
        with self._store.session() as session:
            return public_user(self._row(session, login))

    def set_role(self, login: str, role: Role) -> User:
        with self._store.session() as session:
            row = self._row(session, login)
            row.role = Role(role).value
            return public_user(row)

    def disable(self, login: str, *, now: datetime | None = None) -> User:
        """Refuse every sign-in from now on, and end the account's open sessions."""
        with self._store.session() as session:
            row = self._row(session, login)
            if row.disabled_at is None:
                row.disabled_at = now or datetime.now(UTC)
            session.execute(delete(WebSession).where(WebSession.user_id == row.id))
            return public_user(row)

    def enable(self, login: str) -> User:
        with self._store.session() as session:
            row = self._row(session, login)
            row.disabled_at = None
            return public_user(row)
