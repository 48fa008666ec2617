"""The portal's dependencies: the session, the current user, roles, CSRF — one line per route.

    @router.get("/admin/utilisateurs")
    def users(admin: Annotated[User, Depends(require_role(Role.ADMINISTRATEUR))]) -> ...

A route that needs a signed-in user takes :data:`CurrentUser`; one that needs a role takes
``require_role(...)``; a router whose routes change anything is created by
:func:`portal_router`, which checks the CSRF token of every POST, PUT, PATCH and DELETE.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from egide.auth import SESSION_COOKIE, Portal, Role, SessionState, Step, User
from egide.workspace import Workspace

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "PRELOGIN_COOKIE",
    "STEP_PATHS",
    "Auth",
    "BothFactors",
    "CsrfRejected",
    "CurrentUser",
    "OptionalAuth",
    "PortalDep",
    "RoleRefused",
    "SignInRequired",
    "SignedIn",
    "StepRequired",
    "client_address",
    "clear_session_cookie",
    "current_user",
    "secure_cookies",
    "get_portal",
    "portal_router",
    "keep_prelogin_token",
    "prelogin_token",
    "require_role",
    "set_session_cookie",
    "WorkspaceDep",
]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
# The sign-in form has no session yet: its token is a random value held in this cookie.
PRELOGIN_COOKIE = "egide_csrf"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

STEP_PATHS = {
    Step.TOTP: "/connexion/code",
    Step.PASSWORD: "/connexion/mot-de-passe",
    Step.ENROL: "/connexion/enrolement",
    Step.RECOVERY_CODES: "/connexion/codes-de-secours",
    Step.CHANGES: "/connexion/changements",
    Step.CHARTER: "/charte",
}


class SignInRequired(Exception):
    """No live session: the page answers with the sign-in form (303)."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


class StepRequired(Exception):
    """Signed in, but a step remains (new password, TOTP, charter…): 303 to it."""

    def __init__(self, step: Step) -> None:
        super().__init__(step.value)
        self.step = step


class RoleRefused(Exception):
    """Signed in, but the user's role does not open this page (403)."""


class CsrfRejected(Exception):
    """A state-changing request without the form's token, or with a wrong one (403)."""


@dataclass(frozen=True, slots=True)
class Auth:
    state: SessionState
    user: User


def get_portal(request: Request) -> Portal:
    portal: Portal = request.app.state.portal
    return portal


PortalDep = Annotated[Portal, Depends(get_portal)]


def get_workspace(request: Request) -> Workspace:
    workspace: Workspace = request.app.state.workspace
    return workspace


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


def client_address(request: Request) -> str:
    # The peer of the connection; behind a proxy of portal.trusted_proxies, the client it
    # reports (egide.web.security.TrustedProxyMiddleware) — never a header from anyone else.
    return request.client.host if request.client else "inconnue"


def secure_cookies(request: Request, portal: Portal) -> bool:
    return portal.settings.portal.behind_tls or request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, portal: Portal, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request, portal),
        path="/",
    )


def clear_session_cookie(response: Response, request: Request, portal: Portal) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request, portal),
        path="/",
    )


def prelogin_token(request: Request) -> str:
    """The sign-in form's CSRF token: the browser's cookie, or a new one to set on the page."""
    token = request.cookies.get(PRELOGIN_COOKIE, "")
    if not 32 <= len(token) <= 64:
        token = secrets.token_urlsafe(32)
        request.state.new_prelogin_token = token
    request.state.csrf_token = token
    return token


def keep_prelogin_token(response: Response, request: Request, portal: Portal) -> None:
    """Set the cookie of a token made by :func:`prelogin_token` for this page."""
    token = getattr(request.state, "new_prelogin_token", None)
    if token:
        response.set_cookie(
            PRELOGIN_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=secure_cookies(request, portal),
            path="/connexion",
        )


def optional_auth(request: Request, portal: PortalDep) -> Auth | None:
    """The live session of this request, if any (looked up once per request)."""
    resolved = portal.resolve(request.cookies.get(SESSION_COOKIE))
    auth = Auth(*resolved) if resolved is not None else None
    request.state.auth = auth
    if auth is not None:
        request.state.csrf_token = auth.state.csrf_token
    return auth


OptionalAuth = Annotated[Auth | None, Depends(optional_auth)]


def signed_in(auth: OptionalAuth) -> Auth:
    """A session whose password was checked, whatever steps remain."""
    if auth is None:
        raise SignInRequired("expiree")
    return auth


SignedIn = Annotated[Auth, Depends(signed_in)]


def both_factors(auth: SignedIn, portal: PortalDep) -> Auth:
    """A session whose second factor was given (or vouched for by the provider), whatever
    steps remain: what acting on the account's other sessions requires, since a password
    alone — perhaps a stolen one — must not reach beyond its own half-open session."""
    if not auth.state.second_factor_done:
        raise StepRequired(portal.next_step(auth.state, auth.user) or Step.TOTP)
    return auth


BothFactors = Annotated[Auth, Depends(both_factors)]


def current_user(request: Request, auth: SignedIn, portal: PortalDep) -> User:
    """The user, once every sign-in step is done (second factor, charter…)."""
    step = portal.next_step(auth.state, auth.user)
    if step is not None:
        raise StepRequired(step)
    request.state.fully_signed_in = True
    return auth.user


CurrentUser = Annotated[User, Depends(current_user)]


def require_role(*roles: Role) -> Callable[..., User]:
    """A dependency that lets through the signed-in users holding one of ``roles``."""
    allowed = frozenset(Role(role) for role in roles)

    def dependency(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise RoleRefused()
        return user

    return dependency


async def _submitted_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def _same(submitted: str, expected: str) -> bool:
    return bool(submitted and expected) and hmac.compare_digest(
        submitted.encode("utf-8"), expected.encode("utf-8")
    )


async def check_session_csrf(request: Request, auth: OptionalAuth) -> None:
    """Synchronizer token: a state-changing request must carry its session's token."""
    if request.method not in _UNSAFE:
        return
    if auth is None:
        # Nothing to protect without a session; the route would answer "sign in" anyway.
        raise SignInRequired("expiree")
    if not _same(await _submitted_token(request), auth.state.csrf_token):
        raise CsrfRejected()


async def check_prelogin_csrf(request: Request) -> None:
    """The sign-in form's token must match its cookie (double submit, SameSite=Strict)."""
    if request.method not in _UNSAFE:
        return
    if not _same(await _submitted_token(request), request.cookies.get(PRELOGIN_COOKIE, "")):
        raise CsrfRejected()


def portal_router(*, prelogin: bool = False) -> APIRouter:
    """A router for portal pages: CSRF checked on every state-changing request."""
    check = check_prelogin_csrf if prelogin else check_session_csrf
    return APIRouter(dependencies=[Depends(check)], include_in_schema=False)
