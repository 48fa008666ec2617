"""Batch items journalled in the database, so that any worker resumes a batch: one row per
finished item (its entry sealed: labels are file names), and a stop asked by the batch's owner
that every process sees.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-17
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batch_items",
        sa.Column(
            "job_id",
            sa.String(36),
            sa.ForeignKey("batch_jobs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        # The item's key digest (the key itself names a row's values or a file).
        sa.Column("item", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("draft_id", sa.String(36), nullable=True),
        sa.Column("entry", sa.LargeBinary(), nullable=False),  # JournalEntry JSON, sealed
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("batch_jobs") as batch:
        batch.add_column(sa.Column("stop_requested_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("batch_jobs") as batch:
        batch.drop_column("stop_requested_at")
    op.drop_table("batch_items")
