"""``/espace/repondre``: draft a reply from the incoming letter itself.

The agent uploads the letter and chooses a template; Égide reads the letter on this machine
(the guard and a few patterns: sender, address, date, object, reference — nothing is sent to a
model) and opens the template's form with those fields pre-filled, marked « d'après le courrier :
vérifiez », next to the agent's saved defaults. The letter is not kept: its values are in the
form, which then goes through the preview like any draft.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from starlette.responses import Response

from egide.auth import User
from egide.documents import DocumentError, read_document_bytes
from egide.store.profiles import ProfileStore
from egide.tasks.templates import TemplateError, load_templates
from egide.web.deps import CurrentUser, WorkspaceDep, portal_router
from egide.web.forms import sentence, uploaded
from egide.web.routes.tasks import ACCEPT, status_of, template_page
from egide.web.templating import render
from egide.workspace import Workspace
from egide.workspace.letters import LETTER_SPELLINGS, read_letter
from egide.workspace.prefill import Prefill

__all__ = ["router"]

router = portal_router()
_SHOWN_CHARS = 20_000
# Templates that answer someone come first in the choice.
_REPLY_KINDS = ("courrier_usager", "reponse_type", "courrier_administration")


def _page(
    request: Request,
    workspace: Workspace,
    *,
    chosen: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    library = list(load_templates(workspace.settings.home))
    library.sort(key=lambda t: (t.kind not in _REPLY_KINDS, t.title))
    context = {"templates": library, "chosen": chosen, "error": error, "accept": ACCEPT}
    return render(request, "repondre.html", context, status_code=status_code)


@router.get("/espace/repondre")
def reply_form(request: Request, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    return _page(request, workspace, chosen=request.query_params.get("modele", "")[:128])


@router.post("/espace/repondre")
def reply_prefill(
    request: Request,
    user: CurrentUser,
    workspace: WorkspaceDep,
    courrier: Annotated[UploadFile | None, File()] = None,
    modele: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    return _prefilled(request, user, workspace, uploaded(courrier), modele)


def _prefilled(
    request: Request,
    user: User,
    workspace: Workspace,
    files: list[tuple[str, bytes]],
    name: str,
) -> Response:
    try:
        template = load_templates(workspace.settings.home).get(name)
    except TemplateError:
        return _page(
            request, workspace, error="Choisissez le modèle de la réponse.", status_code=400
        )
    if not files:
        return _page(
            request,
            workspace,
            chosen=name,
            error="Choisissez le courrier reçu (PDF, DOCX, ODT, EML, HTML ou TXT).",
            status_code=400,
        )
    letter_name, data = files[0]
    try:
        document = read_document_bytes(data, name=letter_name)
    except DocumentError as exc:
        return _page(
            request,
            workspace,
            chosen=name,
            error=sentence(exc.message),
            status_code=status_of(exc),
        )
    facts = read_letter(document, workspace.assistant.guard)
    profile = ProfileStore(workspace.store).get(user.login)
    prefill = Prefill.build(
        template, profile=profile, letter=facts.values, letter_spellings=LETTER_SPELLINGS
    )
    return template_page(
        request,
        template,
        prefill,
        letter_name=document.source,
        letter_text=document.text[:_SHOWN_CHARS],
        profile_saved=bool(profile),
    )
