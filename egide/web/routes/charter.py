"""``/charte``: the charter, to accept at first sign-in and at each new version, then to reread."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from starlette.responses import Response

from egide.auth import Step
from egide.web.deps import Auth, OptionalAuth, PortalDep, SignedIn, portal_router
from egide.web.routes.signin import NEXT_PATH, redirect
from egide.web.templating import render

__all__ = ["router"]

router = portal_router()


def _charter_page(
    request: Request,
    portal: PortalDep,
    auth: Auth | None,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    charter = portal.charter()
    step = portal.next_step(auth.state, auth.user) if auth is not None else None
    if auth is not None and step is None:
        request.state.fully_signed_in = True
    accepted = portal.book.acceptances(auth.user.id) if auth is not None else []
    accepted_at = None
    for version, _, when in accepted:
        if version == charter.version:
            accepted_at = when
    context = {
        "charter": charter,
        "error": error,
        "must_accept": step is Step.CHARTER,
        "accepted_at": accepted_at,
        "renewed": step is Step.CHARTER and bool(accepted),
    }
    return render(request, "charte.html", context, status_code=status_code)


@router.get("/charte")
def charter_page(request: Request, auth: OptionalAuth, portal: PortalDep) -> Response:
    """Anyone may read the charter; a signed-in user in the middle of sign-in goes on first."""
    if auth is not None:
        step = portal.next_step(auth.state, auth.user)
        if step is not None and step is not Step.CHARTER:
            return redirect(NEXT_PATH)
    return _charter_page(request, portal, auth)


@router.post("/charte")
def accept_charter(
    request: Request,
    auth: SignedIn,
    portal: PortalDep,
    accept: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    step = portal.next_step(auth.state, auth.user)
    if step is not Step.CHARTER:
        return redirect(NEXT_PATH)
    if accept != "oui":
        return _charter_page(
            request,
            portal,
            auth,
            error="Cochez « J'ai lu et j'accepte la charte » pour continuer.",
            status_code=400,
        )
    portal.accept_charter(auth.user)
    return redirect(NEXT_PATH)
