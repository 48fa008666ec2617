"""What a load balancer and a supervisor ask a web process: is it alive, can it serve.

``GET /healthz`` (liveness): the process answers; nothing else is checked, so that a database
outage does not make a supervisor restart every process at once. ``GET /readyz`` (readiness):
the process can serve requests now — its database answers within two seconds, and its audit
trail can be written (without it, Égide refuses every action): a load balancer sends traffic
only to processes that say so. Neither says anything about the deployment beyond that.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from egide import __version__
from egide.runtime import Runtime

__all__ = ["health_router"]

_CHECK_TIMEOUT_S = 2.0


def _database_answers(runtime: Runtime) -> bool:
    try:
        with runtime.store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any failure means "not ready"; the reason is in the database's logs
        return False
    return True


def _audit_writable(runtime: Runtime) -> bool:
    if runtime.audit.chain is not None:
        return True  # the chain is in the database, checked above
    folder = runtime.audit.path.parent
    return (
        os.access(folder, os.W_OK | os.X_OK)
        if folder.exists()
        else os.access(folder.parent, os.W_OK | os.X_OK)
    )


def health_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["Santé"])

    @router.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "version": __version__}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        problems = []
        try:
            database = await asyncio.wait_for(
                run_in_threadpool(_database_answers, runtime), _CHECK_TIMEOUT_S
            )
        except TimeoutError:
            database = False
        if not database:
            problems.append("la base de données ne répond pas")
        elif not _audit_writable(runtime):
            problems.append("le journal d'audit ne peut pas être écrit")
        if problems:
            return JSONResponse({"status": "indisponible", "raisons": problems}, status_code=503)
        return JSONResponse({"status": "pret"})

    return router
