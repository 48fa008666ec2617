"""``/espace/lots``: repetitive work — a draft per spreadsheet row, a summary per document.

Creating a batch analyses every item first (level, findings, allowed models); the agent reads
that analysis, picks a model and launches; progress is followed on the page (the portal's
script asks ``/etat`` every few seconds); results are drafts in the agent's history.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from starlette.responses import JSONResponse, Response

from egide.config import Settings
from egide.documents import UPLOAD_ACCEPT, DocumentError
from egide.spreadsheets import csv_bytes
from egide.store.batches import BatchJobRecord, BatchStatus
from egide.tasks.batch import PENDING_FR
from egide.tasks.summarize import LENGTHS
from egide.tasks.templates import load_templates
from egide.web.deps import CurrentUser, WorkspaceDep, portal_router
from egide.web.forms import redirect, sentence, uploaded
from egide.web.routes.tasks import LENGTH_LABELS
from egide.web.templating import render
from egide.workspace import Workspace
from egide.workspace.batches import MAX_PORTAL_ITEMS, BatchError

__all__ = ["router"]

router = portal_router()
_MAX_DOCUMENTS = 50
_TABLE_ACCEPT = ".csv,.xlsx,.xlsm"
_DOC_ACCEPT = UPLOAD_ACCEPT
_LIVE = (BatchStatus.ANALYSING, BatchStatus.RUNNING)


def _path(job_id: str) -> str:
    return f"/espace/lots/{job_id}"


def _list_page(
    request: Request,
    workspace: Workspace,
    owner: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "jobs": workspace.batches.jobs.list(owner),
        "templates": list(load_templates(workspace.settings.home)),
        "lengths": LENGTH_LABELS,
        "error": error,
        "table_accept": _TABLE_ACCEPT,
        "doc_accept": _DOC_ACCEPT,
        "max_items": MAX_PORTAL_ITEMS,
        "max_documents": _MAX_DOCUMENTS,
        "message": "Le lot est supprimé ; ses brouillons restent dans votre historique."
        if request.query_params.get("supprime")
        else None,
    }
    return render(request, "lots.html", context, status_code=status_code)


@router.get("/espace/lots")
def batches(request: Request, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    return _list_page(request, workspace, user.login)


@router.post("/espace/lots/courriers")
def new_drafts(
    request: Request,
    user: CurrentUser,
    workspace: WorkspaceDep,
    modele: Annotated[str, Form(max_length=128)] = "",
    tableau: Annotated[UploadFile | None, File()] = None,
) -> Response:
    files = uploaded(tableau)
    if not files:
        return _list_page(
            request, workspace, user.login, error="Choisissez le tableau (CSV ou XLSX).",
            status_code=400,
        )  # fmt: skip
    name, data = files[0]
    try:
        record = workspace.batches.create_drafts(user.login, template=modele, name=name, data=data)
    except BatchError as exc:
        return _list_page(request, workspace, user.login, error=sentence(str(exc)), status_code=400)
    return redirect(_path(record.id))


@router.post("/espace/lots/resumes")
def new_summaries(
    request: Request,
    user: CurrentUser,
    workspace: WorkspaceDep,
    length: Annotated[str, Form(max_length=16)] = "court",
    documents: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    files = uploaded(documents)
    if len(files) > _MAX_DOCUMENTS:
        return _list_page(
            request, workspace, user.login,
            error=f"Déposez au plus {_MAX_DOCUMENTS} documents par lot.", status_code=400,
        )  # fmt: skip
    try:
        records = workspace.upload_all(user.login, files)
    except DocumentError as exc:
        return _list_page(
            request, workspace, user.login, error=sentence(exc.message), status_code=400
        )
    try:
        record = workspace.batches.create_summaries(
            user.login, uploads=records, length=length if length in LENGTHS else "court"
        )
    except BatchError as exc:
        workspace.uploads.delete([r.id for r in records], owner=user.login)
        return _list_page(request, workspace, user.login, error=sentence(str(exc)), status_code=400)
    return redirect(_path(record.id))


def _allowed_counts(record: BatchJobRecord, settings: Settings) -> list[tuple[str, str, int]]:
    """(model, tier, number of items it may receive), in the charter's order of preference."""
    rows = []
    for model in sorted(settings.models, key=lambda m: m.tier.preference):
        count = sum(1 for item in record.analysis if model.name in item.get("allowed", ()))
        rows.append((model.name, model.tier.label_fr, count))
    return rows


