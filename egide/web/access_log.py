"""One log line per answered request, and its request id: the route's template, never the path.

A path holds what a client typed (``/v1/models/Amélie ROUSSEAU``, a file name, a query string
with an address): the line names the route that answered (``/v1/models/{model_id:path}``), or
``autre`` for a path no route knows. Neither the body, nor the query, nor a header other than a
safe ``X-Request-ID`` is read. The request id is echoed in the answer, so that an agent's or an
application's report can be matched with the service's logs.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from egide.logs import REQUEST_ID, request_id_from

__all__ = ["ADMITTED_ROUTES", "AccessLogMiddleware", "Answered", "route_template"]

_log = logging.getLogger("egide.access")
_HEADER = b"x-request-id"
# The pipeline's routes, answered before routing when the process is full (503) or a body is
# too large: named even then, being fixed strings that the client did not choose.
ADMITTED_ROUTES = frozenset({"/v1/chat/completions", "/v1/embeddings", "/api/guard/scan"})
# Told of every answer: (route template, method, status, seconds to the last byte).
Answered = Callable[[str, str, int, float], None]


def route_template(scope: Scope) -> str:
    """The template of the route that answered, one of :data:`ADMITTED_ROUTES` when the
    answer came before routing, or ``autre``."""
    template = getattr(scope.get("route"), "path", None)
    if template:
        return str(template)
    path = str(scope.get("path", ""))
    return path if path in ADMITTED_ROUTES else "autre"


class AccessLogMiddleware:
    """The outermost layer: the request id first, then, once the answer's last byte is sent,
    one log line and the ``observers`` (the metrics), all under the route's template."""

    def __init__(
        self, app: ASGIApp, *, enabled: bool = True, observers: Sequence[Answered] = ()
    ) -> None:
        self.app = app
        self.enabled = enabled
        self.observers = tuple(observers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope.get("headers", ()) if k.lower() == _HEADER), None)
        request_id = request_id_from(given.decode("latin-1") if given is not None else None)
        token = REQUEST_ID.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != _HEADER]
                headers.append((_HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = route_template(scope)
            method = str(scope.get("method", ""))
            seconds = time.perf_counter() - started
            for observer in self.observers:
                with contextlib.suppress(Exception):  # a figure lost, never an answer
                    observer(route, method, status, seconds)
            if self.enabled:
                app_id = scope.get("state", {}).get("app_id")
                _log.log(
                    logging.WARNING if status >= 500 else logging.INFO,
                    "%s %s %s",
                    method,
                    route,
                    status,
                    extra={
                        "method": method,
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 1),
                        "app_id": app_id,
                    },
                )
            REQUEST_ID.reset(token)
