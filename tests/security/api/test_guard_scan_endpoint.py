"""``POST /api/guard/scan`` answers known callers only, within a size and a rate per caller.

Issue #9: anyone could post a million characters (28 s of CPU a call) and probe the detector.
"""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from security_api_support import add_app, bearer

from egide.store.applications import ApplicationStore
from tests.support.portal import PortalHarness, csrf_of

TEXT = "Courrier pour Mme Amélie ROUSSEAU, joignable au 05 34 45 34 45."
SCAN = "/api/guard/scan"


def _agent(harness: PortalHarness, login: str = "cmartin") -> tuple[TestClient, str]:
    client = harness.client()
    page = harness.first_sign_in(client, harness.add_user(login))
    return client, csrf_of(page)


def test_a_signed_in_agent_scans_with_the_session_token(harness: PortalHarness) -> None:
    client, csrf = _agent(harness)
    response = client.post(SCAN, json={"text": TEXT}, headers={"x-csrf-token": csrf})
    assert response.status_code == 200
    labels = {span["label"] for span in response.json()["spans"]}
    assert "PHONE" in labels
    # The session alone is not enough: a page of another site could post with it.
    forged = client.post(SCAN, json={"text": TEXT})
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "csrf_rejected"


def test_a_half_signed_in_session_is_not_enough(harness: PortalHarness) -> None:
    account = harness.add_user("dlefevre")
    client = harness.client()
    page = harness.post_sign_in(client, account.login, account.password)  # password only
    assert page.url.path == "/connexion/mot-de-passe"
    response = client.post(SCAN, json={"text": TEXT}, headers={"x-csrf-token": csrf_of(page)})
    assert response.status_code == 401


def test_an_application_scans_with_its_token_until_revoked(
    harness: PortalHarness, apps: ApplicationStore
) -> None:
    token = add_app(apps, "courrier")
    client = harness.client()
    assert client.post(SCAN, json={"text": TEXT}, headers=bearer(token)).status_code == 200
    apps.revoke("courrier")
    refused = client.post(SCAN, json={"text": TEXT}, headers=bearer(token))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_api_key"


def test_a_text_over_the_limit_is_a_french_413(
    harness: PortalHarness, apps: ApplicationStore
) -> None:
    token = add_app(apps, "volumineux")
    client = harness.client()
    limit = harness.settings.api.scan_max_chars
    response = client.post(SCAN, json={"text": "a" * (limit + 1)}, headers=bearer(token))
    assert response.status_code == 413
    message = response.json()["error"]["message"]
    assert "au-delà de la limite de 5\u202f000" in message and "découpez-le" in message
    # A body far larger is refused on its size, before any parsing.
    huge = json.dumps({"text": "é" * 200_000}).encode()
    response = client.post(
        SCAN, content=huge, headers={**bearer(token), "content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_each_caller_has_a_rate_per_minute(harness: PortalHarness, apps: ApplicationStore) -> None:
    token = add_app(apps, "bavarde")
    client = harness.client()
    per_minute = harness.settings.api.scan_per_minute
    for _ in range(per_minute):
        assert client.post(SCAN, json={"text": TEXT}, headers=bearer(token)).status_code == 200
    response = client.post(SCAN, json={"text": TEXT}, headers=bearer(token))
    assert response.status_code == 429
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert f"Limite de {per_minute} analyses par minute" in response.json()["error"]["message"]
    # Another caller has a window of its own.
    agent, csrf = _agent(harness)
    assert agent.post(SCAN, json={"text": TEXT}, headers={"x-csrf-token": csrf}).status_code == 200


def test_a_deeply_nested_body_is_a_french_400(
    harness: PortalHarness, apps: ApplicationStore
) -> None:
    token = add_app(apps, "imbriquee")
    body = b'{"text": "a", "x": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    response = harness.client().post(
        SCAN, content=body, headers={**bearer(token), "content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "json_too_deep"
