"""``/deconnexion`` and ``/deconnexion-partout``: end this session, or every session of the user.

Ending one's own session needs only that session; ending the others needs both factors: a
password alone (perhaps a stolen one) must not sign its owner out of every device.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from egide.web.deps import BothFactors, PortalDep, SignedIn, clear_session_cookie, portal_router
from egide.web.routes.signin import redirect

__all__ = ["router"]

router = portal_router()


@router.post("/deconnexion")
def sign_out(request: Request, auth: SignedIn, portal: PortalDep) -> Response:
    portal.sign_out(auth.state, auth.user)
    response = redirect("/connexion?fin=deconnexion")
    clear_session_cookie(response, request, portal)
    return response


@router.post("/deconnexion-partout")
def sign_out_everywhere(request: Request, auth: BothFactors, portal: PortalDep) -> Response:
    portal.sign_out_everywhere(auth.user)
    response = redirect("/connexion?fin=partout")
    clear_session_cookie(response, request, portal)
    return response
