"""The tables of the agents' accounts (migrations ``0003``, ``0005`` and ``0010``), as typed
SQLAlchemy 2 models.

Nothing here holds a secret in a usable form: passwords are argon2id hashes, recovery codes and
session ids SHA-256 digests of high-entropy random values, TOTP secrets AES-GCM ciphertexts
sealed with the store's key. The logic lives in :mod:`egide.auth`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from egide.store.models import Base, UTCDateTime

__all__ = [
    "AuthThrottle",
    "CharterAcceptance",
    "FactorChange",
    "OidcIdentity",
    "RecoveryCode",
    "UserAccount",
    "WebSession",
]


class UserAccount(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('agent', 'ambassadeur', 'administrateur', 'auditeur')", name="ck_users_role"
        ),
        UniqueConstraint("login", name="uq_users_login"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    login: Mapped[str] = mapped_column(String(64))
    login_display: Mapped[str | None] = mapped_column(String(64))  # migration 0010
    display_name: Mapped[str | None] = mapped_column(String(128))
    service: Mapped[str | None] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean)
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecoveryCode(Base):
    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mfa_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_pending: Mapped[bytes | None] = mapped_column(LargeBinary)
    recovery_pending: Mapped[bytes | None] = mapped_column(LargeBinary)
    auth_method: Mapped[str | None] = mapped_column(String(16))  # migration 0004
    notice_pending: Mapped[bytes | None] = mapped_column(LargeBinary)  # migration 0010


class CharterAcceptance(Base):
    __tablename__ = "charter_acceptances"
    __table_args__ = (
        UniqueConstraint("user_id", "version", name="uq_charter_acceptances_user_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id"))
    version: Mapped[str] = mapped_column(String(128))
    content_sha256: Mapped[str] = mapped_column(String(64))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuthThrottle(Base):
    """Failed sign-in attempts per key: ``compte:LOGIN`` or ``ip:ADDRESS``."""

    __tablename__ = "auth_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OidcIdentity(Base):
    """An account reachable through an OpenID Connect provider (migration 0005).

    ``subject`` None: waiting for a first sign-in whose verified e-mail is exactly ``email``.
    """

    __tablename__ = "oidc_identities"
    __table_args__ = (
        UniqueConstraint("issuer", "subject", name="uq_oidc_identities_subject"),
        UniqueConstraint("user_id", "issuer", name="uq_oidc_identities_user"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id", ondelete="CASCADE"))
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(128))
    approved_by: Mapped[str | None] = mapped_column(String(128))
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FactorChange(Base):
    """A change of the ways into an account (migration 0005): done, or awaiting approval."""

    __tablename__ = "factor_changes"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('password', 'totp', 'full', 'oidc')", name="ck_factor_changes_kind"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str] = mapped_column(String(128))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(128))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
