"""``/espace/demandes/ID``: a request's preview, then sending it, streamed, to the chosen model.

The preview shows, before anything is sent, what the guard found (highlighted), the level and
which models may receive the request. Sending goes through the pipeline, which decides again:
a model the charter refuses never receives anything, whatever the form said.

Sending answers in one of two ways. The portal's script asks for ``application/x-ndjson`` and
reads one JSON event per line as the answer streams (``chunk``, then ``done``, or ``error`` /
``refused``); a browser without script gets a redirect once the answer is complete.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Form, Request
from starlette.responses import Response, StreamingResponse

from egide.assistant import PolicyRefused
from egide.audit import AuditError
from egide.models import ModelError
from egide.policy.decide import AUTO
from egide.store.errors import StoreError
from egide.store.requests import RequestStatus, WorkRequest
from egide.web.deps import CurrentUser, WorkspaceDep, portal_router
from egide.web.forms import redirect, sentence
from egide.web.routes.tasks import LENGTH_LABELS
from egide.web.templating import render
from egide.workspace import Workspace
from egide.workspace.service import PreviewOutdated

__all__ = ["STREAM_TYPE", "router"]

router = portal_router()
STREAM_TYPE = "application/x-ndjson"
_TASK_NAMES = {"summarize": "Résumé", "draft": "Rédaction", "chat": "Question"}


def _preview_path(request_id: str) -> str:
    return f"/espace/demandes/{request_id}"


def _draft_path(draft_id: str) -> str:
    return f"/espace/brouillons/{draft_id}"


def _kept(exc: Exception) -> str:
    """Égide's own error (French), and that the agent's input is still there."""
    return sentence(str(exc)) + " Votre demande est conservée : réessayez dans un instant."


def _event(kind: str, **fields: Any) -> bytes:
    return (json.dumps({"type": kind, **fields}, ensure_ascii=False) + "\n").encode("utf-8")


@router.get("/espace/demandes/{request_id}")
def preview_page(
    request: Request, request_id: str, user: CurrentUser, workspace: WorkspaceDep
) -> Response:
    record = workspace.requests.get(request_id, owner=user.login)
    if record.status is RequestStatus.SENT and record.draft_id:
        return redirect(_draft_path(record.draft_id))
    shown = workspace.preview(record)
    context = {
        "record": record,
        "shown": shown,
        "task_name": _TASK_NAMES.get(record.task, record.task),
        "length_label": LENGTH_LABELS.get(str(record.options.get("length", ""))),
        "reasons": shown.preview.assessment.explained_reasons(),
        "error": record.error if record.status is not RequestStatus.PENDING else None,
        "refused": record.status is RequestStatus.REFUSED,
        "chosen": record.model or AUTO,
    }
    return render(request, "demande.html", context)


@router.post("/espace/demandes/{request_id}/envoyer")
def send(
    request: Request,
    request_id: str,
    user: CurrentUser,
    workspace: WorkspaceDep,
    modele: Annotated[str, Form(max_length=64)] = AUTO,
) -> Response:
    record = workspace.requests.get(request_id, owner=user.login)
    streaming = STREAM_TYPE in request.headers.get("accept", "")
    if record.status is RequestStatus.SENT and record.draft_id:
        if streaming:
            url = _draft_path(record.draft_id)
            return Response(_event("done", url=url, warnings=[]), media_type=STREAM_TYPE)
        return redirect(_draft_path(record.draft_id))
    try:
        run = workspace.start(record, modele.strip() or AUTO)
    except (PolicyRefused, PreviewOutdated) as exc:
        if streaming:
            return Response(_event("refused", message=str(exc)), 403, media_type=STREAM_TYPE)
        return redirect(_preview_path(record.id))
    except (ModelError, AuditError, StoreError) as exc:
        message = _kept(exc)
        if streaming:
            return Response(_event("error", message=message), 503, media_type=STREAM_TYPE)
        return render(
            request,
            "erreur.html",
            {"status_code": 503, "title": "Envoi impossible", "message": message},
            status_code=503,
        )
    if streaming:
        return StreamingResponse(
            _events(workspace, record, run),
            media_type=STREAM_TYPE,
            headers={"X-Accel-Buffering": "no"},  # a reverse proxy must not hold the stream
        )
    try:
        for _ in workspace.stream(record, run):
            pass
    except (ModelError, AuditError, StoreError):
        return redirect(_preview_path(record.id))  # the failure is kept on the request
    done = workspace.requests.get(record.id, owner=user.login)
    return redirect(_draft_path(done.draft_id or ""))


def _events(workspace: Workspace, record: WorkRequest, run: Any) -> Iterator[bytes]:
    try:
        for chunk in workspace.stream(record, run):
            yield _event("chunk", text=chunk)
    except ModelError as exc:
        yield _event("error", message=str(exc))
        return
    except (AuditError, StoreError) as exc:
        yield _event(
            "error",
            message=sentence(str(exc))
            + " Votre demande est conservée : réessayez dans un instant.",
        )
        return
    done = workspace.requests.get(record.id, owner=record.owner)
    yield _event("done", url=_draft_path(done.draft_id or ""), warnings=list(done.warnings))


@router.post("/espace/demandes/{request_id}/supprimer")
def delete_request(request_id: str, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    workspace.delete_request(request_id, user.login)
    return redirect("/espace/historique?supprime=demande")
