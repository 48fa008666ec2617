"""A real ``egide serve`` on loopback and Debian's headless Chromium, driven by Playwright.

In CI (``CI`` set) a missing Chromium or Playwright is a failure: the browser tier must never pass
by skipping. On a workstation without them, the tests are skipped with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.server import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, EgideServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Response

_TIMEOUT_MS = 10_000


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"Chromium et Playwright sont exigés en CI : {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def egide_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EgideServer]:
    server = EgideServer(tmp_path_factory.mktemp("egide-e2e") / "home")
    # An account before the first start: `egide serve` then creates no `admin`.
    server.add_agent("camille.martin")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("Playwright absent : pip install playwright")
        raise
    if not CHROMIUM.is_file():
        _unavailable(f"Chromium introuvable ({CHROMIUM}) : apt-get install chromium")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Error as exc:
            _unavailable(f"Chromium ne démarre pas : {exc.message}")
            raise
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", accept_downloads=True)
    context.set_default_timeout(_TIMEOUT_MS)
    opened = context.new_page()
    # The portal runs only its own script and loads nothing from elsewhere: anything the
    # browser refuses (a CSP violation, a missing asset) is a defect, checked at the end.
    refusals: list[str] = []
    # A form answered with its error (400, 422…) is a page the test reads, not a defect; the
    # browser logs its status all the same. Assets and scripts still count.
    answered_pages: set[str] = set()

    def on_response(response: Response) -> None:
        if response.request.resource_type == "document" and response.status >= 400:
            answered_pages.add(response.url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource") and (
            message.location.get("url") in answered_pages
        ):
            return
        refusals.append(message.text)

    opened.on("response", on_response)
    opened.on("console", on_console)
    yield opened
    context.close()
    assert refusals == [], f"erreurs dans la console du navigateur : {refusals}"
