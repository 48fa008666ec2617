"""The FastAPI application: the agents' portal, health check, the guard's analysis endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, FastAPI
from pydantic import BaseModel, Field

from egide import __version__
from egide.api import gateway_router
from egide.auth import Clock, utc_now
from egide.config import Settings
from egide.files import restrict_umask
from egide.guard import Guard, shared_guard
from egide.guard.labels import label_fr
from egide.models import ModelBackend
from egide.web.portal import install_portal

__all__ = ["create_app"]

MAX_SCAN_CHARS = 2_000_000


class ScanRequest(BaseModel):
    text: str = Field(max_length=MAX_SCAN_CHARS)


class SpanOut(BaseModel):
    start: int
    end: int
    label: str
    label_fr: str
    score: float


class ReasonOut(BaseModel):
    category: str
    label_fr: str
    count: int
    level: str


class ScanResponse(BaseModel):
    level: str
    level_fr: str
    reasons: list[ReasonOut]
    spans: list[SpanOut]


def get_guard() -> Guard:
    return shared_guard()


def create_app(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    backends: Mapping[str, ModelBackend] | None = None,
) -> FastAPI:
    """The whole service; ``clock`` lets tests move time (session expiry, lockouts, TOTP), and
    ``backends`` stand in for the portal's configured model backends, by name."""
    restrict_umask()  # everything the service writes in EGIDE_HOME is its own only
    app = FastAPI(title="Égide", version=__version__, docs_url=None, redoc_url=None)
    app.state.settings = settings
    install_portal(app, settings, clock=clock, backends=backends)
    app.include_router(gateway_router(settings))

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "version": __version__}

    @app.post("/api/guard/scan", response_model=ScanResponse)
    def scan(request: ScanRequest, guard: Annotated[Guard, Depends(get_guard)]) -> ScanResponse:
        result = guard.scan(request.text)
        return ScanResponse(
            level=result.level.key,
            level_fr=result.level.label_fr,
            reasons=[
                ReasonOut(category=r.category, label_fr=r.label_fr, count=r.count, level=r.level.key)
                for r in result.reasons
            ],
            spans=[
                SpanOut(start=f.start, end=f.end, label=f.label, label_fr=label_fr(f.label),
                        score=round(f.score, 4))
                for f in result.findings
            ],
        )  # fmt: skip

    return app
