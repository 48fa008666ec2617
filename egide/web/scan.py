"""``POST /api/guard/scan``: what the guard finds in a text, for a known caller only.

The analysis costs CPU in proportion to the text (tens of seconds for a million characters),
and its answers tell how the detector decides: it is answered only to an agent signed in to the
portal (with the session's CSRF token, like every POST of the portal) or to an application
holding a token of the gateway, within ``api.scan_per_minute`` analyses per caller, for a text
of at most ``api.scan_max_chars`` characters. Scans run on a few threads of their own, so that
they queue among themselves instead of taking the threads that serve the portal's pages, and
never on the event loop. Errors have the gateway's JSON form, in French.
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from egide.api import Gateway
from egide.api.body import read_json
from egide.api.errors import GatewayError, invalid_value
from egide.api.limits import Limiter, RateLimiter
from egide.api.routes import translate
from egide.auth import Portal
from egide.guard import Guard, ScanResult, shared_guard
from egide.guard.labels import label_fr
from egide.web.deps import (
    CsrfRejected,
    OptionalAuth,
    PortalDep,
    SignInRequired,
    StepRequired,
    check_session_csrf,
    current_user,
)

__all__ = ["SCAN_PATH", "scan_router"]

SCAN_PATH = "/api/guard/scan"
# The guard holds the interpreter while it works: more threads would not scan faster.
_THREADS = 2
# A character may take up to six bytes in JSON ("\u00e9"); the rest of the object is small.
_BYTES_PER_CHAR = 6
_ENVELOPE_BYTES = 4096

_SIGN_IN = (
    "Analyse réservée aux agents connectés au portail et aux applications munies d'un jeton : "
    "connectez-vous, ou envoyez l'en-tête « Authorization: Bearer egd_… »."
)
_CSRF = (
    "Jeton de sécurité du formulaire absent ou invalide : envoyez celui de votre session dans "
    "l'en-tête « X-CSRF-Token »."
)


def _count(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def _too_long(length: int, limit: int) -> GatewayError:
    return GatewayError(
        413,
        "text_too_long",
        f"Le texte à analyser compte {_count(length)} caractères, au-delà de la limite de "
        f"{_count(limit)} : découpez-le et analysez chaque partie séparément.",
    )


def _answer(result: ScanResult) -> dict[str, Any]:
    return {
        "level": result.level.key,
        "level_fr": result.level.label_fr,
        "reasons": [
            {"category": r.category, "label_fr": r.label_fr, "count": r.count,
             "level": r.level.key}
            for r in result.reasons
        ],
        "spans": [
            {"start": f.start, "end": f.end, "label": f.label, "label_fr": label_fr(f.label),
             "score": round(f.score, 4)}
            # Offsets into the text as the caller sent it, disguises included.
            for f in result.findings_in_source()
        ],
    }  # fmt: skip


class _Scanner:
    def __init__(
        self, gateway: Gateway, *, per_minute: int, max_chars: int, limiter: Limiter | None
    ) -> None:
        self.gateway = gateway
        self.per_minute = per_minute
        self.max_chars = max_chars
        self.limiter: Limiter = limiter or RateLimiter()
        self.executor = ThreadPoolExecutor(max_workers=_THREADS, thread_name_prefix="egide-scan")

    async def caller(self, request: Request, auth: OptionalAuth, portal: Portal) -> str:
        """Who is asking: an application (by its token) or a fully signed-in agent."""
        authorization = request.headers.get("authorization")
        if authorization is not None:
            app = await self.gateway.run(self.gateway.authenticate, authorization)
            return f"app:{app.id}"
        try:
            if auth is None:
                raise SignInRequired("expiree")
            # The portal's own rule (every sign-in step done), answered in JSON here; it reads
            # the store, hence off the event loop.
            user = await run_in_threadpool(current_user, request, auth, portal)
            await check_session_csrf(request, auth)
        except (SignInRequired, StepRequired):
            raise GatewayError(401, "sign_in_required", _SIGN_IN) from None
        except CsrfRejected:
            raise GatewayError(403, "csrf_rejected", _CSRF) from None
        return f"user:{user.id}"

    def admit(self, caller: str) -> dict[str, str]:
        allowed, state = self.limiter.hit(caller, self.per_minute)
        if not allowed:
            retry = max(1, round(state.retry_after_s + 0.5))
            raise GatewayError(
                429,
                "rate_limit_exceeded",
                f"Limite de {self.per_minute} analyses par minute atteinte : réessayez dans "
                f"{retry} s.",
                type="requests",
                headers={**state.headers(), "retry-after": str(retry)},
            )
        return state.headers()

    async def text(self, request: Request) -> str:
        body = await read_json(request, self.max_chars * _BYTES_PER_CHAR + _ENVELOPE_BYTES)
        text = body.get("text")
        if not isinstance(text, str):
            raise invalid_value(
                "Paramètre « text » : une chaîne de caractères est attendue.", param="text"
            )
        if len(text) > self.max_chars:
            raise _too_long(len(text), self.max_chars)
        return text

    async def scan(self, text: str) -> ScanResult:
        guard: Guard = shared_guard()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(guard.scan, text))


def scan_router(
    gateway: Gateway, *, per_minute: int, max_chars: int, limiter: Limiter | None = None
) -> APIRouter:
    """The analysis route, for ``app.include_router`` in :func:`egide.web.app.create_app`;
    ``limiter`` counts the callers' windows (shared by every process when over the store)."""
    scanner = _Scanner(gateway, per_minute=per_minute, max_chars=max_chars, limiter=limiter)
    router = APIRouter(tags=["Analyse"])

    @router.post(SCAN_PATH)
    async def scan(request: Request, auth: OptionalAuth, portal: PortalDep) -> Response:
        headers: dict[str, str] = {}
        try:
            caller = await scanner.caller(request, auth, portal)
            headers = scanner.admit(caller)
            result = await scanner.scan(await scanner.text(request))
        except Exception as exc:
            return translate(exc, gateway, None).response(headers)
        return JSONResponse(_answer(result), headers=headers)

    return router
