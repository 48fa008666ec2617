"""``/espace/lots``: repetitive work — a draft per spreadsheet row, a summary per document.

A template's example spreadsheet is downloaded from the list (``/espace/lots/exemple``).
Creating a batch of letters matches the spreadsheet's columns to the template's fields; when
Égide is unsure, the agent checks them first (``/colonnes``), and sets the values that are the
same for every row. Every item is then analysed (level, findings, allowed models); the agent
reads that analysis, picks a model and launches; progress is followed on the page (the portal's
script asks ``/etat`` every few seconds); results are drafts in the agent's history, and one
ZIP holds every letter and the report (``/courriers.zip``), built as it is downloaded.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response, StreamingResponse

from egide.config import Settings
from egide.documents import UPLOAD_ACCEPT, DocumentError
from egide.spreadsheets import csv_bytes
from egide.store.batches import BatchJobRecord, BatchStatus
from egide.tasks.batch_archive import safe_file_name
from egide.tasks.batch_sheets import example_csv, example_xlsx, field_rule
from egide.tasks.exporting import EXPORT_FORMATS
from egide.tasks.summarize import LENGTHS
from egide.tasks.tables import TableError
from egide.tasks.templates import TemplateError, load_templates
from egide.web.deps import CurrentUser, WorkspaceDep, portal_router
from egide.web.forms import redirect, sentence, uploaded
from egide.web.routes.tasks import LENGTH_LABELS
from egide.web.templating import render
from egide.workspace import Workspace
from egide.workspace.batch_columns import ColumnsRefused, ColumnsView
from egide.workspace.batch_results import REPORT_HEADER
from egide.workspace.batches import MAX_PORTAL_ITEMS, BatchError

__all__ = ["router"]

router = portal_router()
_MAX_DOCUMENTS = 50
_TABLE_ACCEPT = ".csv,.xlsx,.xlsm"
_DOC_ACCEPT = UPLOAD_ACCEPT
_LIVE = (BatchStatus.ANALYSING, BatchStatus.RUNNING)
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAX_VALUE = 5_000


def _attachment(name: str) -> dict[str, str]:
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    return {
        "Content-Disposition": f'attachment; filename="{ascii_name}"; '
        f"filename*=UTF-8''{quote(name)}"
    }


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
    if record.status is BatchStatus.COLUMNS:
        return redirect(_path(record.id) + "/colonnes")
    return redirect(_path(record.id))


@router.get("/espace/lots/exemple")
def example_sheet(
    request: Request, user: CurrentUser, workspace: WorkspaceDep, modele: str = "",
    format: str = "xlsx",
) -> Response:  # fmt: skip
    """A template's example spreadsheet: one column per field, one row of examples."""
    try:
        template = load_templates(workspace.settings.home).get(modele[:128])
    except TemplateError as exc:
        return _list_page(request, workspace, user.login, error=sentence(str(exc)), status_code=404)
    if format == "csv":
        data, media = example_csv(template), "text/csv; charset=utf-8"
    else:
        format, data, media = "xlsx", example_xlsx(template), _XLSX
    name = safe_file_name(f"exemple-{template.name}", format, set())
    return Response(data, media_type=media, headers=_attachment(name))


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
    """(model, tier, number of valid items it may receive), in the charter's order of
    preference. An invalid item goes to no model: it is not counted as refused."""
    rows = []
    for model in sorted(settings.models, key=lambda m: m.tier.preference):
        count = sum(1 for item in record.analysis if model.name in item.get("allowed", ()))
        rows.append((model.name, model.tier.label_fr, count))
    return rows


def _columns_summary(workspace: Workspace, record: BatchJobRecord) -> ColumnsView | None:
    if record.kind != "draft" or record.status in _LIVE:
        return None
    try:
        return workspace.batches.columns_view(record)
    except (TemplateError, TableError):
        return None  # the batch page says what it can; the error shows when it is launched


@router.get("/espace/lots/{job_id}")
def batch_page(
    request: Request, job_id: str, user: CurrentUser, workspace: WorkspaceDep
) -> Response:
    record = workspace.batches.jobs.get(job_id, owner=user.login)
    if record.status is BatchStatus.COLUMNS:
        return redirect(_path(job_id) + "/colonnes")
    progress = workspace.batches.progress(record)
    invalid = sum(1 for item in record.analysis if item.get("problem"))
    context = {
        "job": record,
        "progress": progress,
        "live": record.status in _LIVE,
        "models": _allowed_counts(record, workspace.settings),
        "rows": workspace.batches.report_rows(record) if record.status not in _LIVE else [],
        "problems": invalid,
        "valid": len(record.analysis) - invalid,
        "error": record.error,
        "length_label": LENGTH_LABELS.get(record.length or ""),
        "columns": _columns_summary(workspace, record),
        "formats": EXPORT_FORMATS,
        "letters": sum(1 for e in workspace.batches.entries(record).values() if e.draft),
    }
    return render(request, "lot.html", context)


