"""Server-rendered pages: one Jinja2 environment (autoescaped), one layout, French everywhere.

Every page gets ``csrf_token`` (its session's, or the sign-in form's), ``auth`` (the session and
user, when there is one) and ``signed_in`` (True once every sign-in step is done), so that the
layout can show the user's name and the sign-out buttons.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from egide import __version__
from egide.models import model_label_fr

__all__ = [
    "SERVICE_NAME",
    "STATIC_DIR",
    "TEMPLATES_DIR",
    "date_fr",
    "paris",
    "render",
    "render_error_page",
    "templates",
]

SERVICE_NAME = "Égide"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def paris() -> tzinfo:
    """The agents' time zone (UTC on a machine without a time-zone database)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo("Europe/Paris")
    except ZoneInfoNotFoundError:  # no time-zone database on this machine
        from datetime import UTC

        return UTC


def date_fr(value: datetime | None, with_time: bool = True) -> str:
    """A moment as French agents read it, in Paris time: ``02/12/2026 à 09:30``."""
    if value is None:
        return "—"
    local = value.astimezone(paris())
    return local.strftime("%d/%m/%Y à %H:%M" if with_time else "%d/%m/%Y")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date_fr"] = date_fr
    env.globals.update(service_name=SERVICE_NAME, version=__version__)
    return env


def _page_context(request: Request) -> dict[str, Any]:
    state = request.state
    auth = getattr(state, "auth", None)
    settings = getattr(request.app.state, "settings", None)
    limit = settings.portal.max_upload_bytes if settings is not None else 0

    def model_label(name: str) -> str:
        """What a configured model is, for agents (« extraits du document » for the built-in
        engine); "" for a model no longer configured."""
        model = next((m for m in settings.models if m.name == name), None) if settings else None
        return model_label_fr(model) if model is not None else ""

    return {
        "model_label": model_label,
        "auth": auth,
        "signed_in": bool(getattr(state, "fully_signed_in", False)),
        "csrf_token": getattr(state, "csrf_token", ""),
        "current_path": request.url.path,
        "max_upload_mb": max(1, round(limit / (1024 * 1024))),
    }


templates = Jinja2Templates(env=_environment(), context_processors=[_page_context])


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, context or {}, status_code=status_code, headers=headers
    )


def render_error_page(status_code: int, title: str, message: str) -> bytes:
    """An error page without a request (middlewares answer before any route runs)."""
    template = templates.env.get_template("erreur.html")
    page = template.render(
        auth=None,
        signed_in=False,
        csrf_token="",
        current_path="",
        max_upload_mb=0,
        status_code=status_code,
        title=title,
        message=message,
    )
    return page.encode("utf-8")
