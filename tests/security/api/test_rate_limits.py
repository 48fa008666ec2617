"""The per-minute limit of an application holds on every route of ``/v1``.

OWASP Top 10 for LLM applications 2025, LLM10 (unbounded consumption): an application that
polls the cheap routes in a loop is held to its rate like one that asks for answers.
"""

from __future__ import annotations

import pytest
from security_api_support import add_app, bearer

from egide.store.applications import ApplicationStore
from tests.support.fake_openai import FakeProvider
from tests.support.portal import PortalHarness


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/models"), ("GET", "/v1/models/interne-echo"), ("GET", "/v1/fichiers")],
)
def test_every_route_counts_against_the_rate(
    harness: PortalHarness, apps: ApplicationStore, method: str, path: str
) -> None:
    token = add_app(apps, "sondeuse", rpm=2)
    client = harness.client()
    for _ in range(2):
        answer = client.request(method, path, headers=bearer(token))
        assert answer.status_code in (200, 404)
        assert answer.headers["x-ratelimit-limit-requests"] == "2"
    refused = client.request(method, path, headers=bearer(token))
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limit_exceeded"
    assert 1 <= int(refused.headers["retry-after"]) <= 60


def test_the_cheap_routes_and_the_answers_share_one_window(
    harness: PortalHarness, apps: ApplicationStore, provider: FakeProvider
) -> None:
    token = add_app(apps, "melangee", rpm=2)
    client = harness.client()
    assert client.get("/v1/models", headers=bearer(token)).status_code == 200
    assert client.get("/v1/models", headers=bearer(token)).status_code == 200
    start = len(provider.recorder.raw)
    answer = client.post(
        "/v1/chat/completions",
        json={"model": "interne-echo", "messages": [{"role": "user", "content": "Bonjour"}]},
        headers=bearer(token),
    )
    assert answer.status_code == 429
    assert len(provider.recorder.raw) == start
