"""Wires the agents' portal into the application: middlewares, static files, pages, errors."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from egide.audit import AuditError
from egide.auth import SESSION_COOKIE, Clock, Portal, utc_now
from egide.config import Settings
from egide.models import ModelBackend
from egide.runtime import Runtime
from egide.store.errors import NotFoundError, StoreError
from egide.web.deps import (
    STEP_PATHS,
    CsrfRejected,
    RoleRefused,
    SignInRequired,
    StepRequired,
    clear_session_cookie,
    get_portal,
)
from egide.web.forms import sentence
from egide.web.routes import PORTAL_ROUTERS
from egide.web.security import (
    BodyLimitMiddleware,
    SecurityHeadersMiddleware,
    SlashRedirectMiddleware,
    TrustedProxyMiddleware,
    is_api_path,
)
from egide.web.templating import STATIC_DIR, render
from egide.workspace import Workspace

__all__ = ["install_portal"]

_TITLES = {
    400: "Requête invalide",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    413: "Envoi trop volumineux",
    429: "Trop de requêtes",
    503: "Service indisponible",
}
_MESSAGES = {
    400: "La requête est incomplète ou mal formée. Revenez à la page précédente et réessayez.",
    403: "Vous n'avez pas accès à cette page.",
    404: "La page demandée n'existe pas ou a été déplacée.",
    405: "Cette adresse n'accepte pas ce type de requête.",
    429: "Trop de requêtes : patientez un instant avant de réessayer.",
}
_CSRF = (
    "Le formulaire a expiré ou ne provient pas d'Égide (jeton de sécurité absent ou invalide). "
    "Rechargez la page, puis recommencez."
)
_ROLE = "Votre rôle ne donne pas accès à cette page. Si vous pensez en avoir besoin, adressez-vous à votre administrateur."


def _error_page(request: Request, status: int, message: str | None = None) -> Response:
    title = _TITLES.get(status, "Erreur")
    text = message or _MESSAGES.get(status, "Une erreur s'est produite.")
    context = {"status_code": status, "title": title, "message": text}
    return render(request, "erreur.html", context, status_code=status)


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    had_cookie = SESSION_COOKIE in request.cookies
    response = RedirectResponse("/connexion?fin=expiree" if had_cookie else "/connexion", 303)
    if had_cookie:
        clear_session_cookie(response, request, get_portal(request))
    return response


async def _step_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StepRequired)
    return RedirectResponse(STEP_PATHS[exc.step], 303)


async def _role_refused(request: Request, exc: Exception) -> Response:
    return _error_page(request, 403, _ROLE)


async def _csrf_rejected(request: Request, exc: Exception) -> Response:
    return _error_page(request, 403, _CSRF)


async def _store_error(request: Request, exc: Exception) -> Response:
    # StoreError messages are written for people, in French, and never quote content.
    return _error_page(request, 503, f"Le service est momentanément indisponible : {exc}.")


async def _audit_error(request: Request, exc: Exception) -> Response:
    # Failing closed: what could not be recorded did not happen; the message says what to do.
    return _error_page(
        request,
        503,
        f"Action non effectuée : {exc}. Prévenez votre administrateur ; ce que vous aviez "
        "saisi est conservé.",
    )


async def _not_found(request: Request, exc: Exception) -> Response:
    # Someone else's item answers exactly like a missing one: same status, same words.
    return _error_page(request, 404, sentence(str(exc)))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if is_api_path(request.url.path):
        return await http_exception_handler(request, exc)
    # Our own details are French sentences; Starlette's defaults ("Not Found") are not.
    detail = exc.detail if exc.status_code == 413 else None
    response = _error_page(request, exc.status_code, detail)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if is_api_path(request.url.path):
        return await request_validation_exception_handler(request, exc)
    return _error_page(request, 400)


def install_portal(
    app: FastAPI,
    settings: Settings,
    *,
    clock: Clock = utc_now,
    backends: Mapping[str, ModelBackend] | None = None,
    runtime: Runtime | None = None,
) -> Portal:
    """Add the portal to ``app``; its state is ``app.state.portal`` and ``app.state.workspace``.

    ``backends`` replaces configured model backends by name (tests use it for model servers
    that fail on purpose); every request still goes through the whole pipeline. ``runtime``
    holds the process's store and audit log (:func:`egide.runtime.open_runtime`).
    """
    store, audit = (runtime.store, runtime.audit) if runtime is not None else (None, None)
    portal = Portal(settings, clock=clock, store=store, audit=audit)
    app.state.portal = portal
    workspace = Workspace(
        settings,
        lambda: portal.store,
        audit=lambda: portal.audit,
        backends=backends,
        jobs=(lambda: runtime.jobs) if runtime is not None else None,
    )
    if runtime is not None:
        runtime.attach_workspace(workspace)  # jobs run in this process use it (SQLite)
    app.state.workspace = workspace
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in PORTAL_ROUTERS:
        app.include_router(router)
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(StepRequired, _step_required)
    app.add_exception_handler(RoleRefused, _role_refused)
    app.add_exception_handler(CsrfRejected, _csrf_rejected)
    app.add_exception_handler(StoreError, _store_error)
    app.add_exception_handler(NotFoundError, _not_found)
    app.add_exception_handler(AuditError, _audit_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    # Starlette's trailing-slash redirect writes the Host header into its Location: ours
    # answers with the path alone.
    app.router.redirect_slashes = False
    app.add_middleware(SlashRedirectMiddleware, router=app.router)
    # Added last, so outermost: even the 413 and 500 answers carry the security headers.
    app.add_middleware(BodyLimitMiddleware, limit=settings.portal.max_upload_bytes)
    app.add_middleware(SecurityHeadersMiddleware, behind_tls=settings.portal.behind_tls)
    if settings.portal.trusted_proxies:
        # Outermost of all: the client's address and scheme are settled before anything reads
        # them (lockout, audit, secure cookies, HSTS).
        app.add_middleware(TrustedProxyMiddleware, networks=settings.portal.trusted_proxies)
    return portal
