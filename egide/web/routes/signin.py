"""``/connexion``: the sign-in form, where a session stands, and the new-password step."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from starlette.responses import Response

from egide.auth import Outcome, Step
from egide.auth.passwords import MIN_LENGTH
from egide.web.deps import (
    STEP_PATHS,
    OptionalAuth,
    PortalDep,
    SignedIn,
    client_address,
    keep_prelogin_token,
    portal_router,
    prelogin_token,
    set_session_cookie,
)
from egide.web.forms import redirect
from egide.web.templating import render

__all__ = ["NEXT_PATH", "failure_status", "redirect", "router", "steps_router"]

router = portal_router(prelogin=True)
steps_router = portal_router()

NEXT_PATH = "/connexion/suite"
_ENDINGS = {
    "deconnexion": "Vous êtes déconnecté.",
    "partout": "Vous êtes déconnecté de toutes vos sessions, sur tous vos appareils.",
    "expiree": "Votre session a expiré : connectez-vous à nouveau.",
}
_MAX_FIELD = 1024


def failure_status(outcome: Outcome) -> tuple[int, dict[str, str] | None]:
    """429 with Retry-After while attempts are held back, else 400."""
    if outcome.retry_after_s is not None:
        return 429, {"Retry-After": str(max(1, outcome.retry_after_s))}
    return 400, None


def _sign_in_page(
    request: Request,
    portal: PortalDep,
    *,
    error: str | None = None,
    login: str = "",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    prelogin_token(request)
    ending = _ENDINGS.get(request.query_params.get("fin", ""))
    response = render(
        request,
        "connexion.html",
        {
            "error": error,
            "ending": None if error else ending,
            "login": login.strip()[:64],
            "oidc": portal.settings.portal.oidc,
        },
        status_code=status_code,
        headers=headers,
    )
    keep_prelogin_token(response, request, portal)
    return response


@router.get("/connexion")
def sign_in_form(request: Request, portal: PortalDep) -> Response:
    return _sign_in_page(request, portal)


@router.post("/connexion")
def sign_in(
    request: Request,
    portal: PortalDep,
    auth: OptionalAuth,
    login: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
    password: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
) -> Response:
    if not login.strip() or not password:
        return _sign_in_page(
            request, portal, error="Saisissez votre identifiant et votre mot de passe.",
            login=login, status_code=400,
        )  # fmt: skip
    outcome = portal.sign_in(login, password, client_address(request))
    if not outcome.ok or outcome.token is None:
        status_code, headers = failure_status(outcome)
        return _sign_in_page(
            request, portal, error=outcome.message, login=login, status_code=status_code,
            headers=headers,
        )  # fmt: skip
    if auth is not None:
        portal.sign_out(auth.state, auth.user)  # a new sign-in replaces the session of this browser
    response = redirect(NEXT_PATH)
    set_session_cookie(response, request, portal, outcome.token)
    return response


@steps_router.get(NEXT_PATH)
def next_step(auth: OptionalAuth, portal: PortalDep) -> Response:
    if auth is None:
        return redirect("/connexion")
    step = portal.next_step(auth.state, auth.user)
    return redirect(STEP_PATHS[step] if step is not None else "/espace")


def _password_page(
    request: Request, *, error: str | None = None, status_code: int = 200
) -> Response:
    return render(
        request,
        "mot_de_passe.html",
        {"error": error, "min_length": MIN_LENGTH},
        status_code=status_code,
    )


@steps_router.get("/connexion/mot-de-passe")
def password_form(request: Request, auth: SignedIn, portal: PortalDep) -> Response:
    if portal.next_step(auth.state, auth.user) is not Step.PASSWORD:
        return redirect(NEXT_PATH)
    return _password_page(request)


@steps_router.post("/connexion/mot-de-passe")
def change_password(
    request: Request,
    auth: SignedIn,
    portal: PortalDep,
    new_password: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
    confirmation: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
) -> Response:
    if portal.next_step(auth.state, auth.user) is not Step.PASSWORD:
        return redirect(NEXT_PATH)
    outcome = portal.change_password(auth.state, auth.user, new_password, confirmation)
    if not outcome.ok:
        return _password_page(request, error=outcome.message, status_code=400)
    return redirect(NEXT_PATH)
