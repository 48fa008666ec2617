"""The FastAPI application: the agents' portal, the health check, the guard's analysis and the
gateway of business applications — each route answered only to whom it is for (the test
``tests/security/api/test_routes_require_credentials.py`` holds the list of open ones)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI

from egide import __version__
from egide.api import Gateway, gateway_router
from egide.auth import Clock, utc_now
from egide.config import Settings
from egide.files import restrict_umask
from egide.models import ModelBackend
from egide.web.portal import install_portal
from egide.web.scan import scan_router

__all__ = ["create_app"]


def create_app(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    backends: Mapping[str, ModelBackend] | None = None,
) -> FastAPI:
    """The whole service; ``clock`` lets tests move time (session expiry, lockouts, TOTP), and
    ``backends`` stand in for the portal's configured model backends, by name."""
    restrict_umask()  # everything the service writes in EGIDE_HOME is its own only
    app = FastAPI(title="Égide", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url=None)  # fmt: skip
    app.state.settings = settings
    install_portal(app, settings, clock=clock, backends=backends)
    # One gateway: the applications' tokens open /v1 and the analysis alike.
    gateway = Gateway(settings)
    app.state.gateway = gateway
    app.include_router(gateway_router(settings, gateway=gateway))
    app.include_router(
        scan_router(
            gateway,
            per_minute=settings.api.scan_per_minute,
            max_chars=settings.api.scan_max_chars,
        )
    )

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "version": __version__}

    return app
