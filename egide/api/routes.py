"""``/v1``: chat completions (streamed or not), models and embeddings, as OpenAI serves them.

Order of the checks, each with its own answer: token (401), requests per minute (429, every
route of ``/v1`` counts, the list of models and unknown addresses included), declared type
(415), body size (413), JSON depth and parameters (400), model within the application's scope
(404), daily quotas (429: requests, then the tokens this request may use are reserved), then
the pipeline: the charter's decision (403 ``policy_refused``), the model (502, 504) and the
audit trail (503).
The reserved tokens are settled to what was used when the request ends, however it ends
(:mod:`egide.api.quota`). Nothing of a request's content is ever logged.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.requests import ClientDisconnect

from egide.api.body import read_json
from egide.api.errors import (
    GatewayError,
    audit_unavailable,
    internal_error,
    invalid_value,
    model_error,
    model_not_found,
    policy_refused,
    store_unavailable,
)
from egide.api.gateway import Gateway
from egide.api.quota import TokenMeter
from egide.api.schemas import (
    ChatRequest,
    chat_completion,
    completion_id,
    embeddings_response,
    estimate_tokens,
    parse_chat,
    parse_embeddings,
    usage,
)
from egide.api.search import add_search_route
from egide.api.streaming import END, ChunkPump, stream_events
from egide.assistant import AssistantRequest, PolicyRefused, Run
from egide.audit import AuditError
from egide.config import Settings
from egide.guard import GuardInputError
from egide.models import Message, ModelError, ModelTimeout, UnanswerableRequest
from egide.models.base import EmbeddingBackend
from egide.policy.decide import AUTO
from egide.store.applications import ApplicationRecord
from egide.store.errors import StoreError

__all__ = ["gateway_router"]

_log = logging.getLogger("egide.api")


def translate(exc: BaseException, gateway: Gateway, app: ApplicationRecord | None) -> GatewayError:
    """The OpenAI-style answer for a failure of the pipeline (French messages, no content)."""
    if isinstance(exc, GatewayError):
        return exc
    if isinstance(exc, PolicyRefused):
        detail = gateway.refusal_detail(app, exc.decision.level) if app else ""
        return policy_refused(str(exc) + detail)
    if isinstance(exc, AuditError):
        return audit_unavailable(str(exc))
    if isinstance(exc, UnanswerableRequest):
        return invalid_value(str(exc), param="messages", code="unanswerable_request")
    if isinstance(exc, ModelError):
        return model_error(str(exc), timeout=isinstance(exc, ModelTimeout))
    if isinstance(exc, StoreError):
        return store_unavailable(str(exc))
    if isinstance(exc, GuardInputError):
        return invalid_value(str(exc), param="messages")
    if isinstance(exc, ClientDisconnect):
        # The client left before sending its whole body: nobody to answer, nothing wrong here.
        _log.info("client parti avant la fin de sa requête")
        return GatewayError(400, "client_disconnected", "Requête interrompue par le client.")
    # The message of an unexpected error might quote content: the frames only are logged.
    _log.error(
        "erreur interne de la passerelle (%s) :\n%s",
        type(exc).__name__,
        "".join(traceback.format_tb(exc.__traceback__)),
    )
    return internal_error()


def _extra(run: Run) -> dict[str, Any]:
    result = run.result
    return {
        "tier": run.model.tier.value,
        "level": run.preview.assessment.level.key,
        "decision": run.decision.code.value,
        "warnings": list(result.warnings) if result else [],
    }


def _settled(chunks: Iterator[str], meter: TokenMeter) -> Iterator[str]:
    """The answer's chunks; the tokens are settled when they end, however they end (answer
    complete, model failure, or the stream closed because the client went away)."""
    try:
        yield from chunks
    finally:
        meter.settle()


def _start(
    gateway: Gateway, app: ApplicationRecord, chat: ChatRequest, model: str
) -> tuple[Run, Iterator[str], object, TokenMeter]:
    """Quotas, pipeline up to the model, and the first chunk (or the whole answer)."""
    gateway.count_request(app)
    prompt = estimate_tokens([m.content for m in chat.messages])
    meter = gateway.reserve(app, prompt, chat.max_tokens)
    try:
        options: dict[str, Any] = {}
        if chat.max_tokens is not None:
            options["max_tokens"] = chat.max_tokens
        if chat.temperature is not None:
            options["temperature"] = chat.temperature
        request = AssistantRequest(
            user=app.user, task="gateway_chat", model=model, messages=chat.messages,
            options=options,
        )  # fmt: skip
        run = gateway.assistant_for(app, meter).start(request)
        chunks = _settled(run.chunks(), meter)
        if not chat.stream:
            for _ in chunks:
                pass
            return run, chunks, END, meter
        # Drawn before answering, so that a model that fails at once gets its HTTP status.
        return run, chunks, next(chunks, END), meter
    except BaseException:
        meter.settle()  # refused, or failed before the chunks were drawn
        raise


def _embed(gateway: Gateway, app: ApplicationRecord, model: str, inputs: tuple[str, ...]) -> Any:
    if not isinstance(gateway.backend(model), EmbeddingBackend):
        raise invalid_value(
            f"Le modèle « {model} » ne calcule pas de plongements (embeddings).",
            param="model",
            code="embeddings_not_supported",
        )
    gateway.count_request(app)
    meter = gateway.reserve(app, estimate_tokens(inputs), 0)
    request = AssistantRequest(
        user=app.user,
        task="embeddings",
        model=model,
        messages=tuple(Message("user", text) for text in inputs),
    )
    try:
        return gateway.assistant_for(app, meter).embed(request)
    finally:
        meter.settle()


def _stream_finish(
    chat: ChatRequest, run: Run, meter: TokenMeter
) -> Callable[[str], tuple[dict[str, Any], dict[str, int] | None]]:
    def finish(text: str) -> tuple[dict[str, Any], dict[str, int] | None]:
        counted = usage(meter.prompt_tokens, meter.completion_tokens)
        return _extra(run), counted if chat.include_usage else None

    return finish


def _model_object(name: str, tier: str, level: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": 0, "owned_by": "egide", "tier": tier,
            "max_level": level}  # fmt: skip


def gateway_router(settings: Settings, *, gateway: Gateway | None = None) -> APIRouter:
    """The ``/v1`` routes, for ``app.include_router`` in :func:`egide.web.app.create_app`."""
    state = gateway or Gateway(settings)
    router = APIRouter(prefix="/v1", tags=["API compatible OpenAI"])
    limit = settings.api.max_body_bytes

    async def admitted(request: Request) -> tuple[ApplicationRecord, dict[str, str]]:
        app = await state.run(state.authenticate, request.headers.get("authorization"))
        request.state.app_id = app.id  # for the access log: which application, never content
        rate = state.limit_rate(app)
        return app, rate.headers() if rate else {}

    @router.get("/models")
    async def list_models(request: Request) -> Response:
        headers: dict[str, str] = {}
        try:
            app, headers = await admitted(request)
        except Exception as exc:
            return translate(exc, state, None).response(headers)
        models = [_model_object(AUTO, "auto", app.max_level.key)]
        models += [
            _model_object(m.name, m.tier.value, m.effective_max_sensitivity.key)
            for m in state.scope(app)
        ]
        return JSONResponse({"object": "list", "data": models}, headers=headers)

    @router.get("/models/{model_id:path}")
    async def retrieve_model(model_id: str, request: Request) -> Response:
        headers: dict[str, str] = {}
        try:
            app, headers = await admitted(request)
            for m in state.scope(app):
                if m.name == model_id:
                    level = m.effective_max_sensitivity.key
                    return JSONResponse(_model_object(m.name, m.tier.value, level), headers=headers)
            raise model_not_found(model_id)
        except Exception as exc:
            return translate(exc, state, None).response(headers)

    @router.post("/chat/completions")
    async def chat_completions(request: Request) -> Response:
        app: ApplicationRecord | None = None
        headers: dict[str, str] = {}
        try:
            app, headers = await admitted(request)
            chat = parse_chat(await read_json(request, limit))
            model = state.resolve(app, chat.model)
            run, chunks, first, meter = await state.run(_start, state, app, chat, model)
        except Exception as exc:  # every failure has its OpenAI-style answer
            return translate(exc, state, app).response(headers)
        if chat.stream:
            pump = None
            if first is not END:
                pump = ChunkPump(chunks, asyncio.get_running_loop())
                pump.start(state.executor)
            events = stream_events(
                model=run.model.name,
                first=first,
                pump=pump,
                on_error=lambda exc: translate(exc, state, app),
                finish=_stream_finish(chat, run, meter),
                finish_reason=lambda: "length" if meter.cut else "stop",
            )
            return StreamingResponse(
                events,
                media_type="text/event-stream",
                headers={**headers, "cache-control": "no-cache", "x-accel-buffering": "no"},
            )
        result = run.result
        assert result is not None
        body = chat_completion(
            id=completion_id(), model=run.model.name, text=result.text,
            usage=usage(meter.prompt_tokens, meter.completion_tokens), extra=_extra(run),
            finish_reason="length" if meter.cut else "stop",
        )  # fmt: skip
        return JSONResponse(body, headers=headers)

    @router.post("/embeddings")
    async def embeddings(request: Request) -> Response:
        app: ApplicationRecord | None = None
        headers: dict[str, str] = {}
        try:
            app, headers = await admitted(request)
            wanted = parse_embeddings(await read_json(request, limit))
            if wanted.model.strip().lower() == AUTO:
                raise invalid_value(
                    "Précisez le modèle de plongements : « auto » n'a pas de sens ici, les "
                    "vecteurs de modèles différents ne sont pas comparables.",
                    param="model",
                )
            model = state.resolve(app, wanted.model)
            vectors = await state.run(_embed, state, app, model, wanted.inputs)
        except Exception as exc:
            return translate(exc, state, app).response(headers)
        tokens = estimate_tokens(wanted.inputs)
        body = embeddings_response(
            model=model, vectors=vectors, as_base64=wanted.base64, prompt_tokens=tokens
        )
        return JSONResponse(body, headers=headers)

    # The knowledge base's search, before the catch-all route below answers everything else.
    add_search_route(router, state, settings, admitted, translate)

    @router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def unknown(path: str, request: Request) -> Response:
        try:  # an address of the API is answered to applications only, at their rate
            _, headers = await admitted(request)
        except Exception as exc:
            return translate(exc, state, None).response()
        error = GatewayError(
            404,
            "unknown_url",
            f"Adresse inconnue ({request.method} /v1/{path[:64]}) : l'API d'Égide sert "
            "/v1/models, /v1/chat/completions et /v1/embeddings.",
        )
        return error.response(headers)

    return router
