"""What a web process does once it is up: load the guard in the background.

The guard's model and word lists take a large part of a second to load. Loading them before
serving would delay ``/healthz`` (and a restart behind a load balancer); loading them on the
first request would make that request slow. So the process starts serving at once and loads
the guard in a thread; a request that needs it before it is ready waits for it
(``shared_guard`` holds a lock), no request fails for it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

__all__ = ["WARM_UP_TEXT", "load_guard_in_background", "warm_guard"]

# Touches what the guard builds on first use: the model, the rules, the word lists, the
# sensitive-category lexicons, the normalisation tables.
WARM_UP_TEXT = (
    "Madame Claire DURAND, née le 3 mars 1975 à Saint-Denis, suivie pour un diabète, "
    "tél. 06 12 34 56 78 — DIFFUSION RESTREINTE."
)


def warm_guard() -> None:
    from egide.guard import shared_guard
    from egide.guard.ner.model import ModelUnavailableError

    try:
        shared_guard().scan(WARM_UP_TEXT)
    except ModelUnavailableError as exc:  # every analysis will say so too, in French
        print(f"egide : attention : le garde n'a pas pu être chargé : {exc}", file=sys.stderr)


@asynccontextmanager
async def load_guard_in_background(app: FastAPI) -> AsyncIterator[None]:
    """FastAPI lifespan: the guard loads while the process already answers (the thread is
    ``app.state.guard_loader``)."""
    loader = threading.Thread(target=warm_guard, name="egide-guard-load", daemon=True)
    app.state.guard_loader = loader
    loader.start()
    yield