# --- the column step ---------------------------------------------------------------------------


def _columns_page(
    request: Request,
    record: BatchJobRecord,
    view: ColumnsView,
    *,
    chosen: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    guessed: set[str] = set()
    if chosen is None:  # Égide's proposal: say which columns it only guessed
        chosen = {c.field.name: c.column or "" for c in view.plan.choices}
        guessed = {c.field.name for c in view.plan.guesses}
    context = {
        "job": record,
        "view": view,
        "chosen": chosen,
        "guessed": guessed,
        "values": view.values if values is None else values,
        "problems": {name: text.rstrip(".") for name, text in (problems or {}).items()},
        "rules": {item.name: field_rule(view.template, item) for item in view.template.fields},
        "ignored": [c for c in view.columns if c not in set(chosen.values())],
        "error": error,
    }
    return render(request, "lot_colonnes.html", context, status_code=status_code)


def _columns_or_error(request: Request, workspace: Workspace, record: BatchJobRecord) -> Response:
    try:
        view = workspace.batches.columns_view(record)
    except (TemplateError, TableError) as exc:
        context = {
            "status_code": 400,
            "title": "Tableau inutilisable",
            "message": sentence(str(exc)),
        }
        return render(request, "erreur.html", context, status_code=400)
    return _columns_page(request, record, view)


@router.get("/espace/lots/{job_id}/colonnes")
def columns_form(
    request: Request, job_id: str, user: CurrentUser, workspace: WorkspaceDep
) -> Response:
    record = workspace.batches.jobs.get(job_id, owner=user.login)
    if record.kind != "draft" or record.model is not None:
        return redirect(_path(job_id))
    return _columns_or_error(request, workspace, record)


@router.post("/espace/lots/{job_id}/colonnes")
async def columns_submit(
    request: Request, job_id: str, user: CurrentUser, workspace: WorkspaceDep
) -> Response:
    # The fields depend on the template: the form is read whole, the rest runs in a thread.
    form = await request.form()
    submitted = {key: value[:_MAX_VALUE] for key, value in form.items() if isinstance(value, str)}
    return await run_in_threadpool(
        _columns_submit, request, job_id, user.login, workspace, submitted
    )


def _columns_submit(
    request: Request, job_id: str, owner: str, workspace: Workspace, form: dict[str, str]
) -> Response:
    record = workspace.batches.jobs.get(job_id, owner=owner)
    columns = {key[len("colonne_"):]: value for key, value in form.items()
               if key.startswith("colonne_")}  # fmt: skip
    values = {key[len("valeur_"):]: value for key, value in form.items()
              if key.startswith("valeur_")}  # fmt: skip
    try:
        workspace.batches.set_columns(job_id, owner=owner, columns=columns, values=values)
    except ColumnsRefused as exc:
        view = workspace.batches.columns_view(record)
        return _columns_page(
            request, record, view, chosen=columns, values=values, problems=exc.problems,
            error=sentence(str(exc)) + " Vos choix sont conservés ci-dessous.", status_code=400,
        )  # fmt: skip
    except BatchError as exc:
        workspace.batches.jobs.update(
            job_id, owner=owner, status=record.status, error=sentence(str(exc))
        )
    return redirect(_path(job_id))


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
        for row in workspace.batches.report_rows(record)
    ]
    # Built here from the sealed analysis and journal: the report never lies in clear on disk.
    return Response(
        csv_bytes(REPORT_HEADER, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="rapport-lot.csv"'},
    )


@router.get("/espace/lots/{job_id}/courriers.zip")
def archive(
    job_id: str, user: CurrentUser, workspace: WorkspaceDep, format: str = "docx"
) -> Response:
    """Every result of the batch in DOCX or ODT, and the report: one ZIP, streamed as it is
    built from the drafts (decrypted for their owner only), never written on disk."""
    record = workspace.batches.jobs.get(job_id, owner=user.login)
    if format not in EXPORT_FORMATS or record.status in _LIVE:
        return redirect(_path(job_id))
    stem = "courriers" if record.kind == "draft" else "resumes"
    name = safe_file_name(f"{stem}-{record.template or 'lot'}-{format}", "zip", set())
    return StreamingResponse(
        workspace.batches.archive(record, format), media_type="application/zip",
        headers=_attachment(name),
    )  # fmt: skip
