"""Where a request starts: summarise a document, draft from a template (the questions and
conversations are in :mod:`egide.web.routes.conversations`).

Each form only gathers the agent's input and keeps it (sealed) as a request; nothing is sent to
a model here. The next page is always the request's preview (``/espace/demandes/ID``), which
shows what the guard found and which models may receive it. A template's form starts from the
agent's saved defaults (« Mes préférences ») and, when drafting a reply, from what the incoming
letter says (:mod:`egide.web.routes.replies`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from egide.auth import User
from egide.documents import UPLOAD_ACCEPT, DocumentError, DocumentProblem
from egide.store.profiles import ProfileStore
from egide.tasks.summarize import LENGTHS
from egide.tasks.templates import DraftTemplate, TemplateError, load_templates
from egide.tasks.templates.values import DATE_HINT
from egide.web.deps import CurrentUser, WorkspaceDep, portal_router
from egide.web.forms import redirect, sentence, uploaded
from egide.web.templating import render
from egide.workspace import Workspace
from egide.workspace.classified import ClassifiedDocument
from egide.workspace.prefill import Prefill

__all__ = ["ACCEPT", "LENGTH_LABELS", "MAX_QUESTION", "router", "status_of", "template_page"]

router = portal_router()

LENGTH_LABELS = {
    "court": "Court : l'essentiel en quelques phrases",
    "page": "Une page",
    "detaille": "Détaillé : partie par partie",
}
MAX_QUESTION = 20_000
ACCEPT = UPLOAD_ACCEPT  # scans and photos too: they are read by OCR


def status_of(exc: DocumentError) -> int:
    if isinstance(exc, ClassifiedDocument):
        return 422  # read fine, refused by the charter: nothing was kept
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
    context = {"error": error, "length": length, "lengths": LENGTH_LABELS, "accept": ACCEPT}
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
            request, error=sentence(exc.message), length=length, status_code=status_of(exc)
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


def _provenance(form: dict[str, str], key: str, names: set[str]) -> set[str]:
    """Which fields a pre-filled form said came from the profile or the letter (kept when the
    form comes back with an error, so that each value stays where the agent saw it)."""
    return {name for name in form.get(key, "").split(",") if name in names}


def template_page(
    request: Request,
    template: DraftTemplate,
    prefill: Prefill,
    *,
    letter_name: str | None = None,
    letter_text: str | None = None,
    profile_saved: bool = True,
    error: str | None = None,
    problems: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The template's form: what is left to fill first, then what the letter gave (to check),
    then the agent's saved defaults (folded away)."""
    context = {
        "template": template,
        "values": prefill.values,
        "from_profile": prefill.from_profile,
        "from_letter": prefill.from_letter,
        "letter_name": letter_name,
        "letter_text": letter_text,
        "profile_saved": profile_saved,
        "error": error,
        "problems": problems or {},
        "accept": ACCEPT,
        "date_hint": DATE_HINT,
    }
    return render(request, "rediger_modele.html", context, status_code=status_code)


@router.get("/espace/rediger/{name}")
def template_form(
    request: Request, name: str, user: CurrentUser, workspace: WorkspaceDep
) -> Response:
    try:
        template = load_templates(workspace.settings.home).get(name)
    except TemplateError as exc:
        return _template_missing(request, exc)
    profile = ProfileStore(workspace.store).get(user.login)
    prefill = Prefill.build(template, profile=profile)
    return template_page(request, template, prefill, profile_saved=bool(profile))


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
        names = {f.name for f in template.fields}
        prefill = Prefill(
            values,
            _provenance(form, "prerempli_profil", names),
            _provenance(form, "prerempli_courrier", names),
        )
        problems = dict(getattr(exc, "problems", None) or {})
        for item in getattr(exc, "missing", ()):
            problems.setdefault(item.name, "Ce champ est obligatoire.")
        return template_page(
            request,
            template,
            prefill,
            letter_name=form.get("courrier_nom", "")[:200] or None,
            error=sentence(str(exc).split(":\n")[0]),
            problems={k: sentence(str(v)) for k, v in problems.items()},
            status_code=400,
        )
    created = workspace.new_request(user.login, task="draft", title=template.title, prompt=text)
    return redirect(_requests_path(created.id))
