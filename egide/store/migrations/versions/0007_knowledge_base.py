"""The knowledge base: collections, documents, passages (sealed), the lexical index of keyed
word digests, and the applications allowed to search a collection. On PostgreSQL with the
pgvector extension available, passages also get a ``vector`` column searched in the database.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-16
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_collections",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("service", sa.String(128), nullable=True),
        sa.Column("max_level", sa.String(32), nullable=False),
        sa.Column("embedder", sa.String(96), nullable=True),
        sa.Column("dims", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
    )
    op.create_table(
        "kb_documents",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "collection_id",
            sa.String(36),
            sa.ForeignKey("kb_collections.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("key_digest", sa.String(64), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.Column("name", sa.LargeBinary(), nullable=False),
        sa.Column("title", sa.LargeBinary(), nullable=False),
        sa.Column("content_digest", sa.String(64), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(32), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("warnings", sa.LargeBinary(), nullable=False),
        sa.Column("passages", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(128), nullable=False),
    )
    op.create_index(
        "ix_kb_documents_key", "kb_documents", ["collection_id", "key_digest"], unique=True
    )
    op.create_table(
        "kb_passages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "document_id",
            sa.String(36),
            sa.ForeignKey("kb_documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("collection_id", sa.String(36), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("text", sa.LargeBinary(), nullable=False),
        sa.Column("heading", sa.LargeBinary(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("paragraph", sa.Integer(), nullable=True),
        sa.Column("level", sa.String(32), nullable=False),
        sa.Column("level_rank", sa.Integer(), nullable=False),
        sa.Column("personal", sa.Integer(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=True),
    )
    op.create_index("ix_kb_passages_document", "kb_passages", ["document_id", "ordinal"])
    op.create_index("ix_kb_passages_collection", "kb_passages", ["collection_id", "level_rank"])
    op.create_table(
        "kb_terms",
        sa.Column("collection_id", sa.String(36), primary_key=True),
        sa.Column("term", sa.String(24), primary_key=True),
        sa.Column(
            "passage_id",
            sa.Integer(),
            sa.ForeignKey("kb_passages.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("tf", sa.Integer(), nullable=False),
    )
    op.create_index("ix_kb_terms_passage", "kb_terms", ["passage_id"])
    op.create_table(
        "kb_app_grants",
        sa.Column(
            "collection_id",
            sa.String(36),
            sa.ForeignKey("kb_collections.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("app_name", sa.String(64), primary_key=True),
    )
    _pgvector_column()


def _pgvector_column() -> None:
    """On PostgreSQL, a ``vector`` column when the pgvector extension can be had.

    Debian's server has no pgvector package: the knowledge base then computes similarities in
    the service from the sealed vectors, as on SQLite. A failure to create the extension (no
    privilege) is not a failed migration: the savepoint undoes it and the same fallback holds.
    """
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    ).first()
    if available is None:
        return
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS vector"))
        bind.execute(sa.text("ALTER TABLE kb_passages ADD COLUMN embedding vector"))
    except sa.exc.DBAPIError:
        savepoint.rollback()
    else:
        savepoint.commit()


def downgrade() -> None:
    for table in ("kb_app_grants", "kb_terms", "kb_passages", "kb_documents", "kb_collections"):
        op.drop_table(table)
