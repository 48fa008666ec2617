"""``/espace``: the landing page once signed in; ``/`` leads there (or to the sign-in form)."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from egide.auth import Role
from egide.web.deps import CurrentUser, PortalDep, WorkspaceDep, portal_router
from egide.web.routes.signin import redirect
from egide.web.templating import render

__all__ = ["LOW_RECOVERY_CODES", "router"]

router = portal_router()
LOW_RECOVERY_CODES = 3


@router.get("/")
def root() -> Response:
    return redirect("/espace")


@router.get("/espace")
def workspace(
    request: Request, user: CurrentUser, portal: PortalDep, workspace: WorkspaceDep
) -> Response:
    codes_left = portal.credentials.recovery_codes_left(user.id)
    context = {
        "recent": workspace.drafts.list(user.login, limit=5),
        "pending": workspace.requests.pending(user.login, limit=5),
        "user": user,
        "codes_left": codes_left,
        "codes_low": codes_left <= LOW_RECOVERY_CODES,
        "is_admin": user.role is Role.ADMINISTRATEUR,
        "charter_version": portal.charter().version,
    }
    return render(request, "espace.html", context)
