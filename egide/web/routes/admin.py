"""``/admin/…``: accounts, models and tiers, retention — for administrators, never content.

Every change of an account goes through :class:`egide.auth.accounts.AccountAdmin`: recorded in
the audit trail before it is made, the target found by its canonical login and compared by id
(an administrator cannot disable nor demote their own account, whatever the case of the URL;
the command line can, on purpose: someone must be able to recover a store with no
administrator left), and no single administrator ending up with both factors of an account
that has been used, nor with a provider identity opening it (two-person rule).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import Depends, Form, Request
from starlette.responses import Response

from egide.auth import Portal, Role, RoleError, User
from egide.auth.accounts import Actor
from egide.auth.resets import AccountRefused
from egide.policy.decide import Assessment, model_accepts
from egide.policy.levels import Level
from egide.store.errors import StoreError
from egide.web.deps import Auth, PortalDep, SignedIn, portal_router, require_role
from egide.web.forms import redirect, sentence
from egide.web.templating import render

__all__ = ["router"]

router = portal_router()

Administrator = Annotated[User, Depends(require_role(Role.ADMINISTRATEUR))]
_ACTIONS = frozenset(
    {
        "desactiver", "reactiver", "role", "reinitialiser-totp", "reinitialiser-mot-de-passe",
        "reinitialisation-complete", "fournisseur", "confirmer-fournisseur", "retirer-fournisseur",
    }
)  # fmt: skip


_PAGE = "/admin/utilisateurs"
_SECRET_ANCHOR = "mot-de-passe-temporaire"
_MESSAGE_ANCHOR = "message-admin"


@dataclass(frozen=True, slots=True)
class Secret:
    """A temporary password, or half of one, shown once to the administrator who made it."""

    login: str
    value: str
    part: str = ""  # "" (whole), "premiere" or "seconde" (half of a full reset)


def _users_page(
    request: Request,
    portal: Portal,
    auth: Auth,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The accounts page; after a change, the notice the change left for it, shown once."""
    oidc = portal.settings.portal.oidc
    notice = (portal.sessions.take_notice(auth.state, _PAGE) if error is None else None) or {}
    secret = notice.get("secret")
    context = {
        "user": auth.user,
        "users": portal.users.list(),
        "roles": list(Role),
        "message": notice.get("message"),
        "error": error,
        "secret": Secret(**secret) if isinstance(secret, dict) else None,
        "pending": portal.resets.pending(portal.clock()),
        "oidc": oidc,
        "identities": portal.identities.list() if oidc is not None else [],
    }
    return render(request, "admin_utilisateurs.html", context, status_code=status_code)


def _done(
    portal: Portal, auth: Auth, message: str | None, secret: Secret | None, anchor: str
) -> Response:
    """Post/redirect/get: the result waits in the session for the next page, which shows it
    once — reloading that page neither repeats the change nor shows a password again."""
    notice: dict[str, object] = {"message": message}
    if secret is not None:
        notice["secret"] = asdict(secret)
    portal.sessions.set_notice(auth.state, _PAGE, notice)
    return redirect(f"{_PAGE}#{anchor}")


@router.get("/admin/utilisateurs")
def list_users(
    request: Request, admin: Administrator, auth: SignedIn, portal: PortalDep
) -> Response:
    return _users_page(request, portal, auth)


@router.post("/admin/utilisateurs")
def add_user(
    request: Request,
    admin: Administrator,
    auth: SignedIn,
    portal: PortalDep,
    login: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=128)] = "",
    service: Annotated[str, Form(max_length=128)] = "",
    role: Annotated[str, Form(max_length=16)] = "agent",
) -> Response:
    try:
        created, password = portal.accounts.create(
            Actor.of(admin), login, Role.parse(role),
            display_name=name or None, service=service or None,
        )  # fmt: skip
    except (StoreError, RoleError) as exc:
        return _users_page(request, portal, auth, error=sentence(str(exc)), status_code=400)
    return _done(portal, auth, None, Secret(created.shown_login, password), _SECRET_ANCHOR)


def _change(
    portal: Portal, admin: User, login: str, action: str, form: dict[str, str]
) -> tuple[str | None, Secret | None]:
    """Apply one action; a message for the page, or a secret to show once."""
    accounts, actor = portal.accounts, Actor.of(admin)
    if action == "desactiver":
        changed = accounts.disable(actor, login)
        return (
            f"Le compte « {changed.shown_login} » est désactivé : ses sessions sont fermées.",
            None,
        )
    if action == "reactiver":
        return f"Le compte « {accounts.enable(actor, login).shown_login} » est réactivé.", None
    if action == "role":
        changed = accounts.set_role(actor, login, Role.parse(form["role"]))
        return (
            f"Le rôle de « {changed.shown_login} » est maintenant « {changed.role.label_fr} ».",
            None,
        )
    if action == "reinitialiser-totp":
        changed = accounts.reset_totp(actor, login)
        return (
            f"La double authentification de « {changed.shown_login} » est réinitialisée : il "
            "enrôlera une nouvelle application à sa prochaine connexion.",
            None,
        )
    if action == "reinitialiser-mot-de-passe":
        changed, password = accounts.reset_password(actor, login)
        return None, Secret(changed.shown_login, password)
    if action == "reinitialisation-complete":
        changed, half, done = accounts.full_reset(actor, login)
        return None, Secret(changed.shown_login, half, "seconde" if done else "premiere")
    if action == "fournisseur":
        changed, done = accounts.link_oidc(
            actor, login, subject=form["subject"] or None, email=form["email"] or None
        )
        if done:
            return (
                f"Le compte « {changed.shown_login} » est rattaché au fournisseur d'identité.",
                None,
            )
        return (
            f"Le compte « {changed.shown_login} » a déjà servi : le rattachement au fournisseur "
            "d'identité attend la confirmation d'un autre administrateur.",
            None,
        )
    if action == "confirmer-fournisseur":
        changed = accounts.approve_oidc(actor, login)
        return f"Le rattachement de « {changed.shown_login} » au fournisseur est confirmé.", None
    if action == "retirer-fournisseur":
        changed = accounts.unlink_oidc(actor, login)
        return f"Le compte « {changed.shown_login} » n'est plus rattaché au fournisseur.", None
    raise AssertionError(action)  # _ACTIONS lists every action handled above


@router.post("/admin/utilisateurs/{login}/{action}")
def change_user(
    request: Request,
    login: str,
    action: str,
    admin: Administrator,
    auth: SignedIn,
    portal: PortalDep,
    role: Annotated[str, Form(max_length=16)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    subject: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    if action not in _ACTIONS:
        return _users_page(request, portal, auth, error="Action inconnue.", status_code=404)
    form = {"role": role, "email": email, "subject": subject}
    try:
        message, secret = _change(portal, admin, login, action, form)
    except (StoreError, RoleError, AccountRefused) as exc:
        return _users_page(request, portal, auth, error=sentence(str(exc)), status_code=400)
    return _done(portal, auth, message, secret, _SECRET_ANCHOR if secret else _MESSAGE_ANCHOR)


@router.post("/admin/rattachements")
def link_identity(
    request: Request,
    admin: Administrator,
    auth: SignedIn,
    portal: PortalDep,
    login: Annotated[str, Form(max_length=64)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    subject: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    """The form of the provider section: the account is a field, not part of the address."""
    return change_user(
        request, login, "fournisseur", admin, auth, portal, email=email, subject=subject
    )


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
