"""``/audit``: the audit trail and its verification, for auditors.

The trail holds who did what, with which model and at which level, and counts of findings —
never content; this page shows it as it is, newest first, and checks its chain on demand.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response

from egide.auth import Role, User
from egide.guard.labels import label_fr
from egide.web.deps import PortalDep, portal_router, require_role
from egide.web.routes.dashboard import usage_figures
from egide.web.templating import render

__all__ = ["ACTION_LABELS", "router"]

router = portal_router()

Auditor = Annotated[User, Depends(require_role(Role.AUDITEUR))]
_PAGE_SIZE = 100
ACTION_LABELS = {
    "summarize": "résumé demandé",
    "draft": "rédaction demandée",
    "chat": "question posée",
    "gateway_chat": "demande d'une application",
    "embeddings": "plongements d'une application",
    "refusal": "refus de la charte",
    "draft_saved": "brouillon enregistré",
    "answer_delivered": "réponse remise à l'application",
    "draft_validated": "brouillon validé",
    "draft_deleted": "brouillon supprimé",
    "sign_in": "connexion",
    "sign_in_failed": "échec de connexion",
    "sign_out": "déconnexion",
    "sign_out_everywhere": "déconnexion de toutes les sessions",
    "password_changed": "mot de passe changé",
    "totp_enrolled": "double authentification activée",
    "charter_accepted": "charte acceptée",
    "training_completed": "formation validée",
    "user_created": "compte créé",
    "user_disabled": "compte désactivé",
    "user_enabled": "compte réactivé",
    "user_totp_reset": "double authentification réinitialisée",
    "user_password_reset": "mot de passe réinitialisé",
    "user_role_changed": "rôle changé",
    "user_full_reset_requested": "réinitialisation complète demandée",
    "user_full_reset_approved": "réinitialisation complète confirmée par un second administrateur",
    "oidc_provisioned": "identité du fournisseur rattachée au compte",
    "oidc_link_requested": "rattachement d'identité demandé (à confirmer)",
    "oidc_link_approved": "rattachement d'identité confirmé par un second administrateur",
    "oidc_linked": "identité du fournisseur rattachée à la première connexion",
    "oidc_removed": "identité du fournisseur détachée",
    "app_added": "application ajoutée",
    "app_revoked": "application révoquée",
    "audit_reanchored": "journal d'audit ancré de nouveau après une reprise",
    "template_added": "modèle de document ajouté",
    "template_deleted": "modèle de document supprimé",
}


def _when(timestamp: str) -> datetime | None:
    try:
        return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return None


@router.get("/audit")
def audit_page(request: Request, auditor: Auditor, portal: PortalDep) -> Response:
    action = request.query_params.get("action", "")
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    verify = request.query_params.get("verifier") == "1"
    events = list(reversed(usage_figures(request, portal).events()))
    if action:
        events = [e for e in events if e.action == action]
    shown = events[(page - 1) * _PAGE_SIZE : page * _PAGE_SIZE]
    context = {
        "events": [(e, _when(e.timestamp)) for e in shown],
        "labels": ACTION_LABELS,
        "label_fr": label_fr,
        "action": action,
        "actions": sorted(ACTION_LABELS.items(), key=lambda item: item[1]),
        "page": page,
        "has_next": len(events) > page * _PAGE_SIZE,
        "total": len(events),
        "report": portal.audit.verify() if verify else None,
    }
    return render(request, "audit.html", context)
