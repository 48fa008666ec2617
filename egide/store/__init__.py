"""Persistence: drafts pending human validation, encrypted at rest, with retention.

``open_store(settings)`` creates ``EGIDE_HOME`` and the database when needed, runs the
migrations, and checks the encryption key; ``DraftStore(store)`` is the only way to the drafts.
"""

# Every table module is imported here, so that ``Base.metadata`` describes the whole schema
# (the migrations are checked against it) whichever part of Égide was imported first.
from egide.store import accounts as _accounts  # noqa: F401
from egide.store import applications as _applications  # noqa: F401
from egide.store import batch_items as _batch_items  # noqa: F401
from egide.store import conversation_rows as _conversation_rows  # noqa: F401
from egide.store import knowledge as _knowledge  # noqa: F401
from egide.store import shared as _shared  # noqa: F401
from egide.store import workspace as _workspace  # noqa: F401
from egide.store.db import Store, open_store
from egide.store.drafts import (
    DEFAULT_RETENTION_DAYS,
    DraftRecord,
    DraftStatus,
    DraftStore,
    validation_mention,
)
from egide.store.errors import DraftFrozenError, DraftNotFoundError, StoreError

# Imported for their tables: the models must describe every table the migrations create.
from egide.store import applications  # noqa: F401  isort: skip

__all__ = [
    "DEFAULT_RETENTION_DAYS",
    "DraftFrozenError",
    "DraftNotFoundError",
    "DraftRecord",
    "DraftStatus",
    "DraftStore",
    "Store",
    "StoreError",
    "open_store",
    "validation_mention",
]
