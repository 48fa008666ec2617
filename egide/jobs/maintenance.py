"""The daily upkeep: the retention periods, and counters nobody will read again.

With PostgreSQL, the workers schedule it once a day for the whole deployment (Procrastinate's
periodic tasks: one run per day whatever the number of workers); with SQLite, ``egide serve``
runs it at start and then daily, as it always did.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from egide.jobs.context import JobContext
from egide.jobs.registry import register_job

__all__ = ["DAILY", "daily_upkeep"]

_log = logging.getLogger("egide.jobs")
DAILY = "entretien.quotidien"


@register_job(DAILY, queue="entretien", lock=lambda _payload: DAILY, max_attempts=2)
def daily_upkeep(context: JobContext, payload: Mapping[str, Any]) -> None:
    """Delete what is past its kind's retention period (``portal.retention``); forget expired
    request windows and sign-in failures. Idempotent: a second run the same day finds nothing
    more to delete."""
    from egide.api.limits import SharedRateLimiter
    from egide.auth.throttle import Throttle
    from egide.workspace import Workspace
    from egide.workspace.retention import describe_purge, periods

    runtime = context.runtime
    settings = runtime.settings
    days = periods(settings)
    counts = Workspace(settings, lambda: runtime.store).purge_older_than(days)
    windows = SharedRateLimiter(runtime.store).purge()
    Throttle(runtime.store, settings.portal).purge(datetime.now(UTC))
    _log.info("%s %s fenêtres de requêtes oubliées", describe_purge(counts, days), windows)
