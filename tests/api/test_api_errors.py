"""Refusals and bad input: the right status, an OpenAI-style error object with a French message,
the SDK's matching exception, and nothing sent to the model."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest
from api_support import MAX_BODY, PERSONAL_MESSAGE, Served, said

USER = said("Bonjour, quels sont les horaires du guichet ?")


def _error(exc: openai.APIStatusError) -> dict[str, Any]:
    assert isinstance(exc.body, dict)
    assert set(exc.body) == {"message", "type", "code", "param"}
    return exc.body


def test_charter_refusal_is_permission_denied(gateway: Served) -> None:
    start = len(gateway.provider.recorder.raw)
    with pytest.raises(openai.PermissionDeniedError) as caught:
        gateway.client().chat.completions.create(
            model="externe-public", messages=said(PERSONAL_MESSAGE)
        )
    error = _error(caught.value)
    assert caught.value.status_code == 403
    assert error["code"] == "policy_refused"
    assert error["type"] == "invalid_request_error"
    assert error["param"] is None
    assert "ne reçoit jamais de données personnelles" in error["message"]
    assert "« interne-echo »" in error["message"]  # the model that may receive it
    assert "ROUSSEAU" not in error["message"]
    assert len(gateway.provider.recorder.raw) == start


def test_refusal_while_streaming_is_raised_before_any_chunk(gateway: Served) -> None:
    start = len(gateway.provider.recorder.raw)
    with pytest.raises(openai.PermissionDeniedError) as caught:
        gateway.client().chat.completions.create(
            model="externe-public",
            messages=said(PERSONAL_MESSAGE),
            stream=True,
        )
    assert caught.value.code == "policy_refused"
    assert len(gateway.provider.recorder.raw) == start


@pytest.mark.parametrize(
    ("content", "allowed"),
    [
        ("Quels sont les horaires d'ouverture du guichet ?", True),
        (PERSONAL_MESSAGE, False),
    ],
)
def test_application_max_level_restricts_the_charter(
    gateway: Served, content: str, allowed: bool
) -> None:
    client = gateway.client("interne-only")
    messages = said(content)
    if allowed:
        answer = client.chat.completions.create(model="interne-echo", messages=messages)
        assert answer.choices[0].message.content == "ÉCHO : " + content
        return
    with pytest.raises(openai.PermissionDeniedError) as caught:
        client.chat.completions.create(model="interne-echo", messages=messages)
    assert caught.value.code == "policy_refused"
    assert (
        "L'application « interne-only » n'est autorisée qu'au niveau « interne »"
        in (_error(caught.value)["message"])
    )


@pytest.mark.parametrize(
    ("authorization", "fragment"),
    [
        (None, "absent"),
        ("Basic dXNlcjpwYXNz", "absent"),
        ("Bearer", "absent"),
        ("Bearer sk-0123456789", "invalide"),
        ("Bearer egd_" + "A" * 43, "invalide"),
    ],
)
def test_missing_or_wrong_token_is_401(
    gateway: Served, authorization: str | None, fragment: str
) -> None:
    headers = {"authorization": authorization} if authorization is not None else {}
    response = gateway.post(
        "/v1/chat/completions",
        app=None,
        headers=headers,
        json={"model": "interne-echo", "messages": USER},
    )
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "invalid_api_key" and fragment in error["message"]


def test_wrong_token_raises_the_sdk_authentication_error(gateway: Served) -> None:
    client = openai.OpenAI(api_key="egd_faux", base_url=gateway.base_url + "/v1", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.models.list()
    assert caught.value.code == "invalid_api_key"


def test_revoked_token_is_refused_at_once(gateway: Served) -> None:
    gateway.add_app("a-revoquer")
    client = gateway.client("a-revoquer")
    client.chat.completions.create(model="interne-echo", messages=USER)
    gateway.apps.revoke("a-revoquer")
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model="interne-echo", messages=USER)
    assert caught.value.code == "invalid_api_key"
    assert "révoqué" in _error(caught.value)["message"]


@pytest.mark.parametrize(
    ("app", "model"),
    [
        ("crm", "gpt-4o"),
        ("crm", "interne-echo-bis"),
        ("interne-only", "externe-public"),  # configured, but not for this application
        ("no-externe", "externe-public"),  # named, but of a tier it may not use
    ],
)
def test_unknown_or_out_of_scope_model_is_404(gateway: Served, app: str, model: str) -> None:
    start = len(gateway.provider.recorder.raw)
    with pytest.raises(openai.NotFoundError) as caught:
        gateway.client(app).chat.completions.create(model=model, messages=USER)
    error = _error(caught.value)
    assert error["code"] == "model_not_found" and error["param"] == "model"
    assert "n'existe pas ou n'est pas ouvert à cette application" in error["message"]
    assert len(gateway.provider.recorder.raw) == start


def test_oversized_body_is_413_with_the_sdk(gateway: Served) -> None:
    big = "Le guichet est ouvert. " * (MAX_BODY // 20)
    with pytest.raises(openai.APIStatusError) as caught:
        gateway.client().chat.completions.create(model="interne-echo", messages=said(big))
    assert caught.value.status_code == 413
    error = _error(caught.value)
    assert error["code"] == "request_too_large" and str(MAX_BODY) in error["message"]


def test_oversized_body_without_length_is_413(gateway: Served) -> None:
    def chunks() -> Any:
        for _ in range(MAX_BODY // 1000 + 2):
            yield b" " * 1000

    response = gateway.post(
        "/v1/chat/completions", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_body_just_under_the_limit_is_accepted(gateway: Served) -> None:
    filler = "x" * (MAX_BODY - 200)
    response = gateway.post(
        "/v1/chat/completions",
        json={"model": "interne-echo", "messages": said(filler)},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"{pas du json", "invalid_json"),
        (b"\xff\xfe{}", "invalid_json"),
        (b"[1, 2]", "invalid_value"),
        (b'{"messages": []}', "missing_required_parameter"),
    ],
)
def test_malformed_body_is_400(gateway: Served, content: bytes, code: str) -> None:
    response = gateway.post(
        "/v1/chat/completions", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


@pytest.mark.parametrize(
    ("options", "param", "code"),
    [
        ({"messages": []}, "messages", "invalid_value"),
        ({"messages": [{"role": "tool", "content": "x"}]}, "messages.0.role", "invalid_value"),
        ({"temperature": 5}, "temperature", "invalid_value"),
        ({"n": 2}, "n", "invalid_value"),
        (
            {"tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]},
            "tools",
            "unsupported_parameter",
        ),
        (
            {
                "messages": [
                    {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}
                ]
            },
            "messages.0.content",
            "unsupported_parameter",
        ),
    ],
)
def test_invalid_parameters_are_bad_requests(
    gateway: Served, options: dict[str, Any], param: str, code: str
) -> None:
    arguments: dict[str, Any] = {"model": "interne-echo", "messages": USER, **options}
    with pytest.raises(openai.BadRequestError) as caught:
        gateway.client().chat.completions.create(**arguments)
    error = _error(caught.value)
    assert (error["param"], error["code"]) == (param, code)
    assert error["message"].endswith(".")


@pytest.mark.parametrize("stream", [False, True])
def test_model_failure_before_the_answer_is_502(gateway: Served, stream: bool) -> None:
    gateway.provider.script.fail_status.append(500)
    with pytest.raises(openai.InternalServerError) as caught:
        gateway.client().chat.completions.create(model="interne-echo", messages=USER, stream=stream)
    assert caught.value.status_code == 502
    assert _error(caught.value)["code"] == "model_error"


def test_stream_cut_midway_ends_with_an_error_event(gateway: Served) -> None:
    gateway.provider.script.chunk_size = 3
    gateway.provider.script.cut_after_chunks = 3
    stream = gateway.client().chat.completions.create(
        model="interne-echo", messages=USER, stream=True
    )
    with pytest.raises(openai.APIError) as caught:
        for _ in stream:
            pass
    assert "coupé la connexion" in caught.value.message


@pytest.mark.parametrize(("method", "path"), [("POST", "/v1/completions"), ("GET", "/v1/files")])
def test_unknown_address_is_an_openai_style_404(gateway: Served, method: str, path: str) -> None:
    anonymous = httpx.request(method, gateway.base_url + path, json={}, timeout=10)
    assert anonymous.status_code == 401  # the API answers applications only
    headers = {"authorization": f"Bearer {gateway.tokens['crm']}"}
    response = httpx.request(method, gateway.base_url + path, json={}, headers=headers, timeout=10)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_url"
