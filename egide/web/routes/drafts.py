"""``/espace/brouillons/ID`` and ``/espace/historique``: read, edit, validate, export, delete.

A draft is its owner's alone: every lookup goes through :class:`egide.store.DraftStore`, which
answers "introuvable" for anyone else's, administrators included. Validating records who
validated and when, in the draft and in the audit trail; exports carry the mention.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Form, Request
from starlette.responses import Response

from egide.models import is_generative
from egide.store.drafts import DraftRecord, frozen_error, validation_mention
from egide.store.errors import DraftFrozenError
from egide.tasks.exporting import EXPORT_FORMATS, export_draft
from egide.web.deps import CurrentUser, WorkspaceDep, portal_router
from egide.web.forms import redirect, sentence
from egide.web.templating import render
from egide.workspace import Workspace

__all__ = ["TASK_LABELS", "router"]

router = portal_router()

TASK_LABELS = {
    "summarize": "Résumé",
    "draft": "Rédaction",
    "chat": "Question",
    "reformulate": "Reformulation",
    "translate": "Traduction",
}
_MAX_CONTENT = 500_000
_MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}
_NOTICES = {
    "enregistre": "Vos modifications sont enregistrées.",
    "valide": "Le document est validé : il ne peut plus être modifié, et ses exports portent "
    "la mention de votre validation.",
}


def _draft_page(
    request: Request,
    workspace: Workspace,
    draft: DraftRecord,
    *,
    content: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    origin = workspace.requests.for_draft(draft.id, owner=draft.owner)
    context = {
        "draft": draft,
        "content": draft.content if content is None else content,
        "task_label": TASK_LABELS.get(draft.task, draft.task),
        "mention": validation_mention(
            draft, generative=is_generative(workspace.settings.models, draft.model)
        ),
        "warnings": origin.warnings if origin is not None else (),
        "conversation_id": origin.conversation_id if origin is not None else None,
        "error": error,
        "message": _NOTICES.get(request.query_params.get("fait", "")),
        "formats": EXPORT_FORMATS,
    }
    return render(request, "brouillon.html", context, status_code=status_code)


@router.get("/espace/brouillons/{draft_id}")
def draft_page(
    request: Request, draft_id: str, user: CurrentUser, workspace: WorkspaceDep
) -> Response:
    return _draft_page(request, workspace, workspace.drafts.get(draft_id, owner=user.login))


@router.post("/espace/brouillons/{draft_id}")
def save_or_validate(
    request: Request,
    draft_id: str,
    user: CurrentUser,
    workspace: WorkspaceDep,
    contenu: Annotated[str, Form(max_length=_MAX_CONTENT)] = "",
    action: Annotated[str, Form(max_length=16)] = "enregistrer",
    relu: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    drafts = workspace.drafts
    draft = drafts.get(draft_id, owner=user.login)
    content = contenu.replace("\r\n", "\n")
    if draft.is_validated:
        return _draft_page(
            request, workspace, draft, error=sentence(str(frozen_error(draft))), status_code=409
        )
    if not content.strip():
        return _draft_page(
            request,
            workspace,
            draft,
            content=content,
            error="Le document est vide : écrivez son texte avant d'enregistrer.",
            status_code=400,
        )
    if action == "valider" and relu != "oui":
        # The edits are kept in the page, not lost: only the confirmation is missing.
        return _draft_page(
            request,
            workspace,
            draft,
            content=content,
            error="Cochez « J'ai relu ce document » pour le valider : la validation vous engage.",
            status_code=400,
        )
    try:
        if content != draft.content:
            drafts.update_content(draft.id, user.login, content)
        if action == "valider":
            # Recorded first, failing closed: no validation that the audit trail does not show.
            workspace.audit.append(
                user=user.login,
                action="draft_validated",
                model=draft.model,
                tier=draft.tier,
                level=draft.level,
                extra={"draft": draft.id, "task": draft.task},
            )
            drafts.validate(draft.id, owner=user.login, validated_by=user.name)
            return redirect(f"/espace/brouillons/{draft.id}?fait=valide")
    except DraftFrozenError as exc:
        return _draft_page(
            request, workspace, drafts.get(draft.id, owner=user.login), error=sentence(str(exc)),
            status_code=409,
        )  # fmt: skip
    return redirect(f"/espace/brouillons/{draft.id}?fait=enregistre")


@router.get("/espace/brouillons/{draft_id}/export/{fmt}")
def export(draft_id: str, fmt: str, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    draft = workspace.drafts.get(draft_id, owner=user.login)
    if fmt not in EXPORT_FORMATS:
        return redirect(f"/espace/brouillons/{draft.id}")
    data = export_draft(
        fmt, draft, generative=is_generative(workspace.settings.models, draft.model)
    )
    name = _file_name(draft, fmt)
    return Response(
        data,
        media_type=_MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name.encode("ascii", "replace").decode()}"; '
            f"filename*=UTF-8''{quote(name)}"
        },
    )


def _file_name(draft: DraftRecord, fmt: str) -> str:
    stem = "".join(ch if ch.isalnum() or ch in " -_" else " " for ch in draft.title)
    stem = "-".join(stem.split())[:60] or "document"
    suffix = "valide" if draft.is_validated else "brouillon"
    return f"{stem}-{suffix}.{fmt}"


@router.post("/espace/brouillons/{draft_id}/supprimer")
def delete_draft(draft_id: str, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    draft = workspace.drafts.get(draft_id, owner=user.login)
    workspace.audit.append(
        user=user.login, action="draft_deleted", extra={"draft": draft.id, "task": draft.task}
    )
    workspace.drafts.delete(draft.id, user.login)
    return redirect("/espace/historique?supprime=brouillon")


_DELETED = {
    "brouillon": "Le brouillon est supprimé.",
    "demande": "La demande et ses documents sont supprimés.",
}


@router.get("/espace/historique")
def history(request: Request, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    query = request.query_params.get("q", "").strip()[:200]
    drafts = workspace.drafts.list(user.login, search=query or None, limit=100)
    pending = [] if query else workspace.requests.pending(user.login)
    context = {
        "query": query,
        "drafts": drafts,
        "pending": pending,
        "task_labels": TASK_LABELS,
        "message": _DELETED.get(request.query_params.get("supprime", "")),
        "retention_days": workspace.settings.portal.retention_days,
    }
    return render(request, "historique.html", context)
