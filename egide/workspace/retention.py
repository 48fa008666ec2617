"""The retention period: what the workspace keeps is deleted after ``portal.retention_days``.

Drafts, requests, batch jobs (with their journals) and uploaded documents; nothing of their
content is read. Used by ``egide serve`` (at start, then daily) and ``egide drafts purge``.
"""

from __future__ import annotations

from egide.config import Settings
from egide.store import open_store
from egide.workspace.service import Workspace

__all__ = ["apply_retention", "describe_purge"]


def apply_retention(settings: Settings, *, days: int | None = None) -> dict[str, int]:
    """Delete everything older than ``days`` (default: the configured period); counts by kind."""
    with open_store(settings) as store:
        workspace = Workspace(settings, lambda: store)
        return workspace.purge_older_than(days or settings.portal.retention_days)


def describe_purge(counts: dict[str, int], days: int) -> str:
    parts = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    return f"Conservation ({days} jours) : supprimé(s) : {parts}."
