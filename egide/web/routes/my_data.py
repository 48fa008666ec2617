"""``/compte/donnees`` (« Mes données »): what Égide holds about the agent, the archive of it,
and the erasure of their content (RGPD articles 15 and 17).

There is no identifier in any of these addresses: the data is always the signed-in agent's
own, so that nobody else — administrators included — can read or erase it from the portal.
The download and the erasure are POSTs (CSRF), each recorded in the audit trail first.
"""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import quote

from fastapi import Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from egide.audit import AuditError
from egide.store.errors import StoreError
from egide.web.audit_rows import ACTION_LABELS
from egide.web.deps import CurrentUser, PortalDep, WorkspaceDep, portal_router
from egide.web.forms import redirect
from egide.web.templating import render
from egide.workspace.personal_archive import archive_name, personal_archive
from egide.workspace.personal_data import erase_content, holdings, work_in_progress

__all__ = ["CONFIRMATION_WORD", "router"]

router = portal_router()
PAGE = "/compte/donnees"
CONFIRMATION_WORD = "EFFACER"
_NOTICES = {
    "efface": "Vos contenus sont effacés : demandes, conversations, brouillons, documents, "
    "travaux répétitifs et préférences. Votre compte et le journal d'audit sont conservés.",
}


def _page(
    request: Request,
    user: CurrentUser,
    workspace: WorkspaceDep,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "holdings": holdings(workspace, user.login),
        "pending": work_in_progress(workspace, user.login),
        "user": user,
        "word": CONFIRMATION_WORD,
        "error": error,
        "message": _NOTICES.get(request.query_params.get("fait", "")),
    }
    return render(request, "mes_donnees.html", context, status_code=status_code)


@router.get(PAGE)
def my_data(request: Request, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    return _page(request, user, workspace)


@router.post(PAGE + "/archive")
def download(user: CurrentUser, workspace: WorkspaceDep, portal: PortalDep) -> Response:
    """The agent's archive, built as it is sent; the download is recorded first."""
    now = portal.clock()
    chunks = personal_archive(
        workspace, user.login, describe=lambda code: ACTION_LABELS.get(code, code), now=now
    )
    name = archive_name(user.login, now)
    return StreamingResponse(
        chunks,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name.encode("ascii", "replace").decode()}"; '
            f"filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",
        },
    )


@router.post(PAGE + "/effacer")
async def erase(
    request: Request,
    user: CurrentUser,
    workspace: WorkspaceDep,
    confirmation: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    if not hmac.compare_digest(confirmation.strip().encode(), CONFIRMATION_WORD.encode()):
        error = (
            f"Rien n'a été effacé : pour confirmer, saisissez le mot {CONFIRMATION_WORD} en "
            "majuscules dans le champ prévu, puis validez."
        )
        return _page(request, user, workspace, error=error, status_code=400)
    try:
        await run_in_threadpool(erase_content, workspace, user.login)
    except (AuditError, StoreError) as exc:
        error = (
            f"Rien n'a été effacé : l'effacement n'a pas pu être enregistré ({exc}). "
            "Réessayez dans un instant ; si le problème persiste, prévenez votre administrateur."
        )
        return _page(request, user, workspace, error=error, status_code=503)
    return redirect(PAGE + "?fait=efface")
