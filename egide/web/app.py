"""The FastAPI application: the agents' portal, the health check, the guard's analysis and the
gateway of business applications — each route answered only to whom it is for (the test
``tests/security/api/test_routes_require_credentials.py`` holds the list of open ones)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from fastapi import FastAPI

from egide import __version__
from egide.api import Gateway, gateway_router
from egide.api.admission import Admission, AdmissionMiddleware
from egide.api.limits import SharedRateLimiter
from egide.auth import Clock, utc_now
from egide.config import Settings
from egide.files import restrict_umask
from egide.models import ModelBackend
from egide.runtime import Runtime, open_runtime
from egide.store.applications import ApplicationStore
from egide.web.access_log import AccessLogMiddleware
from egide.web.health import health_router
from egide.web.metrics import Metrics, metrics_router, metrics_token
from egide.web.portal import install_portal
from egide.web.scan import scan_router
from egide.web.startup import load_guard_in_background

__all__ = ["create_app"]


def create_app(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    backends: Mapping[str, ModelBackend] | None = None,
    runtime: Runtime | None = None,
) -> FastAPI:
    """The whole service; ``clock`` lets tests move time (session expiry, lockouts, TOTP), and
    ``backends`` stand in for the portal's configured model backends, by name.

    This is the process's composition root: one :class:`~egide.runtime.Runtime` (one store,
    one audit log, the guard) handed to the portal, the workspace and the gateway; sign-in
    failures, sessions, request windows and quotas live in that store, so that several
    processes behind a load balancer behave as one.
    """
    restrict_umask()  # everything the service writes in EGIDE_HOME is its own only
    runtime = runtime or open_runtime(settings)
    app = FastAPI(title="Égide", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url=None, lifespan=load_guard_in_background)  # fmt: skip
    app.state.settings = settings
    app.state.runtime = runtime
    # Before the portal's middlewares, hence inside them: a 503 still carries the security
    # headers, and the client's address is settled first.
    admission = Admission(
        limit=settings.api.max_in_flight,
        queue_size=settings.api.queue_size,
        timeout_s=settings.api.queue_timeout_s,
    )
    app.state.admission = admission
    app.add_middleware(AdmissionMiddleware, admission=admission)
    install_portal(app, settings, clock=clock, backends=backends, runtime=runtime)
    # One gateway: the applications' tokens open /v1 and the analysis alike.
    gateway = Gateway(
        settings,
        audit=runtime.audit,
        applications=ApplicationStore(runtime.store),
        limiter=SharedRateLimiter(runtime.store, prefix="v1:"),
        knowledge=runtime.knowledge,
    )
    app.state.gateway = gateway
    app.include_router(gateway_router(settings, gateway=gateway))
    app.include_router(
        scan_router(
            gateway,
            per_minute=settings.api.scan_per_minute,
            max_chars=settings.api.scan_max_chars,
            limiter=SharedRateLimiter(runtime.store, prefix="scan:"),
        )
    )
    app.include_router(health_router(runtime))
    metrics = Metrics(runtime, admission)
    runtime.audit.observe(metrics.audited)
    app.state.metrics = metrics
    app.include_router(
        metrics_router(metrics, token=metrics_token(os.environ, settings.metrics.token_env))
    )
    # Outermost of all: the request id is settled before anything logs, and every answer is
    # logged, counted and timed to its last byte, refusals of the layers above included.
    app.add_middleware(
        AccessLogMiddleware, enabled=settings.logging.access, observers=(metrics.answered,)
    )
    return app
