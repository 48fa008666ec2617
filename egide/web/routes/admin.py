"""``/admin/utilisateurs``: the accounts, for administrators — never anyone's content."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response

from egide.auth import Role, User
from egide.web.deps import PortalDep, portal_router, require_role
from egide.web.templating import render

__all__ = ["router"]

router = portal_router()

Administrator = Annotated[User, Depends(require_role(Role.ADMINISTRATEUR))]


@router.get("/admin/utilisateurs")
def list_users(request: Request, admin: Administrator, portal: PortalDep) -> Response:
    return render(request, "admin_utilisateurs.html", {"user": admin, "users": portal.users.list()})
