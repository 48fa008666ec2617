"""Business applications calling the OpenAI-compatible gateway, and their daily usage.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        # Only the SHA-256 of the token is kept; the prefix lets an operator recognise it.
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("token_hint", sa.String(16), nullable=False),
        sa.Column("models", sa.Text(), nullable=False),
        sa.Column("tiers", sa.Text(), nullable=False),
        sa.Column("max_level", sa.String(32), nullable=False),
        sa.Column("rpm", sa.Integer(), nullable=True),
        sa.Column("daily_requests", sa.Integer(), nullable=True),
        sa.Column("daily_tokens", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("name", name="uq_applications_name"),
        sa.UniqueConstraint("token_hash", name="uq_applications_token_hash"),
    )
    op.create_table(
        "application_usage",
        sa.Column(
            "application_id",
            sa.String(36),
            sa.ForeignKey("applications.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("application_usage")
    op.drop_table("applications")
