"""The OpenAI-compatible backend against a real HTTP server on loopback."""

import socket

import pytest

from egide.config import ModelSettings
from egide.models import GenerationRequest, Message, ModelTimeout, ModelUnavailable
from egide.models.openai_compat import OpenAICompatBackend
from tests.support.fake_openai import Script, fake_openai_server

REQUEST = GenerationRequest(
    task="chat", messages=[Message("user", "Bonjour, résumez [PERSONNE_1].")]
)


def backend(base_url: str, **overrides: object) -> OpenAICompatBackend:
    values: dict[str, object] = {
        "name": "interne-test",
        "tier": "interne",
        "backend": "openai",
        "base_url": base_url,
        "model": "mistral-small",
        "timeout_s": 5.0,
        "max_retries": 2,
    }
    values.update(overrides)
    return OpenAICompatBackend(ModelSettings.model_validate(values), backoff_s=0.01)


def test_streams_the_answer_in_chunks_and_sends_the_configured_model() -> None:
    with fake_openai_server(Script(answer="Réponse du modèle interne.", chunk_size=4)) as provider:
        chunks = list(backend(provider.base_url).stream(REQUEST))
    assert len(chunks) > 3
    assert "".join(chunks) == "Réponse du modèle interne."
    body = provider.recorder.bodies[0]
    assert body["model"] == "mistral-small"
    assert body["stream"] is True
    assert body["messages"] == [{"role": "user", "content": "Bonjour, résumez [PERSONNE_1]."}]


def test_api_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGIDE_TEST_KEY", "s3cret")
    with fake_openai_server() as provider:
        backend(provider.base_url, api_key_env="EGIDE_TEST_KEY").complete(REQUEST)
    assert provider.recorder.headers[0]["Authorization"] == "Bearer s3cret"


def test_retries_transient_errors_with_backoff() -> None:
    with fake_openai_server(Script(answer="ok", fail_status=[503, 429])) as provider:
        assert backend(provider.base_url).complete(REQUEST) == "ok"
    assert len(provider.recorder.bodies) == 3


def test_gives_up_after_the_configured_retries_with_a_french_message() -> None:
    with fake_openai_server(Script(fail_status=[503, 503, 503])) as provider:
        with pytest.raises(ModelUnavailable, match="HTTP 503.*Votre texte est conservé"):
            backend(provider.base_url).complete(REQUEST)


@pytest.mark.parametrize(
    ("status", "expected"),
    [(401, "clé d'API absente ou invalide"), (404, "ne connaît pas le modèle")],
)
def test_client_errors_are_not_retried(status: int, expected: str) -> None:
    with fake_openai_server(Script(fail_status=[status])) as provider:
        with pytest.raises(ModelUnavailable, match=expected):
            backend(provider.base_url).complete(REQUEST)
    assert len(provider.recorder.bodies) == 1


def test_server_down_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ModelUnavailable, match="injoignable"):
        backend(f"http://127.0.0.1:{port}/v1", max_retries=0).complete(REQUEST)


def test_slow_server_times_out() -> None:
    with fake_openai_server(Script(delay_s=1.5)) as provider:
        with pytest.raises(ModelTimeout, match="n'a pas répondu dans le délai de 0.5 s"):
            backend(provider.base_url, timeout_s=0.5, max_retries=0).complete(REQUEST)


def test_stream_cut_midway_is_an_error_not_a_short_answer() -> None:
    script = Script(answer="x" * 100, chunk_size=10, cut_after_chunks=3)
    with fake_openai_server(script) as provider:
        received: list[str] = []
        with pytest.raises(ModelUnavailable, match="coupé la connexion"):
            for chunk in backend(provider.base_url).stream(REQUEST):
                received.append(chunk)
    assert "".join(received) == "x" * 30
    assert len(provider.recorder.bodies) == 1  # a half-streamed answer is never restarted
