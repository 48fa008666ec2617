"""A body nested deeper than any API request needs is a French 400, never a 500.

Issue #9: ``[[[[…`` posted to ``/v1`` ended in ``RecursionError`` and a 500. The depth is
checked once, before parsing, for every JSON route (``egide.api.body``).
"""

from __future__ import annotations

import time

import pytest
from security_api_support import add_app, bearer, chat

from egide.store.applications import ApplicationStore
from tests.support.fake_openai import FakeProvider
from tests.support.portal import PortalHarness

ROUTES = ["/v1/chat/completions", "/v1/embeddings"]
MAX_DEPTH = 32  # documented in docs/api.md


def _nested(depth: int) -> bytes:
    return b'{"model": "interne-echo", "input": "a", "x": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("path", ROUTES)
def test_deep_nesting_is_refused_in_french(
    harness: PortalHarness, apps: ApplicationStore, provider: FakeProvider, path: str
) -> None:
    token = add_app(apps, "imbriquee")
    client = harness.client(raise_server_exceptions=False)
    start = len(provider.recorder.raw)
    for depth in (MAX_DEPTH, 100_000):  # one level past the limit (the object counts), and far
        response = client.post(
            path,
            content=_nested(depth),
            headers={**bearer(token), "content-type": "application/json"},
        )
        assert response.status_code == 400, depth
        error = response.json()["error"]
        assert error["code"] == "json_too_deep"
        assert f"plus de {MAX_DEPTH} niveaux" in error["message"]
    assert len(provider.recorder.raw) == start  # nothing reached the model


def test_brackets_inside_strings_do_not_count(
    harness: PortalHarness, apps: ApplicationStore
) -> None:
    token = add_app(apps, "crochets")
    text = '[{"a": [1]}] \\" [[[[' * 100  # brackets and escaped quotes in a message
    response = harness.client().post("/v1/chat/completions", json=chat(text), headers=bearer(token))
    assert response.status_code == 200


def test_the_depth_check_is_linear(harness: PortalHarness, apps: ApplicationStore) -> None:
    """Strings that never end or brackets by the million do not make the check slow."""
    token = add_app(apps, "lente")
    headers = {**bearer(token), "content-type": "application/json"}
    client = harness.client()
    bodies = [
        b'{"x": "' + b'\\"[' * 1_000_000,  # a string that never ends, quotes inside
        b'"' + b'\\"' * 1_000_000 + b"[" * 40,  # quotes to rescan from, had it no end
        b'{"x": ' + b"[0]," * 500_000 + b"0}",  # many brackets, never deep
    ]
    for body in bodies:
        began = time.monotonic()
        response = client.post("/v1/embeddings", content=body, headers=headers)
        assert response.status_code == 400
        assert time.monotonic() - began < 5
