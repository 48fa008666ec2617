"""Alembic migrations of the store, run on start by :func:`egide.store.db.open_store`.

Append-only: a released revision is never edited; a change of schema is a new revision.
"""
