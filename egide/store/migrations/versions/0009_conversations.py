"""Conversations like every assistant: a conversation (its title sealed), the answers kept as
its turns (sealed in the request that asked them), and each agent's saved defaults (sealed).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-16
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("title", sa.LargeBinary(), nullable=False),  # sealed: it quotes a question
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        # Last question or answer: the list is sorted by it.
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_conversations_owner_updated", "conversations", ["owner", "updated_at"])
    op.create_index("ix_conversations_created_at", "conversations", ["created_at"])
    # A turn of a conversation is a request: its answer is kept there (sealed) instead of
    # becoming a draft; the agent keeps one as a draft when they choose to.
    with op.batch_alter_table("work_requests") as batch:
        batch.add_column(sa.Column("answer", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("answer_edited_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("level", sa.String(32), nullable=True))
        batch.add_column(sa.Column("tier", sa.String(16), nullable=True))
        # The fingerprint of the texts sent (sealed): a regeneration of the same texts may go
        # without a new preview, and only then.
        batch.add_column(sa.Column("sent_digest", sa.LargeBinary(), nullable=True))
    # What an agent writes on every letter (administration, service, signatory…): sealed.
    op.create_table(
        "agent_profiles",
        sa.Column("owner", sa.String(128), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("agent_profiles")
    with op.batch_alter_table("work_requests") as batch:
        for column in ("sent_digest", "tier", "level", "answer_edited_at", "answer"):
            batch.drop_column(column)
    op.drop_index("ix_conversations_created_at", table_name="conversations")
    op.drop_index("ix_conversations_owner_updated", table_name="conversations")
    op.drop_table("conversations")
