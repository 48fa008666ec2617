"""``/espace/discuter`` and ``/espace/conversations``: questions, free or on documents, and the
conversations they make — listed, searched across their whole text, continued, renamed, deleted.

A question, like any request, is kept (sealed) and shown as a preview before anything is sent
(``/espace/demandes/ID``); its answer is kept in the conversation, not as a draft. What the agent
does with an answer (keep it as a draft, correct it, regenerate, reformulate, translate) is in
:mod:`egide.web.routes.answers`. Every conversation is read through its owner only: someone
else's answers « introuvable » (404), administrators included.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from starlette.responses import Response

from egide.auth import User
from egide.documents import DocumentError
from egide.policy.decide import Assessment, decide
from egide.store.conversations import MAX_TITLE
from egide.store.uploads import UploadRecord
from egide.tasks.rewrite import LANGUAGES, STYLES
from egide.web.deps import CurrentUser, WorkspaceDep, portal_router
from egide.web.forms import redirect, sentence, uploaded
from egide.web.routes.tasks import ACCEPT, MAX_QUESTION, status_of
from egide.web.templating import render
from egide.workspace import Workspace
from egide.workspace.conversations import MAX_DOCUMENTS, Exchange, Found

__all__ = ["PAGE_SIZE", "router"]

router = portal_router()
PAGE_SIZE = 50
_MAX_PASTED = 200_000
_PASTED_NAME = "Texte collé"
_NOTICES = {
    "renomme": "La conversation est renommée.",
    "supprime": "La conversation, ses questions et ses réponses sont supprimées.",
    "question": "La question est abandonnée.",
    "modifie": "Votre correction est enregistrée : les questions suivantes la reprendront.",
}


def _conversation_path(conversation_id: str) -> str:
    return f"/espace/conversations/{conversation_id}"


def _requests_path(request_id: str) -> str:
    return f"/espace/demandes/{request_id}"


def _documents(
    workspace: Workspace, user: User, files: list[tuple[str, bytes]], pasted: str
) -> list[UploadRecord]:
    """The files and the pasted text, read and kept (all or none: DocumentError)."""
    if pasted.strip():
        files = [*files, (_PASTED_NAME, pasted.replace("\r\n", "\n").encode("utf-8"))]
    return workspace.upload_all(user.login, files)


# --- a new conversation -----------------------------------------------------------------------


def _new_page(
    request: Request,
    workspace: Workspace,
    user: User,
    *,
    question: str = "",
    pasted: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "question": question,
        "pasted": pasted,
        "error": error,
        "accept": ACCEPT,
        "max_files": MAX_DOCUMENTS,
        "recent": workspace.conversations.list(user.login, limit=5),
    }
    return render(request, "discuter.html", context, status_code=status_code)


@router.get("/espace/discuter")
def new_form(request: Request, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    return _new_page(request, workspace, user)


@router.post("/espace/discuter")
def new_conversation(
    request: Request,
    user: CurrentUser,
    workspace: WorkspaceDep,
    question: Annotated[str, Form(max_length=MAX_QUESTION)] = "",
    texte: Annotated[str, Form(max_length=_MAX_PASTED)] = "",
    documents: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    question = question.strip()
    kept = {"question": question, "pasted": texte}
    if not question:
        return _new_page(
            request, workspace, user, error="Écrivez votre question.", status_code=400, **kept
        )
    files = uploaded(documents)
    if len(files) + bool(texte.strip()) > MAX_DOCUMENTS:
        message = f"Joignez au plus {MAX_DOCUMENTS} documents à la fois (texte collé compris)."
        return _new_page(request, workspace, user, error=message, status_code=400, **kept)
    try:
        records = _documents(workspace, user, files, texte)
    except DocumentError as exc:
        message = sentence(exc.message) + " Votre question est conservée ci-dessous."
        return _new_page(
            request, workspace, user, error=message, status_code=status_of(exc), **kept
        )
    created = workspace.conversations.start(user.login, question=question, documents=records)
    return redirect(_requests_path(created.id))


# --- the list ---------------------------------------------------------------------------------


@router.get("/espace/conversations")
def conversations(request: Request, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    query = request.query_params.get("q", "").strip()[:200]
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    service = workspace.conversations
    if query:
        found = service.search(user.login, query)
        items, total, pages = found, len(found), 1
    else:
        total = service.store.count(user.login)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(page, pages)
        listed = service.list(user.login, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        items = [Found(c, "") for c in listed]
    context = {
        "query": query,
        "found": items,
        "total": total,
        "page": page,
        "pages": pages,
        "message": _NOTICES.get(request.query_params.get("fait", "")),
        "retention_days": workspace.settings.portal.retention_days,
    }
    return render(request, "conversations.html", context)


# --- one conversation -------------------------------------------------------------------------


def _allowed_models(workspace: Workspace, level: str | None) -> list[str]:
    """The models the charter allows for what an answer was made from (advice for the
    regenerate button; the pipeline decides again when it is pressed)."""
    if not level:
        return []
    assessment = Assessment.from_counts(level, {})
    models = workspace.settings.models
    return [m.name for m in models if decide(assessment, models, m.name).allowed]


def _conversation_page(
    request: Request,
    workspace: Workspace,
    user: User,
    conversation_id: str,
    *,
    question: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    service = workspace.conversations
    conversation = service.get(conversation_id, owner=user.login)
    exchanges = service.exchanges(conversation_id, owner=user.login)
    models = {
        exchange.id: _allowed_models(workspace, exchange.current.turn.level)
        for exchange in exchanges
        if exchange.current is not None
    }
    context = {
        "conversation": conversation,
        "exchanges": exchanges,
        "models": models,
        "documents": service.documents(conversation_id, owner=user.login),
        "styles": {key: label for key, (label, _) in STYLES.items()},
        "languages": LANGUAGES,
        "question": question,
        "error": error,
        "accept": ACCEPT,
        "message": _NOTICES.get(request.query_params.get("fait", "")),
        "max_title": MAX_TITLE,
    }
    return render(request, "conversation.html", context, status_code=status_code)


@router.get("/espace/conversations/{conversation_id}")
def conversation(
    request: Request, conversation_id: str, user: CurrentUser, workspace: WorkspaceDep
) -> Response:
    return _conversation_page(request, workspace, user, conversation_id)


@router.post("/espace/conversations/{conversation_id}")
def follow_up(
    request: Request,
    conversation_id: str,
    user: CurrentUser,
    workspace: WorkspaceDep,
    question: Annotated[str, Form(max_length=MAX_QUESTION)] = "",
    texte: Annotated[str, Form(max_length=_MAX_PASTED)] = "",
    documents: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    service = workspace.conversations
    service.get(conversation_id, owner=user.login)  # someone else's: 404 before anything
    question = question.strip()
    if not question:
        return _conversation_page(
            request, workspace, user, conversation_id,
            error="Écrivez votre question.", status_code=400,
        )  # fmt: skip
    files = uploaded(documents)
    have = len(service.documents(conversation_id, owner=user.login))
    if have + len(files) + bool(texte.strip()) > MAX_DOCUMENTS:
        return _conversation_page(
            request, workspace, user, conversation_id, question=question,
            error=f"Une conversation porte sur {MAX_DOCUMENTS} documents au plus (elle en a "
            f"déjà {have}) : commencez une nouvelle conversation pour d'autres documents.",
            status_code=400,
        )  # fmt: skip
    try:
        records = _documents(workspace, user, files, texte)
    except DocumentError as exc:
        return _conversation_page(
            request, workspace, user, conversation_id, question=question,
            error=sentence(exc.message) + " Votre question est conservée ci-dessous.",
            status_code=status_of(exc),
        )  # fmt: skip
    created = service.follow_up(user.login, conversation_id, question=question, documents=records)
    return redirect(_requests_path(created.id))


@router.post("/espace/conversations/{conversation_id}/renommer")
def rename(
    conversation_id: str,
    user: CurrentUser,
    workspace: WorkspaceDep,
    titre: Annotated[str, Form(max_length=MAX_TITLE * 2)] = "",
) -> Response:
    service = workspace.conversations
    service.get(conversation_id, owner=user.login)
    if titre.strip():
        service.rename(conversation_id, owner=user.login, title=titre)
        return redirect(_conversation_path(conversation_id) + "?fait=renomme")
    return redirect(_conversation_path(conversation_id))


@router.get("/espace/conversations/{conversation_id}/supprimer")
def delete_form(
    request: Request, conversation_id: str, user: CurrentUser, workspace: WorkspaceDep
) -> Response:
    service = workspace.conversations
    conversation = service.get(conversation_id, owner=user.login)
    exchanges: list[Exchange] = service.exchanges(conversation_id, owner=user.login)
    kept = sum(1 for e in exchanges for v in e.versions if v.turn.draft_id)
    context = {"conversation": conversation, "count": len(exchanges), "kept": kept}
    return render(request, "conversation_supprimer.html", context)


@router.post("/espace/conversations/{conversation_id}/supprimer")
def delete(conversation_id: str, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    workspace.conversations.delete(conversation_id, owner=user.login)
    return redirect("/espace/conversations?fait=supprime")
