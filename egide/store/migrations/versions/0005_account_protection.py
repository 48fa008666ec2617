"""Accounts under attack: OpenID Connect identities bound to (issuer, subject); every change of
the ways into an account (password and second-factor resets, provider identities), two-person
requests awaiting a second administrator, and the notices its owner is shown.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An account reachable through a provider, as an administrator provisioned it: bound to the
    # provider's subject at once, or waiting for a first sign-in with this exact, verified
    # e-mail address; once bound, only (issuer, subject) counts.
    op.create_table(
        "oidc_identities",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "user_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("subject", sa.String(255), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        # The second administrator, when the account had already been used (two-person rule).
        sa.Column("approved_by", sa.String(128), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=True),
        # First sign-in through this identity.
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("issuer", "subject", name="uq_oidc_identities_subject"),
        sa.UniqueConstraint("user_id", "issuer", name="uq_oidc_identities_user"),
    )
    # Every change of the ways into an account, by whom; a two-person change waits here for its
    # second administrator (what it carries sealed with the store's key).
    op.create_table(
        "factor_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "user_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.String(128), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(128), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('password', 'totp', 'full', 'oidc')", name="ck_factor_changes_kind"
        ),
    )
    op.create_index("ix_factor_changes_user_id", "factor_changes", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_factor_changes_user_id", table_name="factor_changes")
    op.drop_table("factor_changes")
    op.drop_table("oidc_identities")
