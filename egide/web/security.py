"""Middlewares that hold for every request: trusted proxies, trailing slashes, security
headers, request size limit, last-resort 500.

All are plain ASGI middlewares (no buffering of bodies): the headers are added to the response
start message, whatever produced it — a page, a static file, an error handler, or this module's
own 413 and 500 pages. Nothing here builds an address from the request's ``Host`` header, and
the forwarding headers of a reverse proxy are believed only from ``portal.trusted_proxies``.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import traceback
from collections.abc import Iterable, Sequence

from starlette.exceptions import HTTPException
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from egide.web.templating import render_error_page

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "BodyLimitMiddleware",
    "SecurityHeadersMiddleware",
    "SlashRedirectMiddleware",
    "TrustedProxyMiddleware",
    "is_api_path",
    "security_headers",
]

_log = logging.getLogger("egide.web")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=()"
)
_HSTS = "max-age=31536000; includeSubDomains"
# Paths whose answers are JSON for programs, not pages for people.
_API_PREFIXES = ("/v1", "/api/")


def security_headers(*, tls: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"referrer-policy", b"no-referrer"),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"permissions-policy", _PERMISSIONS_POLICY.encode()),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if tls:
        headers.append((b"strict-transport-security", _HSTS.encode()))
    return headers


def is_api_path(path: str) -> bool:
    return path == "/v1" or path.startswith(_API_PREFIXES)


async def _send_page(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _send_error(send: Send, path: str, status: int, title: str, message: str) -> None:
    if is_api_path(path):
        body = json.dumps({"error": {"message": message}}, ensure_ascii=False).encode()
        await _send_page(send, status, body, b"application/json")
    else:
        body = render_error_page(status, title, message)
        await _send_page(send, status, body, b"text/html; charset=utf-8")


def _merge(existing: Iterable[tuple[bytes, bytes]], added: list[tuple[bytes, bytes]]) -> list:
    names = {name for name, _ in added}
    return [(n, v) for n, v in existing if n.lower() not in names] + added


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response; HSTS only when served over TLS."""

    def __init__(self, app: ASGIApp, *, behind_tls: bool) -> None:
        self.app = app
        self.behind_tls = behind_tls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tls = self.behind_tls or scope.get("scheme") == "https"
        added = security_headers(tls=tls)
        path = scope.get("path", "")
        # Pages may show personal data: no copy in a shared cache nor in the browser's history.
        no_store = not path.startswith("/static/")
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = _merge(message.get("headers", []), added)
                if no_store and not any(n.lower() == b"cache-control" for n, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            if started:
                raise
            # The frames only: the message of an unexpected error might quote content.
            _log.error(
                "erreur interne (%s) :\n%s",
                type(exc).__name__,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            await _send_error(
                send_with_headers,
                path,
                500,
                "Erreur interne",
                "Une erreur inattendue s'est produite ; rien n'a été perdu de ce qui était déjà "
                "enregistré. Réessayez dans un instant ; si le problème persiste, prévenez votre "
                "administrateur.",
            )


class _TooLarge(HTTPException):
    """Raised from ``receive``: FastAPI lets an HTTPException from a middleware through."""

    def __init__(self, message: str) -> None:
        super().__init__(status_code=413, detail=message)


class BodyLimitMiddleware:
    """Refuses requests larger than ``limit`` bytes with a French 413 page.

    The declared length is checked first; a body sent without one (chunked) is counted as it
    arrives. ``/v1`` keeps its own, JSON-speaking limit (``api.max_body_bytes``).
    """

    def __init__(self, app: ASGIApp, *, limit: int, exempt_prefixes: tuple[str, ...] = ("/v1",)):
        self.app = app
        self.limit = limit
        self.exempt_prefixes = exempt_prefixes

    def _message(self) -> str:
        megabytes = self.limit / (1024 * 1024)
        size = f"{megabytes:.0f} Mo" if megabytes >= 1 else f"{self.limit // 1024} Ko"
        return (
            f"L'envoi dépasse la taille maximale autorisée ({size}). Réduisez la taille du "
            "document ou découpez-le, puis réessayez."
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(self.exempt_prefixes):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _send_error(send, path, 413, "Envoi trop volumineux", self._message())
                return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge(self._message())
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if started:
                raise
            await _send_error(send, path, 413, "Envoi trop volumineux", self._message())


_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


class TrustedProxyMiddleware:
    """The client's address and scheme as a *configured* reverse proxy reports them.

    Only when the connection comes from one of ``networks`` are ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` read; the client is then the right-most address of the chain that is
    not itself a trusted proxy (each proxy appends what it saw; what the client wrote comes
    first and is worth nothing). From anyone else the headers are ignored, so that nobody can
    pick the address the lockout counts and the audit trail records.
    """

    def __init__(self, app: ASGIApp, *, networks: Sequence[str]) -> None:
        self.app = app
        self.networks: tuple[_Network, ...] = tuple(ipaddress.ip_network(n) for n in networks)

    def _trusted(self, value: str | None) -> bool:
        address = _address(value) if value else None
        return address is not None and any(address in net for net in self.networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and client and self._trusted(client[0]):
            scope = dict(scope)
            forwarded_for: list[str] = []
            for name, value in scope.get("headers", []):
                if name == b"x-forwarded-for":
                    forwarded_for += value.decode("latin-1").split(",")
                elif name == b"x-forwarded-proto":
                    proto = value.decode("latin-1").strip().lower()
                    if proto in ("http", "https"):
                        scope["scheme"] = (
                            proto if scope["type"] == "http" else proto.replace("http", "ws")
                        )
            for hop in reversed([hop.strip() for hop in forwarded_for if hop.strip()]):
                if not self._trusted(hop):
                    address = _address(hop)
                    if address is not None:
                        scope["client"] = (str(address), 0)
                    break
        await self.app(scope, receive, send)


class SlashRedirectMiddleware:
    """``/espace/`` → ``/espace``, with a *relative* ``Location``.

    Starlette's own redirect rebuilds an absolute address from the ``Host`` header, which
    anyone can write: a shared cache or a link could then send people elsewhere. Here the
    redirect names the path only, and only when that path is a route of ``router``.
    """

    def __init__(self, app: ASGIApp, *, router: Router) -> None:
        self.app = app
        self.router = router

    def _target(self, scope: Scope) -> str | None:
        path: str = scope.get("path", "")
        stripped = path.rstrip("/")
        if scope["type"] != "http" or path == "/" or not path.endswith("/") or not stripped:
            return None
        if stripped.startswith("//") or "\\" in stripped:
            return None  # "//host" would be read by a browser as another site
        candidate = {**scope, "path": stripped}
        if not any(route.matches(candidate)[0] is not Match.NONE for route in self.router.routes):
            return None
        query = scope.get("query_string", b"").decode("latin-1")
        return stripped + (f"?{query}" if query else "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        target = self._target(scope)
        if target is None:
            await self.app(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 307,
                "headers": [
                    (b"location", target.encode("latin-1")),
                    (b"content-length", b"0"),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})
