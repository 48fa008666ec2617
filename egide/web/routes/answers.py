"""What the agent does with an answer of a conversation: keep it as a draft, correct it,
regenerate it (same or another model), reformulate it (shorter, more formal, simpler) or
translate it.

Nothing reaches a model without the agent having seen it: reformulating and translating send
the answer itself, so they make a request whose preview the agent reads before sending;
regenerating sends at once only when the texts are exactly those of an earlier answer of the
exchange (the pipeline checks the digest again and decides again for the model chosen),
otherwise it shows the preview too. Every route reads the conversation through its owner.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from starlette.responses import Response

from egide.policy.decide import AUTO
from egide.store.errors import DraftNotFoundError
from egide.web.deps import CurrentUser, WorkspaceDep, portal_router
from egide.web.forms import redirect
from egide.web.routes.requests import STREAM_TYPE, event, send_run
from egide.web.templating import render
from egide.workspace import Workspace
from egide.workspace.conversations import NothingToRewrite

__all__ = ["router"]

router = portal_router()
_BASE = "/espace/conversations/{conversation_id}/echanges/{exchange_id}"
_MAX_ANSWER = 500_000


def _exchange_path(conversation_id: str, exchange_id: str, notice: str = "") -> str:
    query = f"?fait={notice}" if notice else ""
    return f"/espace/conversations/{conversation_id}{query}#echange-{exchange_id}"


def _preview_path(request_id: str) -> str:
    return f"/espace/demandes/{request_id}"


@router.post(_BASE + "/regenerer")
def regenerate(
    request: Request,
    conversation_id: str,
    exchange_id: str,
    user: CurrentUser,
    workspace: WorkspaceDep,
    modele: Annotated[str, Form(max_length=64)] = AUTO,
) -> Response:
    turn, same_texts = workspace.conversations.regenerate(
        conversation_id, exchange_id, owner=user.login
    )
    streaming = STREAM_TYPE in request.headers.get("accept", "")
    model = modele.strip() or AUTO
    shown = workspace.preview(turn)
    allowed = model == AUTO or any(c.name == model and c.allowed for c in shown.choices)
    if not (same_texts and allowed):
        # What would be sent is not what the agent saw, or the model is not allowed for it:
        # the agent reads the preview first (it says why a model is refused).
        url = _preview_path(turn.id)
        if streaming:
            return Response(event("preview", url=url), media_type=STREAM_TYPE)
        return redirect(url)
    return send_run(request, workspace, turn, model, streaming=streaming)


def _rewrite(
    conversation_id: str,
    exchange_id: str,
    owner: str,
    workspace: Workspace,
    task: str,
    option: str,
) -> Response:
    try:
        turn = workspace.conversations.rewrite(
            conversation_id, exchange_id, owner=owner, task=task, option=option
        )
    except (ValueError, NothingToRewrite):
        return redirect(_exchange_path(conversation_id, exchange_id))
    return redirect(_preview_path(turn.id))


@router.post(_BASE + "/reformuler")
def reformulate(
    conversation_id: str,
    exchange_id: str,
    user: CurrentUser,
    workspace: WorkspaceDep,
    style: Annotated[str, Form(max_length=16)] = "court",
) -> Response:
    return _rewrite(conversation_id, exchange_id, user.login, workspace, "reformulate", style)


@router.post(_BASE + "/traduire")
def translate(
    conversation_id: str,
    exchange_id: str,
    user: CurrentUser,
    workspace: WorkspaceDep,
    langue: Annotated[str, Form(max_length=16)] = "anglais",
) -> Response:
    return _rewrite(conversation_id, exchange_id, user.login, workspace, "translate", langue)


@router.post(_BASE + "/garder")
def keep(
    conversation_id: str, exchange_id: str, user: CurrentUser, workspace: WorkspaceDep
) -> Response:
    try:
        draft = workspace.conversations.keep(conversation_id, exchange_id, owner=user.login)
    except NothingToRewrite:
        return redirect(_exchange_path(conversation_id, exchange_id))
    return redirect(f"/espace/brouillons/{draft.id}")


def _edit_page(
    request: Request,
    workspace: Workspace,
    owner: str,
    conversation_id: str,
    exchange_id: str,
    *,
    answer: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    service = workspace.conversations
    conversation = service.get(conversation_id, owner=owner)
    exchange = service.exchange(conversation_id, exchange_id, owner=owner)
    if exchange.current is None:
        return redirect(_exchange_path(conversation_id, exchange_id))
    kept = None
    if exchange.current.turn.draft_id:
        try:
            kept = workspace.drafts.get(exchange.current.turn.draft_id, owner=owner)
        except DraftNotFoundError:
            kept = None
    context = {
        "conversation": conversation,
        "exchange": exchange,
        "answer": exchange.current.answer if answer is None else answer,
        "kept": kept,
        "error": error,
    }
    return render(request, "reponse_modifier.html", context, status_code=status_code)


@router.get(_BASE + "/modifier")
def edit_form(
    request: Request,
    conversation_id: str,
    exchange_id: str,
    user: CurrentUser,
    workspace: WorkspaceDep,
) -> Response:
    return _edit_page(request, workspace, user.login, conversation_id, exchange_id)


@router.post(_BASE + "/modifier")
def edit(
    request: Request,
    conversation_id: str,
    exchange_id: str,
    user: CurrentUser,
    workspace: WorkspaceDep,
    reponse: Annotated[str, Form(max_length=_MAX_ANSWER)] = "",
) -> Response:
    text = reponse.replace("\r\n", "\n")
    if not text.strip():
        return _edit_page(
            request, workspace, user.login, conversation_id, exchange_id, answer=text,
            error="La réponse est vide : écrivez son texte avant d'enregistrer.",
            status_code=400,
        )  # fmt: skip
    try:
        workspace.conversations.edit_answer(
            conversation_id, exchange_id, owner=user.login, answer=text
        )
    except NothingToRewrite:
        return redirect(_exchange_path(conversation_id, exchange_id))
    return redirect(_exchange_path(conversation_id, exchange_id, "modifie"))
