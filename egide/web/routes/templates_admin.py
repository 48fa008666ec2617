"""``/admin/modeles-de-documents``: the shared drafting templates, for ambassadeurs IA and
administrators — add one (checked before it is saved), download, delete.

Templates are files in ``EGIDE_HOME/modeles/`` (docs/gabarits.md); the portal writes there the
file it was given, once :func:`egide.tasks.templates.parse_template` accepted it, so that a
broken template never reaches the agents' list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, File, Request, UploadFile
from starlette.responses import Response

from egide.auth import Role, User
from egide.files import write_atomic
from egide.tasks.templates import (
    ADMIN_FOLDER,
    MAX_TEMPLATE_BYTES,
    TEMPLATE_SUFFIX,
    InvalidTemplate,
    TemplateSource,
    load_templates,
    parse_template,
)
from egide.tasks.templates.render import fold
from egide.web.deps import PortalDep, portal_router, require_role
from egide.web.forms import redirect, sentence, uploaded
from egide.web.templating import render

__all__ = ["router"]

router = portal_router()

Manager = Annotated[User, Depends(require_role(Role.ADMINISTRATEUR, Role.AMBASSADEUR))]
_DONE = {
    "ajoute": "Le modèle est ajouté : les agents le trouvent dès maintenant dans « Rédiger ».",
    "supprime": "Le modèle est supprimé.",
}


def _folder(portal: PortalDep) -> Path:
    return Path(portal.settings.home) / ADMIN_FOLDER


def _page(
    request: Request, portal: PortalDep, *, error: str | None = None, status_code: int = 200
) -> Response:
    library = load_templates(portal.settings.home)
    context = {
        "templates": list(library),
        "broken": library.broken,
        "error": error,
        "message": _DONE.get(request.query_params.get("fait", "")),
        "folder": _folder(portal),
    }
    return render(request, "admin_modeles_documents.html", context, status_code=status_code)


@router.get("/admin/modeles-de-documents")
def templates_page(request: Request, manager: Manager, portal: PortalDep) -> Response:
    return _page(request, portal)


@router.post("/admin/modeles-de-documents")
def add_template(
    request: Request,
    manager: Manager,
    portal: PortalDep,
    fichier: Annotated[UploadFile | None, File()] = None,
) -> Response:
    files = uploaded(fichier)
    if not files:
        return _page(
            request, portal, error="Choisissez le fichier du modèle (.md).", status_code=400
        )
    name, data = files[0]
    stem = fold(Path(name).stem).replace("_", "-")
    if not name.lower().endswith(TEMPLATE_SUFFIX) or not stem:
        return _page(
            request, portal, error="Le modèle doit être un fichier .md (voir la documentation).",
            status_code=400,
        )  # fmt: skip
    if len(data) > MAX_TEMPLATE_BYTES:
        return _page(
            request, portal, error="Fichier trop volumineux pour un modèle (256 Kio au plus).",
            status_code=413,
        )  # fmt: skip
    try:
        text = data.decode("utf-8")
        template = parse_template(text, _folder(portal) / f"{stem}.md", source=TemplateSource.ADMIN)
    except UnicodeDecodeError:
        return _page(
            request, portal, error="Le fichier n'est pas en UTF-8 : réenregistrez-le en UTF-8.",
            status_code=400,
        )  # fmt: skip
    except InvalidTemplate as exc:
        return _page(request, portal, error=sentence(str(exc)), status_code=400)
    # Saved under the name it declares: adding it again replaces it, whatever the upload's name.
    target = _folder(portal) / f"{template.name}{TEMPLATE_SUFFIX}"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, text.encode("utf-8"))
    portal.record(manager.login, "template_added", template=template.name)
    return redirect("/admin/modeles-de-documents?fait=ajoute")


def _admin_template(portal: PortalDep, name: str) -> Path | None:
    for template in load_templates(portal.settings.home):
        if template.name == name and template.source is TemplateSource.ADMIN:
            return template.path
    return None


@router.get("/admin/modeles-de-documents/{name}")
def download_template(name: str, manager: Manager, portal: PortalDep) -> Response:
    for template in load_templates(portal.settings.home):
        if template.name == name:
            return Response(
                template.path.read_bytes(),
                media_type="text/markdown; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{template.path.name}"'},
            )
    return redirect("/admin/modeles-de-documents")


@router.post("/admin/modeles-de-documents/{name}/supprimer")
def delete_template(name: str, manager: Manager, portal: PortalDep) -> Response:
    path = _admin_template(portal, name)
    if path is not None:
        path.unlink(missing_ok=True)
        portal.record(manager.login, "template_deleted", template=name)
    return redirect("/admin/modeles-de-documents?fait=supprime")
