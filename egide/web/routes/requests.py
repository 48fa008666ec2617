"""``/espace/demandes/ID``: a request's preview, then sending it, streamed, to the chosen model.

The preview shows, before anything is sent, what the guard found (highlighted), the level and
which models may receive the request. Sending goes through the pipeline, which decides again:
a model the charter refuses never receives anything, whatever the form said.

Sending answers in one of two ways. The portal's script asks for ``application/x-ndjson`` and
reads one JSON event per line as the answer streams (``chunk``, then ``done``, or ``error`` /
``refused``; ``preview`` when the agent must look at a preview first); a browser without script
gets a redirect once the answer is complete: to the draft, or for a conversation's question, to
the conversation, where the answer is kept.
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

__all__ = ["STREAM_TYPE", "answer_path", "event", "router", "send_run"]

router = portal_router()
STREAM_TYPE = "application/x-ndjson"
_TASK_NAMES = {
    "summarize": "Résumé",
    "draft": "Rédaction",
    "chat": "Question",
    "kb_answer": "Question à la base documentaire",
    "reformulate": "Reformulation",
    "translate": "Traduction",
}
_KEPT_IN_CONVERSATION = "Réponse terminée : elle est gardée dans la conversation."


def _preview_path(request_id: str) -> str:
    return f"/espace/demandes/{request_id}"


def _draft_path(draft_id: str) -> str:
    return f"/espace/brouillons/{draft_id}"


def answer_path(record: WorkRequest) -> str:
    """Where an answered request is read: its exchange in the conversation, or its draft."""
    if record.conversation_id is not None:
        # The answer's id in the query: from the conversation itself (a regeneration streamed
        # in place), following the link must load the page again, not just scroll to it.
        exchange = record.variant_of or record.id
        return (
            f"/espace/conversations/{record.conversation_id}?reponse={record.id}#echange-{exchange}"
        )
    return _draft_path(record.draft_id or "")


def _answered(record: WorkRequest) -> bool:
    return record.status is RequestStatus.SENT and (
        record.conversation_id is not None or bool(record.draft_id)
    )


def _kept(exc: Exception) -> str:
    """Égide's own error (French), and that the agent's input is still there."""
    return sentence(str(exc)) + " Votre demande est conservée : réessayez dans un instant."


def event(kind: str, **fields: Any) -> bytes:
    """One line of the answer's stream, as the portal's script reads it."""
    return (json.dumps({"type": kind, **fields}, ensure_ascii=False) + "\n").encode("utf-8")


@router.get("/espace/demandes/{request_id}")
def preview_page(
    request: Request, request_id: str, user: CurrentUser, workspace: WorkspaceDep
) -> Response:
    record = workspace.requests.get(request_id, owner=user.login)
    if _answered(record):
        return redirect(answer_path(record))
    shown = workspace.preview(record)
    workspace.seen(record, shown)
    conversation = None
    if record.conversation_id is not None:
        conversation = workspace.conversations.get(record.conversation_id, owner=user.login)
    context = {
        "record": record,
        "conversation": conversation,
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
    if _answered(record):
        if streaming:
            url = answer_path(record)
            return Response(event("done", url=url, warnings=[]), media_type=STREAM_TYPE)
        return redirect(answer_path(record))
    return send_run(request, workspace, record, modele.strip() or AUTO, streaming=streaming)


def send_run(
    request: Request, workspace: Workspace, record: WorkRequest, model: str, *, streaming: bool
) -> Response:
    """Send ``record`` through the pipeline to ``model``: streamed events for the portal's
    script, otherwise a redirect once the answer is kept (or to the preview on a refusal)."""
    try:
        run = workspace.start(record, model)
    except (PolicyRefused, PreviewOutdated) as exc:
        if streaming:
            return Response(event("refused", message=str(exc)), 403, media_type=STREAM_TYPE)
        return redirect(_preview_path(record.id))
    except (ModelError, AuditError, StoreError) as exc:
        message = _kept(exc)
        if streaming:
            return Response(event("error", message=message), 503, media_type=STREAM_TYPE)
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
    done = workspace.requests.get(record.id, owner=record.owner)
    return redirect(answer_path(done))


def _events(workspace: Workspace, record: WorkRequest, run: Any) -> Iterator[bytes]:
    try:
        for chunk in workspace.stream(record, run):
            yield event("chunk", text=chunk)
    except ModelError as exc:
        yield event("error", message=str(exc))
        return
    except (AuditError, StoreError) as exc:
        yield event(
            "error",
            message=sentence(str(exc))
            + " Votre demande est conservée : réessayez dans un instant.",
        )
        return
    done = workspace.requests.get(record.id, owner=record.owner)
    extra = {"status": _KEPT_IN_CONVERSATION} if done.conversation_id is not None else {}
    yield event("done", url=answer_path(done), warnings=list(done.warnings), **extra)


@router.post("/espace/demandes/{request_id}/supprimer")
def delete_request(request_id: str, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    record = workspace.requests.get(request_id, owner=user.login)
    workspace.delete_request(request_id, user.login)
    if record.conversation_id is not None and workspace.requests.conversation(
        record.conversation_id, owner=user.login
    ):
        return redirect(f"/espace/conversations/{record.conversation_id}?supprime=question")
    return redirect("/espace/historique?supprime=demande")
