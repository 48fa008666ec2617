"""Shared by the letter and batch flows: axe-core at every width, and a page that lets the form
errors these flows provoke answer « 400 » without failing on Chromium's console message."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tests.e2e.flows import check_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

__all__ = ["WIDTHS", "check_at_every_width", "page_expecting_form_errors"]

WIDTHS = (320, 768, 1024, 1440)
_TIMEOUT_MS = 10_000


def check_at_every_width(page: Page, path: str, name: str, artifacts: Path) -> None:
    """axe-core clean at each width, from the narrowest phone to a wide screen."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        check_page(page, path, f"{name}-{width}", artifacts)
    page.set_viewport_size({"width": 1280, "height": 900})


def page_expecting_form_errors(browser: Browser, form_paths: Collection[str]) -> Iterator[Page]:
    """The shared page fixture, with one difference: a form answered « 400 » with its errors
    beside the fields is what these flows test, and Chromium logs every 4xx document as a
    console error. Only that message, for one of ``form_paths``, is let through; any other
    console error (a CSP violation, a missing asset) still fails the test."""
    context = browser.new_context(locale="fr-FR", accept_downloads=True)
    context.set_default_timeout(_TIMEOUT_MS)
    opened = context.new_page()
    refusals: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        path = urlsplit(message.location.get("url", "")).path
        expected = any(path.endswith(form) for form in form_paths)
        if message.type == "error" and not (expected and "status of 400" in message.text):
            refusals.append(message.text)

    opened.on("console", on_console)
    yield opened
    context.close()
    assert refusals == [], f"erreurs dans la console du navigateur : {refusals}"
