"""``/admin/…``: accounts, models and tiers, retention — for administrators, never content.

Every change of an account is recorded in the audit trail with the administrator's login. An
administrator cannot disable nor demote their own account here (the command line can, on
purpose: someone must be able to recover a store with no administrator left).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from starlette.responses import Response

from egide.auth import Portal, Role, RoleError, User
from egide.policy.decide import Assessment, model_accepts
from egide.policy.levels import Level
from egide.store.errors import StoreError
from egide.web.deps import PortalDep, portal_router, require_role
from egide.web.forms import sentence
from egide.web.templating import render

__all__ = ["router"]

router = portal_router()

Administrator = Annotated[User, Depends(require_role(Role.ADMINISTRATEUR))]
_ACTIONS = {
    "desactiver": (
        "user_disabled",
        "Le compte « {login} » est désactivé : ses sessions sont fermées.",
    ),
    "reactiver": ("user_enabled", "Le compte « {login} » est réactivé."),
    "reinitialiser-totp": (
        "user_totp_reset",
        "La double authentification de « {login} » est réinitialisée : il enrôlera une nouvelle "
        "application à sa prochaine connexion.",
    ),
    "reinitialiser-mot-de-passe": ("user_password_reset", ""),
    "role": ("user_role_changed", "Le rôle de « {login} » est maintenant « {role} »."),
}


def _users_page(
    request: Request,
    portal: Portal,
    admin: User,
    *,
    message: str | None = None,
    error: str | None = None,
    temporary: tuple[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "user": admin,
        "users": portal.users.list(),
        "roles": list(Role),
        "message": message,
        "error": error,
        "temporary": temporary,
    }
    return render(request, "admin_utilisateurs.html", context, status_code=status_code)


@router.get("/admin/utilisateurs")
def list_users(request: Request, admin: Administrator, portal: PortalDep) -> Response:
    return _users_page(request, portal, admin)


@router.post("/admin/utilisateurs")
def add_user(
    request: Request,
    admin: Administrator,
    portal: PortalDep,
    login: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=128)] = "",
    service: Annotated[str, Form(max_length=128)] = "",
    role: Annotated[str, Form(max_length=16)] = "agent",
) -> Response:
    try:
        created, password = portal.users.add(
            login, Role.parse(role), display_name=name or None, service=service or None
        )
    except (StoreError, RoleError) as exc:
        return _users_page(request, portal, admin, error=sentence(str(exc)), status_code=400)
    portal.record(admin.login, "user_created", target=created.login, role=created.role.value)
    return _users_page(request, portal, admin, temporary=(created.login, password))


@router.post("/admin/utilisateurs/{login}/{action}")
def change_user(
    request: Request,
    login: str,
    action: str,
    admin: Administrator,
    portal: PortalDep,
    role: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    if action not in _ACTIONS:
        return _users_page(request, portal, admin, error="Action inconnue.", status_code=404)
    if login == admin.login and action in ("desactiver", "role"):
        return _users_page(
            request, portal, admin,
            error="Vous ne pouvez pas désactiver votre propre compte ni changer votre propre "
            "rôle : demandez-le à un autre administrateur.",
            status_code=400,
        )  # fmt: skip
    event, template = _ACTIONS[action]
    users = portal.users
    try:
        if action == "desactiver":
            changed = users.disable(login)
        elif action == "reactiver":
            changed = users.enable(login)
        elif action == "reinitialiser-totp":
            changed = users.reset_totp(login)
        elif action == "role":
            changed = users.set_role(login, Role.parse(role))
        else:
            changed, password = users.reset_password(login)
            portal.record(admin.login, event, target=changed.login)
            return _users_page(request, portal, admin, temporary=(changed.login, password))
    except (StoreError, RoleError) as exc:
        return _users_page(request, portal, admin, error=sentence(str(exc)), status_code=400)
    portal.record(admin.login, event, target=changed.login, role=changed.role.value)
    message = template.format(login=changed.login, role=changed.role.label_fr)
    return _users_page(request, portal, admin, message=message)


def _matrix(portal: Portal) -> list[tuple[Level, list[bool]]]:
    """For each level, which models accept a request of that level (the charter's decision).

    From ``personnel`` up, the request is taken to hold personal data, as such requests do.
    """
    models = portal.settings.models
    rows = []
    for level in Level:
        personal = {"PERSON": 1} if level >= Level.PERSONNEL else {}
        assessment = Assessment(level=level, personal_counts=personal)
        rows.append((level, [model_accepts(m, assessment) for m in models]))
    return rows


@router.get("/admin/modeles")
def models_page(request: Request, admin: Administrator, portal: PortalDep) -> Response:
    settings = portal.settings
    context = {
        "models": settings.models,
        "matrix": _matrix(portal),
        "portal_settings": settings.portal,
        "config_path": settings.config_path,
    }
    return render(request, "admin_modeles.html", context)
