"""Real services for the integration tier, started by the tests themselves.

In CI (``CI`` set) a service that cannot start is a failure: the tier must never pass by
skipping everything. On a workstation without the service, its tests are skipped with the reason.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator

import pytest

from tests.support.postgres import PostgresServer, PostgresUnavailable, running_postgres


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL est exigé en CI : {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One throw-away cluster for the whole session; each test takes its own database."""
    if importlib.util.find_spec("psycopg") is None:
        _unavailable("pilote psycopg absent : pip install 'psycopg[binary]>=3.1'")
    try:
        with running_postgres() as server:
            yield server
    except PostgresUnavailable as exc:
        _unavailable(str(exc))
