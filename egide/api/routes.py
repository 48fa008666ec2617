"""``/v1``: chat completions (streamed or not), models and embeddings, as OpenAI serves them.

Order of the checks, each with its own answer: token (401), requests per minute (429), body
size (413), JSON and parameters (400), model within the application's scope (404), daily
quotas (429), then the pipeline: the charter's decision (403 ``policy_refused``), the model
(502, 504) and the audit trail (503). Nothing of a request's content is ever logged.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from egide.api.errors import (
    GatewayError,
    audit_unavailable,
    body_too_large,
    internal_error,
    invalid_value,
    model_error,
    model_not_found,
    policy_refused,
    store_unavailable,
)
from egide.api.gateway import Gateway
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
from egide.api.streaming import END, ChunkPump, stream_events
from egide.assistant import AssistantRequest, PolicyRefused, Run
from egide.audit import AuditError
from egide.config import Settings
from egide.guard import GuardInputError
from egide.models import Message, ModelError, ModelTimeout
from egide.models.base import EmbeddingBackend
from egide.policy.decide import AUTO
from egide.store.applications import ApplicationRecord
from egide.store.errors import StoreError

__all__ = ["gateway_router"]

_log = logging.getLogger("egide.api")
# A client that sends far more than allowed is cut off instead of being read to the end.
_DRAIN_FACTOR = 16


async def read_body(request: Request, limit: int) -> bytes:
    """The body, or 413 past ``limit`` bytes (read to the end, so that the client sees 413)."""
    declared = request.headers.get("content-length", "")
    too_large = declared.isdigit() and int(declared) > limit
    pieces: list[bytes] = []
    size = 0
    async for piece in request.stream():
        size += len(piece)
        if size > limit:
            too_large = True
            if size > limit * _DRAIN_FACTOR:
                break
        if not too_large:
            pieces.append(piece)
    if too_large:
        raise body_too_large(limit)
    return b"".join(pieces)


def translate(exc: BaseException, gateway: Gateway, app: ApplicationRecord | None) -> GatewayError:
    """The OpenAI-style answer for a failure of the pipeline (French messages, no content)."""
    if isinstance(exc, GatewayError):
        return exc
    if isinstance(exc, PolicyRefused):
        detail = gateway.refusal_detail(app, exc.decision.level) if app else ""
        return policy_refused(str(exc) + detail)
    if isinstance(exc, AuditError):
        return audit_unavailable(str(exc))
    if isinstance(exc, ModelError):
        return model_error(str(exc), timeout=isinstance(exc, ModelTimeout))
    if isinstance(exc, StoreError):
        return store_unavailable(str(exc))
    if isinstance(exc, GuardInputError):
        return invalid_value(str(exc), param="messages")
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


def _start(
    gateway: Gateway, app: ApplicationRecord, chat: ChatRequest, model: str
) -> tuple[Run, Iterator[str], object]:
    """Quotas, pipeline up to the model, and the first chunk (or the whole answer)."""
    gateway.count_request(app)
    options: dict[str, Any] = {}
    if chat.max_tokens is not None:
        options["max_tokens"] = chat.max_tokens
    if chat.temperature is not None:
        options["temperature"] = chat.temperature
    request = AssistantRequest(
        user=app.user, task="gateway_chat", model=model, messages=chat.messages, options=options
    )
    run = gateway.assistant_for(app).start(request)
    chunks = run.chunks()
    if not chat.stream:
        for _ in chunks:
            pass
        return run, chunks, END
    # Drawn before answering, so that a model that fails at once gets its HTTP status.
    return run, chunks, next(chunks, END)


def _embed(gateway: Gateway, app: ApplicationRecord, model: str, inputs: tuple[str, ...]) -> Any:
    if not isinstance(gateway.backend(model), EmbeddingBackend):
        raise invalid_value(
            f"Le modèle « {model} » ne calcule pas de plongements (embeddings).",
            param="model",
            code="embeddings_not_supported",
        )
    gateway.count_request(app)
    request = AssistantRequest(
        user=app.user,
        task="embeddings",
        model=model,
        messages=tuple(Message("user", text) for text in inputs),
    )
    return gateway.assistant_for(app).embed(request)


def _stream_finish(
    gateway: Gateway, app: ApplicationRecord, chat: ChatRequest, run: Run
) -> Callable[[str], tuple[dict[str, Any], dict[str, int] | None]]:
    def finish(text: str) -> tuple[dict[str, Any], dict[str, int] | None]:
        prompt = estimate_tokens([m.content for m in chat.messages])
        completion = estimate_tokens([text])
        _count_later(gateway, app, prompt + completion)
        return _extra(run), usage(prompt, completion) if chat.include_usage else None

    return finish


def _count_later(gateway: Gateway, app: ApplicationRecord, tokens: int) -> None:
    def counted(future: concurrent.futures.Future[None]) -> None:
        if future.exception() is not None:
            _log.warning("jetons non comptés pour une application (base indisponible)")

    gateway.executor.submit(gateway.count_tokens, app, tokens).add_done_callback(counted)


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
        rate = state.limit_rate(app)
        return app, rate.headers() if rate else {}

    @router.get("/models")
    async def list_models(request: Request) -> Response:
        try:
            app = await state.run(state.authenticate, request.headers.get("authorization"))
        except Exception as exc:
            return translate(exc, state, None).response()
        models = [_model_object(AUTO, "auto", app.max_level.key)]
        models += [
            _model_object(m.name, m.tier.value, m.effective_max_sensitivity.key)
            for m in state.scope(app)
        ]
        return JSONResponse({"object": "list", "data": models})

    @router.get("/models/{model_id:path}")
    async def retrieve_model(model_id: str, request: Request) -> Response:
        try:
            app = await state.run(state.authenticate, request.headers.get("authorization"))
            for m in state.scope(app):
                if m.name == model_id:
                    level = m.effective_max_sensitivity.key
                    return JSONResponse(_model_object(m.name, m.tier.value, level))
            raise model_not_found(model_id)
        except Exception as exc:
            return translate(exc, state, None).response()

    @router.post("/chat/completions")
    async def chat_completions(request: Request) -> Response:
        app: ApplicationRecord | None = None
        headers: dict[str, str] = {}
        try:
            app, headers = await admitted(request)
            chat = parse_chat(await read_body(request, limit))
            model = state.resolve(app, chat.model)
            run, chunks, first = await state.run(_start, state, app, chat, model)
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
                finish=_stream_finish(state, app, chat, run),
            )
            return StreamingResponse(
                events,
                media_type="text/event-stream",
                headers={**headers, "cache-control": "no-cache", "x-accel-buffering": "no"},
            )
        result = run.result
        assert result is not None
        prompt = estimate_tokens([m.content for m in chat.messages])
        completion = estimate_tokens([result.text])
        _count_later(state, app, prompt + completion)
        body = chat_completion(
            id=completion_id(), model=run.model.name, text=result.text,
            usage=usage(prompt, completion), extra=_extra(run),
        )  # fmt: skip
        return JSONResponse(body, headers=headers)

    @router.post("/embeddings")
    async def embeddings(request: Request) -> Response:
        app: ApplicationRecord | None = None
        headers: dict[str, str] = {}
        try:
            app, headers = await admitted(request)
            wanted = parse_embeddings(await read_body(request, limit))
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
        _count_later(state, app, tokens)
        body = embeddings_response(
            model=model, vectors=vectors, as_base64=wanted.base64, prompt_tokens=tokens
        )
        return JSONResponse(body, headers=headers)

    @router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def unknown(path: str, request: Request) -> Response:
        error = GatewayError(
            404,
            "unknown_url",
            f"Adresse inconnue ({request.method} /v1/{path[:64]}) : l'API d'Égide sert "
            "/v1/models, /v1/chat/completions et /v1/embeddings.",
        )
        return error.response()

    return router
