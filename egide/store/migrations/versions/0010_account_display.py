"""Accounts as people read them: the login as the administrator typed it (case kept, for display
only: every lookup and comparison stays on the canonical ``login``), and a one-time notice kept
with a web session between a form's POST and the page that shows its result once (a temporary
password, an import report), so that reloading that page repeats nothing.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-16
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        # NULL when the typed form is the canonical one.
        batch.add_column(sa.Column("login_display", sa.String(64), nullable=True))
    with op.batch_alter_table("web_sessions") as batch:
        # Sealed with the store's key (it may hold a temporary password), read and wiped at once.
        batch.add_column(sa.Column("notice_pending", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("notice_pending")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("login_display")
