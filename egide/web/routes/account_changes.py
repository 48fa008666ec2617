"""``/connexion/changements``: what changed in the ways into the account, told to its owner.

A reset of the password or of the second factor, a full reset, a provider identity bound to the
account — each by whom and when — is shown at the owner's next sign-in, once both factors are
given, and must be acknowledged before the workspace opens: an administrator's act on an
account never goes unseen by the person it belongs to.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from egide.auth import Step
from egide.web.deps import BothFactors, PortalDep, portal_router
from egide.web.forms import redirect
from egide.web.routes.signin import NEXT_PATH
from egide.web.templating import render

__all__ = ["router"]

router = portal_router()
_PATH = "/connexion/changements"


@router.get(_PATH)
def changes_page(request: Request, auth: BothFactors, portal: PortalDep) -> Response:
    if portal.next_step(auth.state, auth.user) is not Step.CHANGES:
        return redirect(NEXT_PATH)
    changes = portal.resets.unseen(auth.user.id)
    return render(request, "changements_compte.html", {"changes": changes})


@router.post(_PATH)
def acknowledge(auth: BothFactors, portal: PortalDep) -> Response:
    if portal.next_step(auth.state, auth.user) is Step.CHANGES:
        portal.acknowledge_changes(auth.user)
    return redirect(NEXT_PATH)
