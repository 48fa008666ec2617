"""Any OpenAI-compatible server: vLLM, Albert API / OpenGateLLM, Ollama, llama.cpp server, Mistral.

Streaming over server-sent events, timeouts, retries with exponential backoff before the first
token (a half-streamed answer is never silently restarted), and French errors for the agent.
A model entry may name several replicas (``replicas``): each request goes to one of them
(egide/models/replicas.py), and fails over to another while nothing has been streamed yet.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
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
from egide.models.replicas import Replica, ReplicaPool, shared_pool

__all__ = ["OpenAICompatBackend"]

_RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
_SERVER_FAILURE = frozenset({500, 502, 503, 504})  # the replica is unwell: set it aside
_KEPT_WORK = " Votre texte est conservé : réessayez plus tard ou choisissez un autre modèle."


class _CutBeforeDone(ModelUnavailable):
    """The server closed the stream before saying the answer was complete."""


@dataclass(frozen=True, slots=True)
class _Failure:
    """Why one attempt on one replica failed before anything was streamed."""

    replica: Replica
    problem: str  # French, short: "injoignable", "délai dépassé", "HTTP 503"
    timeout: bool = False
    response: httpx.Response | None = None


class OpenAICompatBackend:
    def __init__(
        self,
        settings: ModelSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        backoff_s: float = 0.5,
        pool: ReplicaPool | None = None,
    ) -> None:
        assert settings.endpoints  # checked by the configuration
        self.name = settings.name
        self.context_chars = settings.context_chars
        self._settings = settings
        self._backoff_s = backoff_s
        self._pool = pool or shared_pool(settings)
        headers = {"Accept": "text/event-stream, application/json"}
        if settings.api_key_env:
            key = os.environ.get(settings.api_key_env)
            if key:
                headers["Authorization"] = f"Bearer {key}"
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(
                settings.timeout_s, connect=min(settings.connect_timeout_s, settings.timeout_s)
            ),
            transport=transport,
            trust_env=False,  # no proxy from the environment: Égide talks to configured endpoints
        )

    @property
    def pool(self) -> ReplicaPool:
        return self._pool

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
        with self._pool.slot():
            failures: list[_Failure] = []
            for replica in self._attempts(failures, retries=self._retries):
                streamed = False
                try:
                    with (
                        self._pool.using(replica),
                        self._client.stream(
                            "POST", f"{replica.url}/chat/completions", json=payload
                        ) as response,
                    ):
                        if response.status_code in _RETRYABLE_STATUS:
                            response.read()
                            failures.append(self._status_failure(replica, response))
                            continue
                        self._raise_for_status(response)
                        for piece in self._chunks(response):
                            streamed = True
                            yield piece
                    self._pool.mark_up(replica)
                    return
                except _CutBeforeDone:
                    self._pool.mark_down(replica, "connexion coupée")
                    if streamed:
                        raise
                    failures.append(_Failure(replica, "connexion coupée"))
                except httpx.TimeoutException:
                    self._pool.mark_down(replica, "délai dépassé")
                    if streamed:
                        raise ModelTimeout(self._timeout_message()) from None
                    failures.append(_Failure(replica, "délai dépassé", timeout=True))
                except httpx.TransportError:
                    self._pool.mark_down(replica, "injoignable")
                    if streamed:
                        # Part of the answer is already with the agent: never start it again.
                        raise ModelUnavailable(
                            f"le serveur du modèle « {self.name} » a coupé la connexion en cours "
                            "de réponse." + _KEPT_WORK
                        ) from None
                    failures.append(_Failure(replica, "injoignable"))
            raise self._exhausted(failures)

    def _attempts(self, failures: list[_Failure], *, retries: int) -> Iterator[Replica]:
        """Each replica once, best first, then ``retries`` more tries after a backoff."""
        tried: set[str] = set()
        for _ in range(len(self._pool)):
            replica = self._pool.pick(avoid=frozenset(tried))
            tried.add(replica.url)
            yield replica
        for attempt in range(1, retries + 1):
            last = failures[-1] if failures else None
            self._sleep(attempt, last.response if last else None)
            yield self._pool.pick()

    def _status_failure(self, replica: Replica, response: httpx.Response) -> _Failure:
        problem = f"HTTP {response.status_code}"
        if response.status_code in _SERVER_FAILURE:
            self._pool.mark_down(replica, problem)
        return _Failure(replica, problem, response=response)

    def _timeout_message(self) -> str:
        return (
            f"le modèle « {self.name} » n'a pas répondu dans le délai de "
            f"{self._settings.timeout_s:g} s." + _KEPT_WORK
        )

    def _exhausted(self, failures: list[_Failure]) -> ModelError:
        """The error once every attempt failed, in the words of the last one."""
        last = failures[-1]
        if len(self._pool) > 1:
            seen: dict[str, str] = {}
            for failure in failures:
                seen[failure.replica.url] = failure.problem
            details = " ; ".join(f"{url} : {problem}" for url, problem in seen.items())
            message = (
                f"le modèle « {self.name} » est indisponible : aucune de ses {len(self._pool)} "
                f"répliques n'a répondu ({details})." + _KEPT_WORK
            )
            if all(f.timeout for f in failures):
                return ModelTimeout(message)
            return ModelUnavailable(message)
        if last.timeout:
            return ModelTimeout(self._timeout_message())
        if last.problem == "connexion coupée":
            return ModelUnavailable(
                f"le serveur du modèle « {self.name} » a coupé la connexion en cours de réponse."
                + _KEPT_WORK
            )
        if last.response is not None:
            try:
                self._raise_for_status(last.response)
            except ModelError as exc:
                return exc
        return ModelUnavailable(
            f"le modèle « {self.name} » est injoignable ({last.replica.url}) : "
            "le serveur ne répond pas ou a coupé la connexion." + _KEPT_WORK
        )

    def _request(self, method: str, path: str, *, payload: Any = None) -> httpx.Response:
        """One non-streamed request, failing over across replicas (no retry on the same one:
        the caller may retry)."""
        failures: list[_Failure] = []
        for replica in self._attempts(failures, retries=0):
            try:
                with self._pool.using(replica):
                    response = self._client.request(method, f"{replica.url}/{path}", json=payload)
            except httpx.TimeoutException:
                self._pool.mark_down(replica, "délai dépassé")
                failures.append(_Failure(replica, "délai dépassé", timeout=True))
                continue
            except httpx.TransportError:
                self._pool.mark_down(replica, "injoignable")
                failures.append(_Failure(replica, "injoignable"))
                continue
            if response.status_code in _RETRYABLE_STATUS:
                failures.append(self._status_failure(replica, response))
                continue
            self._pool.mark_up(replica)
            return response
        raise self._exhausted(failures)

    def server_models(self) -> list[str]:
        """The model names the server declares (``GET /models``); sends no text at all."""
        try:
            response = self._request("GET", "models")
        except ModelError as exc:
            raise type(exc)(str(exc).removesuffix(_KEPT_WORK)) from None
        self._raise_for_status(response)
        body = _json(response.content, self.name)
        items = body.get("data")
        if not isinstance(items, list):
            raise ModelError(f"le serveur du modèle « {self.name} » a renvoyé une liste illisible.")
        return [str(item["id"]) for item in items if isinstance(item, dict) and "id" in item]

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Embeddings from a replica's ``/embeddings``, within the model's concurrency bound."""
        payload = {"model": self._settings.model or self._settings.name, "input": list(texts)}
        with self._pool.slot():
            response = self._request("POST", "embeddings", payload=payload)
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
            raise _CutBeforeDone(
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
