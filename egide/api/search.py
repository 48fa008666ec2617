"""``POST /v1/search``: search the knowledge base, for business applications.

In the spirit of OpenGateLLM's ``/v1/search``: ``{"prompt", "collections", "k", "method"}`` in,
the best passages out, each with its document and position. An application searches only the
collections granted to it (``egide kb allow-app``); any other name answers like a missing one
(404 ``collection_not_found``). Passages above the application's maximum level (``--max-level``
of ``egide apps add``) are never returned. The route counts against the application's rate and
daily requests like every ``/v1`` route, and each search is audited (ids and counts only).
Nothing reaches a model: the question is encoded by the embedded encoder, in the service.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from egide.api.body import read_json
from egide.api.errors import GatewayError, invalid_value
from egide.api.gateway import Gateway
from egide.config import Settings
from egide.store.applications import ApplicationRecord

__all__ = ["add_search_route"]

_lock = threading.Lock()
_METHODS = ("hybrid", "lexical", "semantic")
_MAX_PROMPT = 4_000
_MAX_K = 50

Admitted = Callable[[Request], Awaitable[tuple[ApplicationRecord, dict[str, str]]]]
Translate = Callable[[BaseException, Gateway, ApplicationRecord | None], GatewayError]


def _not_found(name: str) -> GatewayError:
    shown = name[:64].replace("\n", " ")
    return GatewayError(
        404,
        "collection_not_found",
        f"La collection « {shown} » n'existe pas ou n'est pas ouverte à cette application "
        "(l'administrateur l'ouvre avec « egide kb allow-app »).",
        param="collections",
    )


def _parse(body: dict[str, Any]) -> tuple[str, list[str], int, str]:
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise invalid_value("« prompt » (texte de la recherche) est obligatoire", param="prompt")
    if len(prompt) > _MAX_PROMPT:
        raise invalid_value(f"« prompt » : {_MAX_PROMPT} caractères au plus", param="prompt")
    collections = body.get("collections")
    if (
        not isinstance(collections, list)
        or not collections
        or not all(isinstance(c, str) for c in collections)
        or len(collections) > 20
    ):
        raise invalid_value(
            "« collections » : une liste de 1 à 20 noms de collections", param="collections"
        )
    k = body.get("k", 5)
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= _MAX_K:
        raise invalid_value(f"« k » : un entier de 1 à {_MAX_K}", param="k")
    method = body.get("method", "hybrid")
    if method not in _METHODS:
        raise invalid_value(f"« method » : {', '.join(_METHODS)}", param="method")
    return prompt, list(dict.fromkeys(collections)), k, method


def _search(
    gateway: Gateway, settings: Settings, app: ApplicationRecord, body: dict[str, Any]
) -> dict[str, Any]:
    from egide.knowledge import CollectionNotFound, KnowledgeBase

    prompt, names, k, method = _parse(body)
    kb = _knowledge(gateway, settings, KnowledgeBase)
    granted = kb.repo.granted(app.name)
    collections = []
    for name in names:
        try:
            collection = kb.collection(name)
        except CollectionNotFound:
            raise _not_found(name) from None
        if collection.id not in granted:
            raise _not_found(name)
        collections.append(collection)
    gateway.count_request(app)
    data: list[dict[str, Any]] = []
    for collection in collections:
        result = kb.search(
            collection,
            prompt,
            user=app.user,
            max_level=min(app.max_level, collection.max_level),
            k=k,
            dense=method != "lexical",
        )
        hits = list(result.hits)
        if method == "semantic":
            hits = sorted((h for h in hits if h.dense is not None), key=lambda h: -(h.dense or 0))
        hits = hits[:k]
        passages = kb.passages([h.passage_id for h in hits])
        for hit in hits:
            passage = passages.get(hit.passage_id)
            if passage is None:
                continue
            data.append(
                {
                    "object": "search.result",
                    "method": method,
                    "score": round(hit.score if method != "semantic" else hit.dense or 0.0, 6),
                    "chunk": {
                        "id": passage.id,
                        "content": passage.text,
                        "metadata": {
                            "collection": collection.name,
                            "document_id": passage.document_key,
                            "document_title": passage.document_title,
                            "page": passage.page,
                            "section": passage.heading or None,
                            "position": passage.ordinal + 1,
                            "level": passage.level.key,
                        },
                    },
                }
            )
    data.sort(key=lambda item: -item["score"])
    return {"object": "list", "data": data[:k]}


def _knowledge(gateway: Gateway, settings: Settings, kb_class: Any) -> Any:
    """The process's knowledge base when the composition root gave one to the gateway, else
    one per gateway, over the gateway's store and audit log."""
    if gateway.knowledge is not None:
        return gateway.knowledge()
    with _lock:
        kb = getattr(gateway, "_knowledge", None)
        if kb is None:
            store = gateway.applications._store  # the store the gateway already opened
            kb = kb_class(settings, store, audit=lambda: gateway.audit)
            gateway._knowledge = kb  # type: ignore[attr-defined]
    return kb


def add_search_route(
    router: APIRouter,
    gateway: Gateway,
    settings: Settings,
    admitted: Admitted,
    translate: Translate,
) -> None:
    """Add ``POST /search`` to the gateway's router (before its catch-all route)."""
    limit = settings.api.max_body_bytes

    @router.post("/search")
    async def search(request: Request) -> Response:
        headers: dict[str, str] = {}
        app: ApplicationRecord | None = None
        try:
            app, headers = await admitted(request)
            body = await read_json(request, limit)
            answer = await gateway.run(_search, gateway, settings, app, body)
        except Exception as exc:
            return translate(exc, gateway, app).response(headers)
        return JSONResponse(answer, headers=headers)