def _report_rows(workspace: Workspace, record: BatchJobRecord) -> list[dict[str, str]]:
    entries = workspace.batches.entries(record)
    rows = []
    for item in record.analysis:
        entry = entries.get(str(item["key"]))
        rows.append(
            {
                "label": str(item["label"]),
                "status": entry.status.label_fr if entry else PENDING_FR,
                "draft": entry.draft or "" if entry else "",
                "reason": entry.reason if entry else str(item.get("problem", "")),
            }
        )
    return rows


@router.get("/espace/lots/{job_id}")
def batch_page(
    request: Request, job_id: str, user: CurrentUser, workspace: WorkspaceDep
) -> Response:
    record = workspace.batches.jobs.get(job_id, owner=user.login)
    progress = workspace.batches.progress(record)
    context = {
        "job": record,
        "progress": progress,
        "live": record.status in _LIVE,
        "models": _allowed_counts(record, workspace.settings),
        "rows": _report_rows(workspace, record) if record.status not in _LIVE else [],
        "problems": sum(1 for item in record.analysis if item.get("problem")),
        "error": record.error,
        "length_label": LENGTH_LABELS.get(record.length or ""),
    }
    return render(request, "lot.html", context)


@router.get("/espace/lots/{job_id}/etat")
def batch_state(job_id: str, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    record = workspace.batches.jobs.get(job_id, owner=user.login)
    progress = workspace.batches.progress(record)
    message = (
        "Analyse des éléments en cours…"
        if record.status is BatchStatus.ANALYSING
        else progress.message
    )
    return JSONResponse(
        {
            "status": record.status.value,
            "done": progress.processed,
            "total": progress.total,
            "message": message,
            "finished": record.status not in _LIVE,
        }
    )


@router.get("/espace/lots/{job_id}/elements/{index}")
def batch_item(
    request: Request, job_id: str, index: int, user: CurrentUser, workspace: WorkspaceDep
) -> Response:
    record = workspace.batches.jobs.get(job_id, owner=user.login)
    try:
        item, texts = workspace.batches.item_preview(record, index)
    except IndexError:
        return redirect(_path(job_id))
    except ValueError as exc:
        return render(
            request,
            "erreur.html",
            {"status_code": 400, "title": "Élément inutilisable", "message": sentence(str(exc))},
            status_code=400,
        )
    analysis = record.analysis[index] if index < len(record.analysis) else {}
    context = {"job": record, "item": item, "texts": texts, "index": index, "analysis": analysis}
    return render(request, "lot_element.html", context)


@router.post("/espace/lots/{job_id}/lancer")
def launch(
    request: Request,
    job_id: str,
    user: CurrentUser,
    workspace: WorkspaceDep,
    modele: Annotated[str, Form(max_length=64)] = "auto",
) -> Response:
    try:
        workspace.batches.launch(job_id, owner=user.login, model=modele)
    except BatchError as exc:
        record = workspace.batches.jobs.get(job_id, owner=user.login)
        workspace.batches.jobs.update(
            job_id, owner=user.login, status=record.status, error=sentence(str(exc))
        )
    return redirect(_path(job_id))


@router.post("/espace/lots/{job_id}/arreter")
def stop(job_id: str, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    workspace.batches.stop(job_id, owner=user.login)
    return redirect(_path(job_id))


@router.post("/espace/lots/{job_id}/supprimer")
def delete(job_id: str, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    workspace.batches.delete(job_id, owner=user.login)
    return redirect("/espace/lots?supprime=1")


@router.get("/espace/lots/{job_id}/rapport.csv")
def report(job_id: str, user: CurrentUser, workspace: WorkspaceDep) -> Response:
    record = workspace.batches.jobs.get(job_id, owner=user.login)
    rows = [
        [row["label"], row["status"], row["draft"], row["reason"]]
        for row in _report_rows(workspace, record)
    ]
    # Built here from the sealed analysis and journal: the report never lies in clear on disk.
    return Response(
        csv_bytes(["element", "statut", "brouillon", "raison"], rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="rapport-lot.csv"'},
    )
