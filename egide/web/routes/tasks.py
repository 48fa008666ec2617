"""Where a request starts: summarise a document, draft from a template, ask about documents.

Each form only gathers the agent's input and keeps it (sealed) as a request; nothing is sent to
a model here. The next page is always the request's preview (``/espace/demandes/ID``), which
shows what the guard found and which models may receive it.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from egide.auth import User
from egide.documents import DocumentError, DocumentProblem
from egide.store.errors import StoreError
from egide.store.requests import RequestNotFoundError
from egide.tasks.summarize import LENGTHS
from egide.tasks.templates import TemplateError, load_templates
from egide.web.deps import CurrentUser, WorkspaceDep, portal_router
from egide.web.forms import redirect, sentence, uploaded
from egide.web.templating import render
from egide.workspace import Workspace

__all__ = ["LENGTH_LABELS", "router"]

router = portal_router()

LENGTH_LABELS = {
    "court": "Court : l'essentiel en quelques phrases",
    "page": "Une page",
    "detaille": "Détaillé : partie par partie",
}
_MAX_QUESTION = 20_000
_MAX_FILES = 10
_ACCEPT = ".pdf,.docx,.odt,.eml,.html,.htm,.txt,.md"


def _status_of(exc: DocumentError) -> int:
    if exc.problem is DocumentProblem.TOO_LARGE:
        return 413
    # Every file reader busy or unable to start: the service, not the file, is at fault.
    return 503 if exc.problem is DocumentProblem.UNAVAILABLE else 400


def _requests_path(request_id: str) -> str:
    return f"/espace/demandes/{request_id}"


# --- summarise --------------------------------------------------------------------------------


def _summarize_page(
    request: Request, *, error: str | None = None, length: str = "court", status_code: int = 200
) -> Response:
    context = {"error": error, "length": length, "lengths": LENGTH_LABELS, "accept": _ACCEPT}
    return render(request, "resumer.html", context, status_code=status_code)


@router.get("/espace/resumer")
def summarize_form(request: Request, user: CurrentUser) -> Response:
    return _summarize_page(request)


@router.post("/espace/resumer")
def summarize_upload(
    request: Request,
    user: CurrentUser,
    workspace: WorkspaceDep,
    document: Annotated[UploadFile | None, File()] = None,
    length: Annotated[str, Form(max_length=16)] = "court",
) -> Response:
    length = length if length in LENGTHS else "court"
    files = uploaded(document)
    if not files:
        return _summarize_page(
            request, error="Choisissez le document à résumer.", length=length, status_code=400
        )
    name, data = files[0]
    try:
        record = workspace.upload(user.login, name, data)
    except DocumentError as exc:
        return _summarize_page(
            request, error=sentence(exc.message), length=length, status_code=_status_of(exc)
        )
    created = workspace.new_request(
        user.login,
        task="summarize",
        title=f"Résumé — {record.name}",
        options={"length": length},
        documents=[record],
    )
    return redirect(_requests_path(created.id))


# --- draft from a template --------------------------------------------------------------------


def _template_missing(request: Request, exc: TemplateError) -> Response:
    context = {"status_code": 404, "title": "Modèle introuvable", "message": sentence(str(exc))}
    return render(request, "erreur.html", context, status_code=404)


@router.get("/espace/rediger")
def templates_list(request: Request, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    library = load_templates(workspace.settings.home)
    return render(request, "rediger.html", {"templates": list(library)})


def _template_page(
    request: Request,
    template: Any,
    *,
    values: dict[str, str],
    error: str | None = None,
    missing: frozenset[str] = frozenset(),
    status_code: int = 200,
) -> Response:
    context = {"template": template, "values": values, "error": error, "missing": missing}
    return render(request, "rediger_modele.html", context, status_code=status_code)


@router.get("/espace/rediger/{name}")
def template_form(
    request: Request, name: str, user: CurrentUser, workspace: WorkspaceDep
) -> Response:
    try:
        template = load_templates(workspace.settings.home).get(name)
    except TemplateError as exc:
        return _template_missing(request, exc)
    defaults = {f.name: f.default or "" for f in template.fields}
    return _template_page(request, template, values=defaults)


@router.post("/espace/rediger/{name}")
async def template_submit(
    request: Request, name: str, user: CurrentUser, workspace: WorkspaceDep
) -> Response:
    # The fields depend on the template: the form is read whole, the rest runs in a thread.
    form = await request.form()
    submitted = {key: value for key, value in form.items() if isinstance(value, str)}
    return await run_in_threadpool(_template_submit, request, name, user, workspace, submitted)


def _template_submit(
    request: Request, name: str, user: User, workspace: Workspace, form: dict[str, str]
) -> Response:
    try:
        template = load_templates(workspace.settings.home).get(name)
    except TemplateError as exc:
        return _template_missing(request, exc)
    values = {}
    for item in template.fields:
        values[item.name] = form.get(f"champ_{item.name}", "")[:5_000]
    try:
        text = template.render(values)
    except TemplateError as exc:
        missing = frozenset(f.name for f in getattr(exc, "missing", ()))
        return _template_page(
            request,
            template,
            values=values,
            error=sentence(str(exc).split(":\n")[0]),
            missing=missing,
            status_code=400,
        )
    created = workspace.new_request(user.login, task="draft", title=template.title, prompt=text)
    return redirect(_requests_path(created.id))


# --- chat with documents ----------------------------------------------------------------------


def _chat_page(
    request: Request, *, question: str = "", error: str | None = None, status_code: int = 200
) -> Response:
    context = {"question": question, "error": error, "accept": _ACCEPT, "max_files": _MAX_FILES}
    return render(request, "discuter.html", context, status_code=status_code)


@router.get("/espace/discuter")
def chat_form(request: Request, user: CurrentUser) -> Response:
    return _chat_page(request)


@router.post("/espace/discuter")
def chat_start(
    request: Request,
    user: CurrentUser,
    workspace: WorkspaceDep,
    question: Annotated[str, Form(max_length=_MAX_QUESTION)] = "",
    documents: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    question = question.strip()
    if not question:
        return _chat_page(request, error="Écrivez votre question.", status_code=400)
    files = uploaded(documents)
    if len(files) > _MAX_FILES:
        return _chat_page(
            request,
            question=question,
            error=f"Joignez au plus {_MAX_FILES} documents à la fois.",
            status_code=400,
        )
    try:
        records = workspace.upload_all(user.login, files)
    except DocumentError as exc:
        return _chat_page(
            request,
            question=question,
            error=sentence(exc.message) + " Votre question est conservée ci-dessous.",
            status_code=_status_of(exc),
        )
    created = workspace.new_request(
        user.login,
        task="chat",
        title=_question_title(question),
        prompt=question,
        documents=records,
        conversation_id=str(uuid.uuid4()),
    )
    return redirect(_requests_path(created.id))


def _question_title(question: str) -> str:
    words = " ".join(question.split())
    return words if len(words) <= 80 else words[:79].rstrip() + "…"


@router.get("/espace/conversations/{conversation_id}")
def conversation(
    request: Request, conversation_id: str, user: CurrentUser, workspace: WorkspaceDep
) -> Response:
    turns = workspace.requests.conversation(conversation_id, owner=user.login)
    if not turns:
        raise RequestNotFoundError("conversation introuvable")
    answers = {}
    for turn in turns:
        if turn.draft_id:
            try:
                answers[turn.id] = workspace.drafts.get(turn.draft_id, owner=user.login)
            except StoreError:
                continue
    documents = workspace.uploads.get_many(turns[0].document_ids, owner=user.login)
    context = {
        "turns": turns,
        "answers": answers,
        "documents": documents,
        "conversation_id": conversation_id,
        "error": None,
        "question": "",
    }
    return render(request, "conversation.html", context)


@router.post("/espace/conversations/{conversation_id}")
def follow_up(
    request: Request,
    conversation_id: str,
    user: CurrentUser,
    workspace: WorkspaceDep,
    question: Annotated[str, Form(max_length=_MAX_QUESTION)] = "",
) -> Response:
    turns = workspace.requests.conversation(conversation_id, owner=user.login)
    if not turns:
        raise RequestNotFoundError("conversation introuvable")
    question = question.strip()
    if not question:
        return redirect(f"/espace/conversations/{conversation_id}")
    first = turns[0]
    documents = workspace.uploads.get_many(first.document_ids, owner=user.login)
    created = workspace.new_request(
        user.login,
        task="chat",
        title=_question_title(question),
        prompt=question,
        documents=documents,
        conversation_id=conversation_id,
    )
    return redirect(_requests_path(created.id))
