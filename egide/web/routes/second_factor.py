"""The second factor: TOTP enrolment, TOTP or recovery code, recovery codes shown once."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import Form, Request
from starlette.responses import Response

from egide.auth import Step, totp
from egide.auth.recovery import CODE_COUNT
from egide.web.deps import (
    Auth,
    PortalDep,
    SignedIn,
    client_address,
    portal_router,
    set_session_cookie,
)
from egide.web.routes.signin import NEXT_PATH, failure_status, redirect
from egide.web.templating import SERVICE_NAME, date_fr, render

__all__ = ["router"]

router = portal_router()
_MAX_CODE = 64


def _enrolment_page(
    request: Request,
    portal: PortalDep,
    auth: Auth,
    *,
    error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    secret = portal.enrolment_secret(auth.state)
    uri = totp.provisioning_uri(secret, auth.user.login)
    context = {
        "error": error,
        "qr_svg": totp.qr_svg(uri),
        "manual_key": totp.format_secret(secret),
        "issuer": totp.ISSUER,
        "login": auth.user.login,
    }
    return render(
        request, "enrolement_totp.html", context, status_code=status_code, headers=headers
    )


@router.get("/connexion/enrolement")
def enrolment_form(request: Request, auth: SignedIn, portal: PortalDep) -> Response:
    if portal.next_step(auth.state, auth.user) is not Step.ENROL:
        return redirect(NEXT_PATH)
    return _enrolment_page(request, portal, auth)


@router.post("/connexion/enrolement")
def finish_enrolment(
    request: Request,
    auth: SignedIn,
    portal: PortalDep,
    code: Annotated[str, Form(max_length=_MAX_CODE)] = "",
) -> Response:
    if portal.next_step(auth.state, auth.user) is not Step.ENROL:
        return redirect(NEXT_PATH)
    outcome = portal.finish_enrolment(auth.state, auth.user, code, client_address(request))
    if not outcome.ok or outcome.token is None:
        status_code, headers = failure_status(outcome)
        return _enrolment_page(
            request, portal, auth, error=outcome.message, status_code=status_code,
            headers=headers,
        )  # fmt: skip
    response = redirect("/connexion/codes-de-secours")
    set_session_cookie(response, request, portal, outcome.token)
    return response


def _code_page(
    request: Request,
    *,
    error: str | None = None,
    recovery_error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "code_totp.html",
        {"error": error, "recovery_error": recovery_error},
        status_code=status_code,
        headers=headers,
    )


@router.get("/connexion/code")
def code_form(request: Request, auth: SignedIn, portal: PortalDep) -> Response:
    if portal.next_step(auth.state, auth.user) is not Step.TOTP:
        return redirect(NEXT_PATH)
    return _code_page(request)


@router.post("/connexion/code")
def check_code(
    request: Request,
    auth: SignedIn,
    portal: PortalDep,
    code: Annotated[str, Form(max_length=_MAX_CODE)] = "",
) -> Response:
    if portal.next_step(auth.state, auth.user) is not Step.TOTP:
        return redirect(NEXT_PATH)
    outcome = portal.verify_code(auth.state, auth.user, code, client_address(request))
    if not outcome.ok or outcome.token is None:
        status_code, headers = failure_status(outcome)
        return _code_page(request, error=outcome.message, status_code=status_code, headers=headers)
    response = redirect(NEXT_PATH)
    set_session_cookie(response, request, portal, outcome.token)
    return response


@router.post("/connexion/code-de-secours")
def check_recovery_code(
    request: Request,
    auth: SignedIn,
    portal: PortalDep,
    recovery_code: Annotated[str, Form(max_length=_MAX_CODE)] = "",
) -> Response:
    if portal.next_step(auth.state, auth.user) is not Step.TOTP:
        return redirect(NEXT_PATH)
    outcome = portal.verify_recovery_code(
        auth.state, auth.user, recovery_code, client_address(request)
    )
    if not outcome.ok or outcome.token is None:
        status_code, headers = failure_status(outcome)
        return _code_page(
            request, recovery_error=outcome.message, status_code=status_code, headers=headers
        )
    response = redirect(NEXT_PATH)
    set_session_cookie(response, request, portal, outcome.token)
    return response


def codes_file(codes: list[str], login: str, made: datetime) -> str:
    """The codes as a text file the agent keeps (downloaded from the page, never stored)."""
    lines = [
        f"Codes de secours {SERVICE_NAME} du compte « {login} », créés le {date_fr(made)}.",
        "Chaque code permet une seule connexion sans votre application d'authentification.",
        "Rangez ce fichier en lieu sûr, à l'écart de votre téléphone.",
        "",
        *(f"{number:2d}. {code}" for number, code in enumerate(codes, start=1)),
        "",
    ]
    return "\r\n".join(lines)


@router.get("/connexion/codes-de-secours")
def recovery_codes(request: Request, auth: SignedIn, portal: PortalDep) -> Response:
    """New codes (enrolment, or « Mon compte »), once: read and wiped in one transaction.

    The page offers to copy, print or download them; the download is a ``data:`` link written
    into this one page, so that nothing keeps the codes after it (and it works without script).
    """
    if not auth.state.second_factor_done:
        return redirect(NEXT_PATH)
    codes = portal.sessions.take_recovery_pending(auth.state)
    from_account = request.query_params.get("suite") == "compte"
    download = None
    if codes:
        text = codes_file(codes, auth.user.shown_login, portal.clock())
        download = "data:text/plain;charset=utf-8," + quote(text)
    return render(
        request,
        "codes_de_secours.html",
        {
            "codes": codes,
            "count": CODE_COUNT,
            "download": download,
            "next_url": "/compte" if from_account else NEXT_PATH,
            "from_account": from_account,
        },
    )
