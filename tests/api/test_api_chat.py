"""Chat completions through the gateway with the official OpenAI SDK: nothing personal reaches
the model, and the answer comes back restored, streamed or not, sync or async."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import Any

import httpx
import pytest
from api_support import EMAIL, NAME, PERSONAL_MESSAGE, PHONE, RAW_VALUES, Served, said


def _assert_pseudonymised(upstream: str) -> None:
    assert upstream, "the model received nothing"
    for value in RAW_VALUES:
        assert value not in upstream
    assert "[PERSONNE_1]" in upstream


def test_answer_restored_and_nothing_personal_upstream(gateway: Served) -> None:
    start = len(gateway.provider.recorder.raw)
    answer = gateway.client().chat.completions.create(
        model="interne-echo", messages=said(PERSONAL_MESSAGE)
    )
    assert answer.choices[0].message.content == "ÉCHO : " + PERSONAL_MESSAGE
    assert answer.choices[0].finish_reason == "stop"
    assert answer.model == "interne-echo"
    assert answer.usage is not None and answer.usage.total_tokens > 0
    assert answer.model_extra is not None
    assert answer.model_extra["egide"]["level"] == "sensible"
    _assert_pseudonymised(gateway.upstream_since(start))


@pytest.mark.parametrize("chunk_size", [1, 3, 5])
def test_stream_restored_across_chunk_boundaries(gateway: Served, chunk_size: int) -> None:
    gateway.provider.script.chunk_size = chunk_size
    start = len(gateway.provider.recorder.raw)
    stream = gateway.client().chat.completions.create(
        model="interne-echo",
        messages=said(PERSONAL_MESSAGE),
        stream=True,
        stream_options={"include_usage": True},
    )
    deltas, usage, finish = [], None, None
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            deltas.append(choice.delta.content or "")
            if choice.finish_reason:
                finish = chunk
    assert "".join(deltas) == "ÉCHO : " + PERSONAL_MESSAGE
    assert finish is not None and finish.choices[0].finish_reason == "stop"
    assert finish.model_extra is not None and finish.model_extra["egide"]["warnings"] == []
    assert usage is not None and usage.completion_tokens > 0
    _assert_pseudonymised(gateway.upstream_since(start))


def test_whole_conversation_pseudonymised_consistently(gateway: Served) -> None:
    start = len(gateway.provider.recorder.raw)
    messages: list[Any] = [
        {"role": "system", "content": f"Tu assistes le bureau de {NAME}."},
        {"role": "user", "content": f"Qui joindre au {PHONE} ?"},
        {"role": "assistant", "content": f"Il s'agit de {NAME}."},
        {"role": "user", "content": [{"type": "text", "text": f"Écris à {EMAIL}."}]},
    ]
    answer = gateway.client().chat.completions.create(model="auto", messages=messages)
    assert answer.choices[0].message.content == f"ÉCHO : Écris à {EMAIL}."
    body = gateway.provider.recorder.bodies[start]
    sent = [m["content"] for m in body["messages"]]
    assert [m["role"] for m in body["messages"]] == ["system", "user", "assistant", "user"]
    # The same person gets the same placeholder in every message.
    assert "[PERSONNE_1]" in sent[0] and "[PERSONNE_1]" in sent[2]
    _assert_pseudonymised(gateway.upstream_since(start))


def test_async_client_streaming_and_not(gateway: Served) -> None:
    gateway.provider.script.chunk_size = 2

    async def scenario() -> tuple[str | None, str]:
        client = gateway.async_client()
        messages = said(PERSONAL_MESSAGE)
        whole = await client.chat.completions.create(model="interne-echo", messages=messages)
        stream = await client.chat.completions.create(
            model="interne-echo", messages=messages, stream=True
        )
        pieces = [c.choices[0].delta.content or "" async for c in stream if c.choices]
        await client.close()
        return whole.choices[0].message.content, "".join(pieces)

    start = len(gateway.provider.recorder.raw)
    whole, streamed = asyncio.run(scenario())
    assert whole == streamed == "ÉCHO : " + PERSONAL_MESSAGE
    _assert_pseudonymised(gateway.upstream_since(start))


def test_generation_settings_forwarded(gateway: Served) -> None:
    start = len(gateway.provider.recorder.raw)
    gateway.client().chat.completions.create(
        model="interne-echo",
        messages=[
            {"role": "developer", "content": "Sois bref."},
            {"role": "user", "content": "Bonjour"},
        ],
        max_tokens=42,
        temperature=0.2,
    )
    body = gateway.provider.recorder.bodies[start]
    assert body["max_tokens"] == 42 and body["temperature"] == 0.2
    assert body["messages"][0] == {"role": "system", "content": "Sois bref."}


def test_local_engine_answers_through_the_gateway(gateway: Served) -> None:
    start = len(gateway.provider.recorder.raw)
    answer = gateway.client().chat.completions.create(
        model="local",
        messages=[
            {"role": "system", "content": "La préfecture ouvre à 9 heures le lundi."},
            {"role": "user", "content": "À quelle heure ouvre la préfecture le lundi ?"},
        ],
    )
    assert "9 heures" in (answer.choices[0].message.content or "")
    assert len(gateway.provider.recorder.raw) == start  # nothing left the machine


def test_local_engine_without_a_document_is_the_callers_to_fix(gateway: Served) -> None:
    """A lone question to the extractive engine: a 400 that says what to send, not a 502 that
    blames a model and makes the SDK retry."""
    response = httpx.post(
        f"{gateway.base_url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {gateway.tokens['crm']}"},
        json={"model": "local", "messages": [{"role": "user", "content": "Horaires ?"}]},
        timeout=60,
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unanswerable_request" and error["param"] == "messages"
    assert error["message"].startswith("aucun document fourni : ")


@pytest.mark.parametrize(
    ("app", "expected"),
    [
        ("crm", ["auto", "interne-echo", "externe-public", "local"]),
        ("interne-only", ["auto", "interne-echo"]),
        ("no-externe", ["auto", "interne-echo", "local"]),
    ],
)
def test_models_listed_within_the_application_scope(
    gateway: Served, app: str, expected: list[str]
) -> None:
    client = gateway.client(app)
    assert [m.id for m in client.models.list()] == expected
    assert client.models.retrieve(expected[-1]).id == expected[-1]


def test_audit_attributes_requests_to_the_application_without_content(gateway: Served) -> None:
    gateway.client().chat.completions.create(model="interne-echo", messages=said(PERSONAL_MESSAGE))
    trail = (gateway.home / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    events = [json.loads(line) for line in trail.splitlines()]
    mine = [e for e in events if e["user"] == "app:crm"]
    assert {e["action"] for e in mine} >= {"gateway_chat", "answer_delivered"}
    assert any(e["tier"] == "interne" and e["level"] == "sensible" for e in mine)
    for value in RAW_VALUES:
        assert value not in trail


def test_server_log_holds_no_content(gateway: Served) -> None:
    gateway.client().chat.completions.create(model="externe-public", messages=said("Bonjour"))
    log = gateway.log_path.read_text(encoding="utf-8")
    for value in (*RAW_VALUES, "Bonjour", "Rédige"):
        assert value not in log


def test_a_client_gone_mid_body_is_not_an_internal_error(gateway: Served) -> None:
    """A client that closes its connection before sending the body it announced: nothing is
    sent to a model, and the service does not log it as its own failure."""
    start = len(gateway.provider.recorder.raw)
    before = gateway.log_path.read_text(encoding="utf-8").count("erreur interne")
    host, port = gateway.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            (
                "POST /v1/chat/completions HTTP/1.1\r\n"
                f"Host: {host}\r\nAuthorization: Bearer {gateway.tokens['crm']}\r\n"
                "Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n"
                '{"model": "auto", "messages": [{"role": "user", "content": "Bonj'
            ).encode()
        )
    time.sleep(1.0)  # the service notices the closed connection while reading the body
    # It still answers the next client, and wrote no internal error for the one that left.
    assert httpx.get(gateway.base_url + "/healthz", timeout=10).status_code == 200
    assert gateway.log_path.read_text(encoding="utf-8").count("erreur interne") == before
    assert len(gateway.provider.recorder.raw) == start
