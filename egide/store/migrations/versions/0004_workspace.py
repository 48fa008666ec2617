"""The agents' workspace: uploaded documents, requests, batch jobs, training completions;
how each portal session was opened.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # How a portal session was opened: "password" (then TOTP) or "oidc" (the provider's acr).
    with op.batch_alter_table("web_sessions") as batch:
        batch.add_column(sa.Column("auth_method", sa.String(16), nullable=True))
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner", sa.String(128), nullable=False),
        # Name, text, positions and reading warnings: sealed with the store's key.
        sa.Column("name", sa.LargeBinary(), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("text", sa.LargeBinary(), nullable=False),
        sa.Column("sections", sa.LargeBinary(), nullable=False),
        sa.Column("warnings", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_uploads_owner_created", "uploads", ["owner", "created_at"])
    op.create_index("ix_uploads_created_at", "uploads", ["created_at"])
    op.create_table(
        "work_requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("task", sa.String(32), nullable=False),
        sa.Column("title", sa.LargeBinary(), nullable=False),
        sa.Column("prompt", sa.LargeBinary(), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("document_ids", sa.Text(), nullable=False),
        sa.Column("conversation_id", sa.String(36), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("model", sa.String(64), nullable=True),
        sa.Column("draft_id", sa.String(36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('en_attente', 'envoyee', 'echec', 'refusee')",
            name="ck_work_requests_status",
        ),
    )
    op.create_index("ix_work_requests_owner_created", "work_requests", ["owner", "created_at"])
    op.create_index("ix_work_requests_created_at", "work_requests", ["created_at"])
    op.create_index("ix_work_requests_conversation_id", "work_requests", ["conversation_id"])
    op.create_index("ix_work_requests_draft_id", "work_requests", ["draft_id"])
    op.create_table(
        "batch_jobs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("template", sa.String(128), nullable=True),
        sa.Column("length", sa.String(16), nullable=True),
        sa.Column("source_name", sa.LargeBinary(), nullable=False),
        sa.Column("source_data", sa.LargeBinary(), nullable=True),
        sa.Column("document_ids", sa.Text(), nullable=False),
        sa.Column("model", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("analysis", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('analyse', 'pret', 'en_cours', 'termine', 'interrompu', 'echec')",
            name="ck_batch_jobs_status",
        ),
    )
    op.create_index("ix_batch_jobs_owner_created", "batch_jobs", ["owner", "created_at"])
    op.create_index("ix_batch_jobs_created_at", "batch_jobs", ["created_at"])
    op.create_table(
        "training_completions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "user_id", sa.String(36), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_training_completions_user_id", "training_completions", ["user_id"])


def downgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("auth_method")
    op.drop_index("ix_training_completions_user_id", table_name="training_completions")
    op.drop_table("training_completions")
    op.drop_index("ix_batch_jobs_created_at", table_name="batch_jobs")
    op.drop_index("ix_batch_jobs_owner_created", table_name="batch_jobs")
    op.drop_table("batch_jobs")
    op.drop_index("ix_work_requests_draft_id", table_name="work_requests")
    op.drop_index("ix_work_requests_conversation_id", table_name="work_requests")
    op.drop_index("ix_work_requests_created_at", table_name="work_requests")
    op.drop_index("ix_work_requests_owner_created", table_name="work_requests")
    op.drop_table("work_requests")
    op.drop_index("ix_uploads_created_at", table_name="uploads")
    op.drop_index("ix_uploads_owner_created", table_name="uploads")
    op.drop_table("uploads")
