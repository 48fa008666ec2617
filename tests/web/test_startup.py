"""A web process answers at once and loads the guard in the background."""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi.testclient import TestClient

from egide.config import load_settings
from egide.guard import engine
from egide.web import create_app
from egide.web.startup import WARM_UP_TEXT


def test_the_guard_loads_in_the_background_once_the_service_is_up(tmp_path: Path) -> None:
    settings = load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})
    app = create_app(settings)
    with TestClient(app) as client:  # runs the application's lifespan, as uvicorn does
        assert client.get("/healthz").status_code == 200
        loader: threading.Thread = app.state.guard_loader
        assert loader.ident is not None  # started with the service, before any request
        loader.join(timeout=120)
        assert not loader.is_alive()
        assert engine._shared is not None
        assert engine._shared.scan(WARM_UP_TEXT).findings
