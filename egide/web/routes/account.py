"""``/compte`` (« Mon compte »): who I am in Égide, my password, my recovery codes, my sessions.

The changes ask for the current password (:mod:`egide.auth.own_account`); each one answers with
a redirect (post/redirect/get), so that reloading the page repeats nothing. New recovery codes
are shown once, by the page that shows them after enrolment.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from starlette.responses import Response

from egide.auth import Portal
from egide.auth.own_account import BY_PROVIDER, WRONG_CURRENT_PASSWORD
from egide.auth.passwords import MIN_LENGTH
from egide.web.deps import Auth, CurrentUser, PortalDep, SignedIn, client_address, portal_router
from egide.web.forms import redirect
from egide.web.routes.signin import failure_status
from egide.web.templating import render

__all__ = ["router"]

router = portal_router()

_MAX_FIELD = 1024
CODES_PAGE = "/connexion/codes-de-secours?suite=compte"
PASSWORD_CHANGED = (
    "Votre mot de passe est changé. Vos autres sessions, sur vos autres appareils, sont fermées."
)


def _account_page(
    request: Request,
    portal: Portal,
    auth: Auth,
    *,
    password_error: str | None = None,
    password_field: str = "mot-de-passe-actuel",
    codes_error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    user = auth.user
    notice = portal.sessions.take_notice(auth.state, "/compte") if status_code == 200 else None
    context = {
        "user": user,
        "by_provider": auth.state.by_provider,
        "by_provider_text": BY_PROVIDER,
        "codes_left": portal.credentials.recovery_codes_left(user.id),
        "sessions": portal.sessions.count(user.id),
        "message": (notice or {}).get("message"),
        "password_error": password_error,
        "password_field": password_field,
        "codes_error": codes_error,
        "min_length": MIN_LENGTH,
    }
    return render(request, "compte.html", context, status_code=status_code, headers=headers)


@router.get("/compte")
def account(request: Request, user: CurrentUser, auth: SignedIn, portal: PortalDep) -> Response:
    return _account_page(request, portal, auth)


@router.post("/compte/mot-de-passe")
def change_password(
    request: Request,
    user: CurrentUser,
    auth: SignedIn,
    portal: PortalDep,
    current_password: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
    new_password: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
    confirmation: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
) -> Response:
    outcome = portal.own_account.change_password(
        auth.state, user, current=current_password, new=new_password,
        confirmation=confirmation, address=client_address(request),
    )  # fmt: skip
    if not outcome.ok:
        status_code, headers = failure_status(outcome)
        # What the agent must fix: the current password, or the new one (too short…).
        about_current = outcome.throttled or outcome.message == WRONG_CURRENT_PASSWORD
        return _account_page(
            request, portal, auth, password_error=outcome.message, status_code=status_code,
            headers=headers,
            password_field="mot-de-passe-actuel" if about_current else "nouveau-mot-de-passe",
        )  # fmt: skip
    portal.sessions.set_notice(auth.state, "/compte", {"message": PASSWORD_CHANGED})
    return redirect("/compte")


@router.post("/compte/codes-de-secours")
def renew_recovery_codes(
    request: Request,
    user: CurrentUser,
    auth: SignedIn,
    portal: PortalDep,
    current_password: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
) -> Response:
    outcome = portal.own_account.renew_recovery_codes(
        auth.state, user, current=current_password, address=client_address(request)
    )
    if not outcome.ok:
        status_code, headers = failure_status(outcome)
        return _account_page(
            request, portal, auth, codes_error=outcome.message, status_code=status_code,
            headers=headers,
        )  # fmt: skip
    return redirect(CODES_PAGE)
