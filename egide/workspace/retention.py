"""The retention period of each kind of work: requests, conversations, drafts, documents and
batches are deleted after ``portal.retention.<kind>_days`` (by default ``portal.retention_days``).

Nothing of their content is read. Used by the daily upkeep (``egide serve`` with SQLite, the
workers with PostgreSQL), ``egide drafts purge``, and the agent's page « Mes données ».
"""

from __future__ import annotations

from egide.config import Settings
from egide.store import open_store
from egide.workspace.service import Workspace

__all__ = ["RETAINED_KINDS", "apply_retention", "describe_purge", "periods"]

# The kinds of work a retention period applies to (the saved preferences are a setting of the
# account, kept until the agent empties them).
RETAINED_KINDS = ("requests", "conversations", "drafts", "uploads", "batches")


def periods(settings: Settings) -> dict[str, int]:
    """The retention period of each kind, in days."""
    portal = settings.portal
    chosen = portal.retention.model_dump()
    return {kind: chosen[f"{kind}_days"] or portal.retention_days for kind in RETAINED_KINDS}


def apply_retention(settings: Settings, *, days: int | None = None) -> dict[str, int]:
    """Delete what is past its kind's period (``days``: one period for all); counts by kind."""
    with open_store(settings) as store:
        workspace = Workspace(settings, lambda: store)
        return workspace.purge_older_than(days or periods(settings))


def describe_purge(counts: dict[str, int], days: int | dict[str, int]) -> str:
    parts = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    if isinstance(days, int):
        return f"Conservation ({days} jours) : supprimé(s) : {parts}."
    values = sorted(set(days.values()))
    span = f"{values[0]} jours" if len(values) == 1 else f"{values[0]} à {values[-1]} jours"
    return f"Conservation ({span} selon le type) : supprimé(s) : {parts}."
