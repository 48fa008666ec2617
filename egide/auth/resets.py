"""Resets of sign-in factors: no single person may end up holding both factors of an account.

An administrator who resets a password reads the temporary password; one who resets the second
factor lets whoever knows the password enrol a new one. Either reset alone leaves the owner's
other factor standing, so it is allowed — unless that other factor is already down, which would
hand both factors to one person and with them the owner's drafts:

- a new password, while the account (once used) has no enrolled second factor, is refused;
- a second-factor reset, while a temporary password issued by someone else is outstanding on
  an account once used, is refused.

Both factors are then reset together by a **full reset**, under the two-person rule: a first
administrator asks for it and receives the first half of the temporary password, a second,
different administrator confirms it within :data:`FULL_RESET_LIFETIME` and receives the second
half; only then does anything change. Each one hands their half to the owner; neither holds the
whole. An account never signed in holds nothing yet: its creator already knew its password.
A provider identity is a way in too: on an account once used, it is bound under the same rule
(:mod:`egide.auth.accounts`).

Every reset is kept, with who and when; the owner is shown the ones they have not seen at their
next sign-in (:meth:`FactorResets.unseen`), and acknowledges them.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from egide.auth.passwords import hash_password, new_temporary_password
from egide.auth.roles import User
from egide.auth.users import normalise_login, public_user
from egide.store.accounts import FactorChange, RecoveryCode, UserAccount, WebSession
from egide.store.db import Store
from egide.store.errors import StoreError

__all__ = [
    "FULL_RESET_LIFETIME",
    "PendingChange",
    "ResetNotice",
    "ResetRefused",
    "FactorResets",
]

FULL_RESET_LIFETIME = timedelta(hours=24)
_TABLE = "factor_changes"
PASSWORD, TOTP, FULL, OIDC = "password", "totp", "full", "oidc"

# Called inside the reset's transaction, after the rules passed and before anything changes:
# the audit record. Raising there (AuditError) rolls the whole reset back.
BeforeChange = Callable[[User], None]


class ResetRefused(Exception):
    """A reset that would break the two-person rule; the message says what to do, in French."""


@dataclass(frozen=True, slots=True)
class ResetNotice:
    """A reset as its owner is told of it."""

    kind: str  # password | totp | full | oidc
    requested_by: str
    requested_at: datetime
    approved_by: str | None
    done_at: datetime


@dataclass(frozen=True, slots=True)
class PendingChange:
    login: str
    kind: str  # full | oidc
    requested_by: str
    requested_at: datetime
    detail: str | None = None  # oidc: what is asked for, as JSON


_PASSWORD_REFUSED = (
    "La double authentification de « {login} » n'est pas activée : un nouveau mot de passe "
    "donnerait à la personne qui le lit les deux facteurs de ce compte. Utilisez la "
    "réinitialisation complète, qui demande deux administrateurs."
)
_TOTP_REFUSED = (
    "Un mot de passe temporaire de « {login} » n'a pas encore été remplacé par son titulaire : "
    "réinitialiser aussi la double authentification donnerait à la personne qui connaît ce mot "
    "de passe les deux facteurs du compte. Utilisez la réinitialisation complète, qui demande "
    "deux administrateurs."
)
_ANOTHER_WAITS = (
    "Une demande de {by} pour « {login} » attend déjà la confirmation d'un autre "
    "administrateur : confirmez-la, ou laissez-la expirer avant d'en faire une autre."
)
_NOTHING_WAITS = "Aucune demande n'attend de confirmation pour « {login} »."
_SAME_PERSON = {
    FULL: (
        "Vous avez vous-même demandé la réinitialisation complète de « {login} » : elle doit "
        "être confirmée par un autre administrateur, qui remettra la seconde moitié du mot de "
        "passe."
    ),
    OIDC: (
        "Vous avez vous-même demandé le rattachement de « {login} » au fournisseur "
        "d'identité : il doit être confirmé par un autre administrateur."
    ),
}


class FactorResets:
    def __init__(self, store: Store) -> None:
        self._store = store

    @staticmethod
    def row(session: Session, login: str) -> UserAccount:
        found = session.scalars(
            select(UserAccount).where(UserAccount.login == normalise_login(login))
        ).first()
        if found is None:
            raise StoreError(f"utilisateur inconnu « {login} » (voir « egide users list »)")
        return found

    @staticmethod
    def used(row: UserAccount) -> bool:
        # An account never signed in holds no one's work, and its creator knew its password.
        return row.last_sign_in_at is not None

    @staticmethod
    def record_done(
        session: Session, row: UserAccount, kind: str, actor: str, now: datetime
    ) -> None:
        """A change made by one person, kept for its owner's notice."""
        session.add(
            FactorChange(
                user_id=row.id, kind=kind, requested_by=actor, requested_at=now,
                approved_by=None, done_at=now, payload=None, seen_at=None,
            )
        )  # fmt: skip

    @staticmethod
    def _set_password(session: Session, row: UserAccount, password: str) -> None:
        row.password_hash = hash_password(password)
        row.must_change_password = True
        session.execute(delete(WebSession).where(WebSession.user_id == row.id))

    @staticmethod
    def _forget_second_factor(session: Session, row: UserAccount) -> None:
        row.totp_secret, row.totp_enrolled_at, row.totp_last_step = None, None, None
        session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == row.id))
        session.execute(delete(WebSession).where(WebSession.user_id == row.id))

    def reset_password(
        self, login: str, *, actor: str, now: datetime, before: BeforeChange
    ) -> tuple[User, str]:
        """A temporary password (to change at next sign-in); the second factor stays."""
        password = new_temporary_password()
        with self._store.session() as session:
            row = self.row(session, login)
            if self.used(row) and row.totp_enrolled_at is None:
                raise ResetRefused(_PASSWORD_REFUSED.format(login=row.login))
            before(public_user(row))
            self._set_password(session, row, password)
            self.record_done(session, row, PASSWORD, actor, now)
            return public_user(row), password

    def reset_totp(self, login: str, *, actor: str, now: datetime, before: BeforeChange) -> User:
        """Forget the second factor: the next sign-in enrols a new one; the password stays."""
        with self._store.session() as session:
            row = self.row(session, login)
            if self.used(row) and row.must_change_password:
                raise ResetRefused(_TOTP_REFUSED.format(login=row.login))
            before(public_user(row))
            self._forget_second_factor(session, row)
            self.record_done(session, row, TOTP, actor, now)
            return public_user(row)

    # -- the two-person rule ------------------------------------------------------------------

    @staticmethod
    def _pending(
        session: Session, row: UserAccount, kind: str, now: datetime
    ) -> FactorChange | None:
        session.execute(
            delete(FactorChange)
            .where(FactorChange.user_id == row.id)
            .where(FactorChange.kind == kind)
            .where(FactorChange.done_at.is_(None))
            .where(FactorChange.requested_at <= now - FULL_RESET_LIFETIME)
        )
        return session.scalars(
            select(FactorChange)
            .where(FactorChange.user_id == row.id)
            .where(FactorChange.kind == kind)
            .where(FactorChange.done_at.is_(None))
        ).first()

    def request(
        self,
        session: Session,
        row: UserAccount,
        kind: str,
        *,
        actor: str,
        now: datetime,
        payload: str,
        before: BeforeChange,
    ) -> None:
        """A change that waits for a second, different person; ``payload`` is kept sealed.
        The same person asking again replaces their request; another's request must be
        confirmed (or left to expire) first."""
        pending = self._pending(session, row, kind, now)
        if pending is not None and pending.requested_by != actor:
            raise ResetRefused(_ANOTHER_WAITS.format(login=row.login, by=pending.requested_by))
        if pending is not None:
            session.delete(pending)
        before(public_user(row))
        sealed = self._store.cipher.seal(payload, table=_TABLE, column="payload", row_id=row.id)
        session.add(
            FactorChange(
                user_id=row.id, kind=kind, requested_by=actor, requested_at=now,
                approved_by=None, done_at=None, payload=sealed, seen_at=None,
            )
        )  # fmt: skip

    def approve(
        self,
        session: Session,
        row: UserAccount,
        kind: str,
        *,
        actor: str,
        now: datetime,
        before: BeforeChange,
    ) -> tuple[str, str]:
        """Confirm the change another person asked for: its payload and who asked."""
        pending = self._pending(session, row, kind, now)
        if pending is None:
            raise ResetRefused(_NOTHING_WAITS.format(login=row.login))
        if pending.requested_by == actor:
            raise ResetRefused(_SAME_PERSON[kind].format(login=row.login))
        assert pending.payload is not None
        payload = self._store.cipher.open(
            pending.payload, table=_TABLE, column="payload", row_id=row.id
        )
        before(public_user(row))
        # Only this conditional update confirms: of two confirmations at once, one wins.
        confirmed = session.execute(
            update(FactorChange)
            .where(FactorChange.id == pending.id)
            .where(FactorChange.done_at.is_(None))
            .values(approved_by=actor, done_at=now, payload=None)
        )
        if getattr(confirmed, "rowcount", 0) != 1:
            raise ResetRefused("Cette demande vient d'être confirmée par un autre administrateur.")
        return payload, pending.requested_by

    def full_reset(
        self,
        login: str,
        *,
        actor: str,
        now: datetime,
        on_request: BeforeChange,
        on_approval: BeforeChange,
    ) -> tuple[User, str, bool]:
        """Ask for a full reset, or confirm the one another person asked for.

        Returns the account, the half of the temporary password for ``actor`` to hand over,
        and whether the reset is done (True: confirmed now) or waits for a second person.
        """
        half = new_temporary_password()[:9]  # two groups of four: 40 random bits each
        with self._store.session() as session:
            row = self.row(session, login)
            pending = self._pending(session, row, FULL, now)
            if pending is None:
                self.request(
                    session, row, FULL, actor=actor, now=now, payload=half, before=on_request
                )
                return public_user(row), half, False
            first, _ = self.approve(session, row, FULL, actor=actor, now=now, before=on_approval)
            self._set_password(session, row, f"{first}-{half}")
            self._forget_second_factor(session, row)
            return public_user(row), half, True

    def pending(self, now: datetime) -> builtins.list[PendingChange]:
        """Two-person requests waiting for a second administrator (expired ones left out).

        What a full reset carries (the first half of a password) is never listed; what an
        identity request carries (the address or subject asked for) is, to be checked."""
        with self._store.session() as session:
            rows = session.execute(
                select(FactorChange, UserAccount.login)
                .join(UserAccount, UserAccount.id == FactorChange.user_id)
                .where(FactorChange.done_at.is_(None))
                .where(FactorChange.requested_at > now - FULL_RESET_LIFETIME)
                .order_by(UserAccount.login, FactorChange.id)
            ).all()
            listed = []
            for change, login in rows:
                detail = None
                if change.kind == OIDC and change.payload is not None:
                    detail = self._store.cipher.open(
                        change.payload, table=_TABLE, column="payload", row_id=change.user_id
                    )
                listed.append(
                    PendingChange(
                        login, change.kind, change.requested_by, change.requested_at, detail
                    )
                )
            return listed

    def unseen(self, user_id: str) -> builtins.list[ResetNotice]:
        """The changes of this account that its owner has not acknowledged, oldest first."""
        with self._store.session() as session:
            rows = session.scalars(
                select(FactorChange)
                .where(FactorChange.user_id == user_id)
                .where(FactorChange.done_at.is_not(None))
                .where(FactorChange.seen_at.is_(None))
                .order_by(FactorChange.done_at, FactorChange.id)
            ).all()
            return [
                ResetNotice(r.kind, r.requested_by, r.requested_at, r.approved_by, r.done_at)
                for r in rows
                if r.done_at is not None
            ]

    def acknowledge(self, user_id: str, now: datetime) -> None:
        with self._store.session() as session:
            session.execute(
                update(FactorChange)
                .where(FactorChange.user_id == user_id)
                .where(FactorChange.done_at.is_not(None))
                .where(FactorChange.seen_at.is_(None))
                .values(seen_at=now)
            )
