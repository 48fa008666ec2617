"""Drafts pending human validation, and the store's own facts.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("task", sa.String(32), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("level", sa.String(32), nullable=False),
        sa.Column("title", sa.LargeBinary(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("validated_by", sa.String(128), nullable=True),
        sa.Column("validated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_name", sa.LargeBinary(), nullable=True),
        sa.Column("conversation_id", sa.String(36), nullable=True),
        sa.CheckConstraint("status IN ('brouillon', 'valide')", name="ck_drafts_status"),
    )
    op.create_index("ix_drafts_owner_created", "drafts", ["owner", "created_at"])
    op.create_index("ix_drafts_created_at", "drafts", ["created_at"])
    op.create_index("ix_drafts_conversation_id", "drafts", ["conversation_id"])
    op.create_table(
        "store_meta",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("store_meta")
    op.drop_index("ix_drafts_conversation_id", table_name="drafts")
    op.drop_index("ix_drafts_created_at", table_name="drafts")
    op.drop_index("ix_drafts_owner_created", table_name="drafts")
    op.drop_table("drafts")
