"""Batches of letters: the columns chosen for each template field and the values set once for
every row (sealed), and the status of a batch waiting for its columns to be checked.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_BEFORE = "status IN ('analyse', 'pret', 'en_cours', 'termine', 'interrompu', 'echec')"
_AFTER = "status IN ('colonnes', 'analyse', 'pret', 'en_cours', 'termine', 'interrompu', 'echec')"


def upgrade() -> None:
    # SQLite rebuilds the table (batch mode): a check constraint cannot be altered in place.
    with op.batch_alter_table("batch_jobs") as batch:
        # JSON of {field: column} and {field: value for every row}, sealed like the analysis:
        # the values are content (a signatory's name, a service).
        batch.add_column(sa.Column("options", sa.Text(), nullable=True))
        batch.drop_constraint("ck_batch_jobs_status", type_="check")
        batch.create_check_constraint("ck_batch_jobs_status", _AFTER)


def downgrade() -> None:
    op.execute("UPDATE batch_jobs SET status = 'interrompu' WHERE status = 'colonnes'")
    with op.batch_alter_table("batch_jobs") as batch:
        batch.drop_constraint("ck_batch_jobs_status", type_="check")
        batch.create_check_constraint("ck_batch_jobs_status", _BEFORE)
        batch.drop_column("options")
