"""Which Égide account an OpenID Connect identity reaches: bound to (issuer, subject), never to a name.

An administrator provisions an account for a provider, either with the provider's subject
(``sub``) — bound at once — or with the person's exact e-mail address, for a domain listed in
``portal.oidc.email_domains``: the first sign-in whose ``email`` is that address *and* whose
``email_verified`` is true binds the subject, once. From then on only (issuer, subject) counts:
a provider account that merely carries the same name, the same local part or, later, the same
address reaches nothing. An account that was not provisioned is never reached through a provider.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from egide.store.accounts import OidcIdentity, UserAccount
from egide.store.db import Store
from egide.store.errors import StoreError

__all__ = [
    "BoundIdentity",
    "IdentityRecord",
    "OidcIdentities",
    "ProviderIdentity",
    "checked_request",
    "email_domain",
    "normalise_email",
]

# Deliberately plain: one "@", a dot in the domain, no spaces; the provider verified the rest.
_EMAIL = re.compile(r"[^@\s]{1,64}@[a-z0-9.-]{1,189}\.[a-z0-9-]{2,63}")
_MAX_SUBJECT = 255


def normalise_email(value: str) -> str:
    """Addresses are compared whole and without case: never the local part alone."""
    return value.strip().lower()


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1]


def checked_request(subject: str | None, email: str | None) -> tuple[str | None, str | None]:
    """What an administrator asks for, checked: exactly one of a subject or an address."""
    subject = subject.strip() if subject else None
    email = normalise_email(email) if email and email.strip() else None
    if (subject is None) == (email is None):
        raise StoreError(
            "indiquez soit l'adresse électronique, soit l'identifiant chez le fournisseur (sub)"
        )
    if subject is not None and (len(subject) > _MAX_SUBJECT or not subject.isprintable()):
        raise StoreError("identifiant chez le fournisseur (sub) invalide")
    if email is not None and not _EMAIL.fullmatch(email):
        raise StoreError(f"adresse électronique invalide « {email[:80]} »")
    return subject, email


@dataclass(frozen=True, slots=True)
class ProviderIdentity:
    """Who the provider says signed in: what its verified ID token (and userinfo) carried."""

    issuer: str
    subject: str
    email: str | None = None
    email_verified: bool = False


@dataclass(frozen=True, slots=True)
class BoundIdentity:
    id: int
    user_id: str
    approved_by: str | None  # a second administrator confirmed it (account already used)
    confirmed_at: datetime | None  # first sign-in through it


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    """A provisioned identity, as the administration pages list it."""

    login: str
    issuer: str
    subject: str | None
    email: str | None
    created_at: datetime
    created_by: str
    approved_by: str | None
    linked_at: datetime | None
    confirmed_at: datetime | None


class _AlreadyBound(Exception):
    pass


def _changed(result: object) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount or 0)


class OidcIdentities:
    def __init__(self, store: Store) -> None:
        self._store = store

    def provision(
        self,
        session: Session,
        user_id: str,
        issuer: str,
        *,
        subject: str | None,
        email: str | None,
        created_by: str,
        approved_by: str | None,
        now: datetime,
    ) -> None:
        """Let one account be reached through ``issuer``: by ``subject``, or by a first sign-in
        with exactly ``email`` (verified). Replaces what the account had for that provider.
        Runs in the caller's transaction (with its audit record and its history)."""
        session.execute(
            delete(OidcIdentity)
            .where(OidcIdentity.user_id == user_id)
            .where(OidcIdentity.issuer == issuer)
        )
        session.add(
            OidcIdentity(
                user_id=user_id, issuer=issuer, subject=subject, email=email,
                created_at=now, created_by=created_by, approved_by=approved_by,
                linked_at=now if subject is not None else None, confirmed_at=None,
            )
        )  # fmt: skip
        try:
            session.flush()
        except IntegrityError:
            raise StoreError(
                "cet identifiant chez le fournisseur est déjà lié à un autre compte"
            ) from None

    def remove(self, user_id: str, issuer: str) -> bool:
        with self._store.session() as session:
            result = session.execute(
                delete(OidcIdentity)
                .where(OidcIdentity.user_id == user_id)
                .where(OidcIdentity.issuer == issuer)
            )
            return _changed(result) > 0

    def bound(self, issuer: str, subject: str) -> BoundIdentity | None:
        """The identity bound to this (issuer, subject), if any: the only way in once linked."""
        with self._store.session() as session:
            row = session.scalars(
                select(OidcIdentity)
                .where(OidcIdentity.issuer == issuer)
                .where(OidcIdentity.subject == subject)
            ).first()
            if row is None:
                return None
            return BoundIdentity(row.id, row.user_id, row.approved_by, row.confirmed_at)

    def confirm(self, identity_id: int, now: datetime) -> None:
        """The first sign-in through this identity."""
        with self._store.session() as session:
            session.execute(
                update(OidcIdentity)
                .where(OidcIdentity.id == identity_id)
                .where(OidcIdentity.confirmed_at.is_(None))
                .values(confirmed_at=now)
            )

    def awaiting(self, issuer: str, email: str) -> BoundIdentity | None:
        """The identity waiting for a first sign-in with exactly this address, if any."""
        with self._store.session() as session:
            row = session.scalars(
                select(OidcIdentity)
                .where(OidcIdentity.issuer == issuer)
                .where(OidcIdentity.subject.is_(None))
                .where(OidcIdentity.email == normalise_email(email))
            ).first()
            if row is None:
                return None
            return BoundIdentity(row.id, row.user_id, row.approved_by, row.confirmed_at)

    def bind(self, user_id: str, issuer: str, subject: str, email: str, now: datetime) -> bool:
        """Bind the awaiting identity of ``user_id`` to ``subject``; False when another sign-in
        bound it first, or when the subject is already bound elsewhere."""
        try:
            with self._store.session() as session:
                try:
                    result = session.execute(
                        update(OidcIdentity)
                        .where(OidcIdentity.user_id == user_id)
                        .where(OidcIdentity.issuer == issuer)
                        .where(OidcIdentity.subject.is_(None))
                        .where(OidcIdentity.email == normalise_email(email))
                        .values(subject=subject, linked_at=now)
                    )
                except IntegrityError:
                    raise _AlreadyBound from None  # leaves the transaction, rolled back
                return _changed(result) == 1
        except _AlreadyBound:
            return False

    def list(self) -> builtins.list[IdentityRecord]:
        with self._store.session() as session:
            rows = session.execute(
                select(OidcIdentity, UserAccount.login)
                .join(UserAccount, UserAccount.id == OidcIdentity.user_id)
                .order_by(UserAccount.login)
            ).all()
            return [
                IdentityRecord(
                    login=login,
                    issuer=row.issuer,
                    subject=row.subject,
                    email=row.email,
                    created_at=row.created_at,
                    created_by=row.created_by,
                    approved_by=row.approved_by,
                    linked_at=row.linked_at,
                    confirmed_at=row.confirmed_at,
                )
                for row, login in rows
            ]
