"""Any OpenAI-compatible server: vLLM, Albert API / OpenGateLLM, Ollama, llama.cpp server, Mistral.

Streaming over server-sent events, timeouts, retries with exponential backoff before the first
token (a half-streamed answer is never silently restarted), and French errors for the agent.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from egide.config import ModelSettings
from egide.models.base import (
    GenerationRequest,
    ModelError,
    ModelTimeout,
    ModelUnavailable,
)
from egide.models.registry import register_backend

__all__ = ["OpenAICompatBackend"]

_RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
_KEPT_WORK = " Votre texte est conservé : réessayez plus tard ou choisissez un autre modèle."


class OpenAICompatBackend:
    def __init__(
        self,
        settings: ModelSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        backoff_s: float = 0.5,
    ) -> None:
        assert settings.base_url is not None  # checked by the configuration
        self.name = settings.name
        self.context_chars = settings.context_chars
        self._settings = settings
        self._backoff_s = backoff_s
        headers = {"Accept": "text/event-stream, application/json"}
        if settings.api_key_env:
            key = os.environ.get(settings.api_key_env)
            if key:
                headers["Authorization"] = f"Bearer {key}"
        self._client = httpx.Client(
            base_url=settings.base_url.rstrip("/") + "/",
            headers=headers,
            timeout=httpx.Timeout(settings.timeout_s, connect=min(10.0, settings.timeout_s)),
            transport=transport,
            trust_env=False,  # no proxy from the environment: Égide talks to configured endpoints
        )

    def close(self) -> None:
        self._client.close()

    def _payload(self, request: GenerationRequest, *, stream: bool) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self._settings.model or self._settings.name,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "stream": stream,
        }
        max_tokens = request.max_tokens or self._settings.max_tokens
        if max_tokens is not None:
            payload["max_tokens"] = max_tokens
        if request.temperature is not None:
            payload["temperature"] = request.temperature
        return payload

    def complete(self, request: GenerationRequest) -> str:
        return "".join(self.stream(request))

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        payload = self._payload(request, stream=True)
        attempt = 0
        while True:
            try:
                with self._client.stream("POST", "chat/completions", json=payload) as response:
                    if response.status_code in _RETRYABLE_STATUS and attempt < self._retries:
                        response.read()
                        attempt += 1
                        self._sleep(attempt, response)
                        continue
                    self._raise_for_status(response)
                    yield from self._chunks(response)
                    return
            except httpx.TimeoutException:
                if attempt < self._retries:
                    attempt += 1
                    self._sleep(attempt, None)
                    continue
                raise ModelTimeout(
                    f"le modèle « {self.name} » n'a pas répondu dans le délai de "
                    f"{self._settings.timeout_s:g} s." + _KEPT_WORK
                ) from None
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
                if attempt < self._retries and isinstance(exc, httpx.ConnectError):
                    attempt += 1
                    self._sleep(attempt, None)
                    continue
                raise ModelUnavailable(
                    f"le modèle « {self.name} » est injoignable ({self._settings.base_url}) : "
                    "le serveur ne répond pas ou a coupé la connexion." + _KEPT_WORK
                ) from None

    def server_models(self) -> list[str]:
        """The model names the server declares (``GET /models``); sends no text at all."""
        try:
            response = self._client.get("models")
        except httpx.TimeoutException:
            raise ModelTimeout(
                f"le serveur du modèle « {self.name} » n'a pas répondu dans le délai de "
                f"{self._settings.timeout_s:g} s."
            ) from None
        except httpx.TransportError:
            raise ModelUnavailable(
                f"le modèle « {self.name} » est injoignable ({self._settings.base_url})."
            ) from None
        self._raise_for_status(response)
        body = _json(response.content, self.name)
        items = body.get("data")
        if not isinstance(items, list):
            raise ModelError(f"le serveur du modèle « {self.name} » a renvoyé une liste illisible.")
        return [str(item["id"]) for item in items if isinstance(item, dict) and "id" in item]

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Embeddings from the server's ``/embeddings`` (no retry: the caller may retry)."""
        payload = {"model": self._settings.model or self._settings.name, "input": list(texts)}
        try:
            response = self._client.post("embeddings", json=payload)
        except httpx.TimeoutException:
            raise ModelTimeout(
                f"le modèle « {self.name} » n'a pas répondu dans le délai de "
                f"{self._settings.timeout_s:g} s." + _KEPT_WORK
            ) from None
        except httpx.TransportError:
            raise ModelUnavailable(
                f"le modèle « {self.name} » est injoignable ({self._settings.base_url})."
                + _KEPT_WORK
            ) from None
        self._raise_for_status(response)
        body = _json(response.content, self.name)
        try:
            items = sorted(body["data"], key=lambda item: int(item.get("index", 0)))
            vectors = [[float(x) for x in item["embedding"]] for item in items]
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ModelError(
                f"le modèle « {self.name} » a renvoyé des plongements illisibles."
            ) from None
        if len(vectors) != len(texts):
            raise ModelError(
                f"le modèle « {self.name} » a renvoyé un nombre inattendu de plongements."
            )
        return vectors

    @property
    def _retries(self) -> int:
        return self._settings.max_retries

    def _sleep(self, attempt: int, response: httpx.Response | None) -> None:
        delay = self._backoff_s * (2 ** (attempt - 1))
        if response is not None:
            retry_after = response.headers.get("retry-after", "")
            if retry_after.isdigit():
                delay = min(float(retry_after), 30.0)
        time.sleep(delay)

    def _raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        response.read()
        if status in (401, 403):
            hint = (
                f" (variable d'environnement {self._settings.api_key_env})"
                if self._settings.api_key_env
                else ""
            )
            raise ModelUnavailable(
                f"le modèle « {self.name} » refuse l'accès : clé d'API absente ou invalide{hint}."
            )
        if status == 404:
            raise ModelUnavailable(
                f"le serveur du modèle « {self.name} » ne connaît pas le modèle "
                f"« {self._settings.model or self.name} » : vérifiez la configuration."
            )
        if status == 429:
            raise ModelUnavailable(
                f"le modèle « {self.name} » est saturé (trop de demandes)." + _KEPT_WORK
            )
        raise ModelUnavailable(
            f"le modèle « {self.name} » a répondu par une erreur (HTTP {status})." + _KEPT_WORK
        )

    def _chunks(self, response: httpx.Response) -> Iterator[str]:
        content_type = response.headers.get("content-type", "")
        if "text/event-stream" not in content_type:
            # Some servers ignore "stream": true and answer in one JSON document.
            body = _json(response.read(), self.name)
            yield _message_text(body, self.name)
            return
        finished = False
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                return
            event = _json(data.encode(), self.name)
            if "error" in event:
                raise ModelError(
                    f"le modèle « {self.name} » s'est interrompu en cours de réponse." + _KEPT_WORK
                )
            for choice in event.get("choices") or ():
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    yield piece
                finished = finished or bool(choice.get("finish_reason"))
        if not finished:
            # The connection closed before the server said the answer was complete.
            raise ModelUnavailable(
                f"le serveur du modèle « {self.name} » a coupé la connexion en cours de réponse."
                + _KEPT_WORK
            )


def _json(raw: bytes, name: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        raise ModelError(f"le modèle « {name} » a renvoyé une réponse illisible.") from None
    if not isinstance(value, dict):
        raise ModelError(f"le modèle « {name} » a renvoyé une réponse inattendue.")
    return value


def _message_text(body: dict[str, Any], name: str) -> str:
    try:
        content = body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ModelError(f"le modèle « {name} » a renvoyé une réponse sans texte.") from None
    return str(content or "")


@register_backend("openai")
def _factory(settings: ModelSettings) -> OpenAICompatBackend:
    return OpenAICompatBackend(settings)
