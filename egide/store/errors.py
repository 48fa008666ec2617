"""The store's errors, in French: what happened, and that nothing already saved was lost."""

from __future__ import annotations

__all__ = ["DraftFrozenError", "DraftNotFoundError", "NotFoundError", "StoreError"]


class StoreError(Exception):
    """The store cannot do what was asked; the message says why and what to do, in French."""


class NotFoundError(StoreError):
    """Nothing of that id for this owner: someone else's item reads exactly like a missing one."""


class DraftNotFoundError(NotFoundError):
    """No such draft for this owner (a draft of someone else reads exactly the same)."""


class DraftFrozenError(StoreError):
    """The draft was validated: it can no longer change."""
