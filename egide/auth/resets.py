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
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

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
    "AccountRefused",
    "FactorResets",
]

FULL_RESET_LIFETIME = timedelta(hours=24)
_TABLE = "factor_changes"
PASSWORD, TOTP, FULL, OIDC = "password", "totp", "full", "oidc"

# Called once the rules passed and before anything changes, outside any transaction of the
# store (the audit trail writes its head's copy into the same database): the audit record.
# Raising there (AuditError) means nothing changes.
BeforeChange = Callable[[User], None]
T = TypeVar("T")
Plan = TypeVar("Plan")


class AccountRefused(Exception):
    """A change of an account that the rules refuse (two-person rule, own account,
    administrators and the provider…); the message says why and what to do, in French."""


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
    detail: str | None = None  # oidc: what is asked for, in words, for the approver to check


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
_CHANGED_MEANWHILE = (
    "Le compte « {login} » vient d'être modifié par ailleurs : rechargez la page et "
    "recommencez si c'est encore nécessaire."
)
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

    def checked_change(
        self,
        login: str,
        check: Callable[[Session, UserAccount], Plan],
        before: Callable[[User, Plan], None],
        apply: Callable[[Session, UserAccount, Plan], T],
    ) -> T:
        """Check the rules, record, then change — the rules checked again in the change's own
        transaction: what was recorded is what is done, or nothing is."""
        with self._store.session() as session:
            row = self.row(session, login)
            plan = check(session, row)
            user = public_user(row)
        before(user, plan)
        with self._store.session() as session:
            row = self.row(session, login)
            if row.id != user.id or check(session, row) != plan:
                raise AccountRefused(_CHANGED_MEANWHILE.format(login=row.login))
            return apply(session, row, plan)

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

        def check(session: Session, row: UserAccount) -> None:
            if self.used(row) and row.totp_enrolled_at is None:
                raise AccountRefused(_PASSWORD_REFUSED.format(login=row.login))

        def apply(session: Session, row: UserAccount, plan: None) -> tuple[User, str]:
            password = new_temporary_password()
            self._set_password(session, row, password)
            self.record_done(session, row, PASSWORD, actor, now)
            return public_user(row), password

        return self.checked_change(login, check, lambda user, _: before(user), apply)

    def reset_totp(self, login: str, *, actor: str, now: datetime, before: BeforeChange) -> User:
        """Forget the second factor: the next sign-in enrols a new one; the password stays."""

        def check(session: Session, row: UserAccount) -> None:
            if self.used(row) and row.must_change_password:
                raise AccountRefused(_TOTP_REFUSED.format(login=row.login))

        def apply(session: Session, row: UserAccount, plan: None) -> User:
            self._forget_second_factor(session, row)
            self.record_done(session, row, TOTP, actor, now)
            return public_user(row)

        return self.checked_change(login, check, lambda user, _: before(user), apply)

    # -- the two-person rule ------------------------------------------------------------------

    @staticmethod
    def pending_of(
        session: Session, row: UserAccount, kind: str, now: datetime
    ) -> FactorChange | None:
        """The request of ``kind`` waiting on this account (stale ones are dropped)."""
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

    def may_request(
        self, session: Session, row: UserAccount, kind: str, *, actor: str, now: datetime
    ) -> int | None:
        """Check that ``actor`` may ask for a change of ``kind``: the id of their own earlier
        request (to replace), or None; another's waiting request must be confirmed first."""
        pending = self.pending_of(session, row, kind, now)
        if pending is not None and pending.requested_by != actor:
            raise AccountRefused(_ANOTHER_WAITS.format(login=row.login, by=pending.requested_by))
        return pending.id if pending is not None else None

    def may_approve(
        self, session: Session, row: UserAccount, kind: str, *, actor: str, now: datetime
    ) -> int:
        """Check that ``actor`` may confirm the waiting request of ``kind``: its id."""
        pending = self.pending_of(session, row, kind, now)
        if pending is None:
            raise AccountRefused(_NOTHING_WAITS.format(login=row.login))
        if pending.requested_by == actor:
            raise AccountRefused(_SAME_PERSON[kind].format(login=row.login))
        return pending.id

    def request(
        self,
        session: Session,
        row: UserAccount,
        kind: str,
        *,
        actor: str,
        now: datetime,
        payload: str,
        replacing: int | None,
    ) -> None:
        """A change that waits for a second, different person; ``payload`` is kept sealed."""
        if replacing is not None:
            session.execute(delete(FactorChange).where(FactorChange.id == replacing))
        sealed = self._store.cipher.seal(payload, table=_TABLE, column="payload", row_id=row.id)
        session.add(
            FactorChange(
                user_id=row.id, kind=kind, requested_by=actor, requested_at=now,
                approved_by=None, done_at=None, payload=sealed, seen_at=None,
            )
        )  # fmt: skip

    def approve(
        self, session: Session, row: UserAccount, pending_id: int, *, actor: str, now: datetime
    ) -> tuple[str, str]:
        """Confirm a waiting request: its payload and who asked for it."""
        pending = session.get(FactorChange, pending_id)
        assert pending is not None and pending.payload is not None
        payload = self._store.cipher.open(
            pending.payload, table=_TABLE, column="payload", row_id=row.id
        )
        # Only this conditional update confirms: of two confirmations at once, one wins.
        confirmed = session.execute(
            update(FactorChange)
            .where(FactorChange.id == pending_id)
            .where(FactorChange.done_at.is_(None))
            .values(approved_by=actor, done_at=now, payload=None)
        )
        if getattr(confirmed, "rowcount", 0) != 1:
            raise AccountRefused(_CHANGED_MEANWHILE.format(login=row.login))
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

        def check(session: Session, row: UserAccount) -> tuple[str, int | None]:
            if self.pending_of(session, row, FULL, now) is None:
                return "request", None
            return "approve", self.may_approve(session, row, FULL, actor=actor, now=now)

        def before(user: User, plan: tuple[str, int | None]) -> None:
            (on_request if plan[0] == "request" else on_approval)(user)

        def apply(
            session: Session, row: UserAccount, plan: tuple[str, int | None]
        ) -> tuple[User, str, bool]:
            step, pending_id = plan
            if step == "request":
                self.request(
                    session, row, FULL, actor=actor, now=now, payload=half, replacing=pending_id
                )
                return public_user(row), half, False
            assert pending_id is not None
            first, _ = self.approve(session, row, pending_id, actor=actor, now=now)
            self._set_password(session, row, f"{first}-{half}")
            self._forget_second_factor(session, row)
            return public_user(row), half, True

        return self.checked_change(login, check, before, apply)

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
                    asked = json.loads(
                        self._store.cipher.open(
                            change.payload, table=_TABLE, column="payload", row_id=change.user_id
                        )
                    )
                    detail = (
                        f"identifiant {asked['subject']}"
                        if asked.get("subject")
                        else f"adresse {asked.get('email')}"
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
