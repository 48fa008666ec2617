"""A JSON route reads only what is declared as JSON (ASVS 13.1.5, 13.2.5).

A body of another type is refused unread (415, in French): nothing is parsed as what it does
not claim to be, and a form posted by another site — which cannot declare JSON without the
browser asking the service first — is refused before any work, even with a session.
"""

from __future__ import annotations

import json

import pytest
from security_api_support import add_app, bearer, chat

from egide.store.applications import ApplicationStore
from tests.support.fake_openai import FakeProvider
from tests.support.portal import PortalHarness, csrf_of

BODY = json.dumps(chat("Bonjour")).encode()


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", ""]
)
def test_v1_refuses_a_body_not_declared_as_json(
    harness: PortalHarness, apps: ApplicationStore, provider: FakeProvider, content_type: str
) -> None:
    token = add_app(apps, "non-json")
    start = len(provider.recorder.raw)
    response = harness.client().post(
        "/v1/chat/completions",
        content=BODY,
        headers={**bearer(token), "content-type": content_type},
    )
    assert response.status_code == 415
    error = response.json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert "Content-Type: application/json" in error["message"]
    assert len(provider.recorder.raw) == start


def test_json_with_a_charset_is_json(harness: PortalHarness, apps: ApplicationStore) -> None:
    token = add_app(apps, "charset")
    response = harness.client().post(
        "/v1/chat/completions",
        content=BODY,
        headers={**bearer(token), "content-type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200


def test_the_analysis_refuses_a_form_even_with_the_session(harness: PortalHarness) -> None:
    client = harness.client()
    page = harness.first_sign_in(client, harness.add_user("cmartin"))
    response = client.post(
        "/api/guard/scan",
        content=b'{"text": "Amelie ROUSSEAU"}',
        headers={"x-csrf-token": csrf_of(page), "content-type": "text/plain"},
    )
    assert response.status_code == 415
