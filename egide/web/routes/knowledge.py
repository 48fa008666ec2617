"""``/base``: the knowledge base in the portal — collections, upload, search, cited answers.

Every page needs a fully signed-in user; a collection the user may not read answers like a
missing one (404). Curators (administrators; ambassadeurs for their service's collections)
upload and remove documents. Uploaded files are read through :mod:`egide.documents` (sandboxed
workers) and scanned by the guard like any upload; their vectors are computed in the
background, the page showing how far it got. Asking the base keeps the retrieved passages as
the documents of a workspace request: the agent then sees the usual preview (what was found,
which models may receive it) before anything is sent, and the answer is a draft.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends, File, Form, Request, UploadFile
from starlette.responses import Response

from egide.auth import User
from egide.knowledge import CollectionNotFound, DocumentNotFound, KnowledgeBase, KnowledgeError
from egide.knowledge.access import can_create, can_curate, can_read, visible
from egide.knowledge.answers import model_ceiling, passage_document, retrieve, withheld_note
from egide.knowledge.ingest import FileOutcome
from egide.knowledge.records import CollectionRecord
from egide.knowledge.snippets import marked_runs
from egide.knowledge.task import TASK_NAME
from egide.policy.decide import AUTO
from egide.policy.levels import Level
from egide.runtime import Runtime
from egide.web.deps import CurrentUser, WorkspaceDep, portal_router
from egide.web.forms import redirect, sentence, uploaded
from egide.web.templating import render

__all__ = ["router"]

router = portal_router()
_MAX_QUESTION = 2_000
_MAX_FILES = 50
_ACCEPT = ".pdf,.docx,.odt,.eml,.html,.htm,.txt,.md"
_RESULTS = 10


def get_knowledge(request: Request) -> KnowledgeBase:
    """The process's one knowledge base, built at its composition root (the runtime)."""
    runtime: Runtime = request.app.state.runtime
    return runtime.knowledge()


KnowledgeDep = Annotated[KnowledgeBase, Depends(get_knowledge)]


def _readable(kb: KnowledgeBase, user: User, name: str) -> CollectionRecord:
    collection = kb.collection(name)  # CollectionNotFound: the portal's 404
    if not can_read(user, collection):
        raise CollectionNotFound("collection inconnue")
    return collection


def _curated(kb: KnowledgeBase, user: User, name: str) -> CollectionRecord:
    collection = _readable(kb, user, name)
    if not can_curate(user, collection):
        raise CollectionNotFound("collection inconnue")
    return collection


def _collections_page(
    request: Request,
    kb: KnowledgeBase,
    user: User,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    rows = []
    for collection in visible(user, kb.collections()):
        documents, passages, embedded = kb.repo.counts(collection.id)
        rows.append((collection, documents, passages, embedded))
    context = {
        "rows": rows,
        "error": error,
        "may_create": can_create(user, user.service),
        "is_admin": user.role.value == "administrateur",
        "levels": [level for level in Level if level <= kb.options.max_level],
        "default_level": kb.options.default_max_level,
        "user_service": user.service,
    }
    return render(request, "kb_collections.html", context, status_code=status_code)


@router.get("/base")
def collections(request: Request, user: CurrentUser, kb: KnowledgeDep) -> Response:
    return _collections_page(request, kb, user)


@router.post("/base")
def create_collection(
    request: Request,
    user: CurrentUser,
    kb: KnowledgeDep,
    name: Annotated[str, Form(max_length=64)],
    title: Annotated[str, Form(max_length=200)] = "",
    scope: Annotated[str, Form(max_length=16)] = "service",
    max_level: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    service = user.service if scope == "service" else None
    if not can_create(user, service):
        return _collections_page(
            request, kb, user, status_code=403,
            error="Vous ne pouvez créer qu'une collection de votre service (ambassadeurs) ; "
            "les collections de tout le ministère sont créées par un administrateur.",
        )  # fmt: skip
    try:
        level = Level.parse(max_level) if max_level else None
        created = kb.create_collection(
            name.strip(), user=user.login, title=title.strip() or None, service=service,
            max_level=level,
        )  # fmt: skip
    except (KnowledgeError, ValueError) as exc:
        return _collections_page(request, kb, user, error=sentence(str(exc)), status_code=400)
    return redirect(f"/base/{created.name}")


def _collection_page(
    request: Request,
    kb: KnowledgeBase,
    user: User,
    collection: CollectionRecord,
    *,
    query: str = "",
    report: Sequence[FileOutcome] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    curator = can_curate(user, collection)
    documents, passages, embedded = kb.repo.counts(collection.id)
    results = []
    withheld = 0
    if query:
        # The agent reads the whole collection it may see; levels matter for models only.
        result = kb.search(
            collection, query, user=user.login, max_level=collection.max_level, k=_RESULTS
        )
        withheld = result.withheld
        shown: list[str] = []
        best: list[int] = []
        for hit in result.hits:
            if hit.document_id not in shown:
                shown.append(hit.document_id)
                best.append(hit.passage_id)
            if len(shown) == _RESULTS:
                break
        found = kb.passages(best)
        results = [(found[i], marked_runs(found[i].text, query)) for i in best if i in found]
    context = {
        "collection": collection,
        "curator": curator,
        "documents": kb.repo.documents(collection.id) if curator else [],
        "counts": (documents, passages, embedded),
        "embedding": kb.embedding_running(collection.id),
        "query": query,
        "results": results,
        "withheld": withheld,
        "report": report,
        "error": error,
        "accept": _ACCEPT,
        "max_files": _MAX_FILES,
        "models": [AUTO, *(m.name for m in kb.settings.models)],
    }
    return render(request, "kb_collection.html", context, status_code=status_code)


@router.get("/base/{name}")
def collection_page(request: Request, name: str, user: CurrentUser, kb: KnowledgeDep) -> Response:
    collection = _readable(kb, user, name)
    query = request.query_params.get("q", "")[:_MAX_QUESTION].strip()
    return _collection_page(request, kb, user, collection, query=query)


@router.post("/base/{name}/documents")
def upload_documents(
    request: Request,
    name: str,
    user: CurrentUser,
    kb: KnowledgeDep,
    documents: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    collection = _curated(kb, user, name)
    files = uploaded(documents)
    if not files:
        return _collection_page(
            request, kb, user, collection, error="Choisissez au moins un document.",
            status_code=400,
        )  # fmt: skip
    if len(files) > _MAX_FILES:
        return _collection_page(
            request, kb, user, collection, status_code=400,
            error=f"{len(files)} fichiers : {_MAX_FILES} au plus par envoi. Envoyez-les en "
            "plusieurs fois, ou utilisez « egide kb add » pour un dossier entier.",
        )  # fmt: skip
    report = [
        kb.ingest_bytes(collection, file_name, data, user=user.login) for file_name, data in files
    ]
    kb.embed_in_background(collection)
    return _collection_page(request, kb, user, collection, report=report)


@router.post("/base/{name}/vecteurs")
def start_vectors(request: Request, name: str, user: CurrentUser, kb: KnowledgeDep) -> Response:
    """Start (or resume) the embedding pass, e.g. after « egide kb add --sans-vecteurs »."""
    collection = _curated(kb, user, name)
    kb.embed_in_background(collection)
    return redirect(f"/base/{collection.name}")


@router.post("/base/{name}/documents/{document_id}/supprimer")
def delete_document(
    request: Request, name: str, document_id: str, user: CurrentUser, kb: KnowledgeDep
) -> Response:
    collection = _curated(kb, user, name)
    record = kb.repo.document(collection.id, document_id)  # DocumentNotFound: 404
    kb.delete_document(collection, record.key, user=user.login)
    return redirect(f"/base/{collection.name}")


@router.get("/base/{name}/passages/{passage_id}")
def passage_page(
    request: Request, name: str, passage_id: int, user: CurrentUser, kb: KnowledgeDep
) -> Response:
    collection = _readable(kb, user, name)
    if kb.repo.passage_collection(passage_id) != collection.id:
        raise DocumentNotFound("passage inconnu")
    passage = kb.passages([passage_id])[passage_id]
    ids = kb.repo.document_passage_ids(passage.document_id)
    position = ids.index(passage_id)
    around = kb.passages(ids[max(0, position - 1) : position + 2])
    query = request.query_params.get("q", "")[:_MAX_QUESTION]
    context = {
        "collection": collection,
        "passage": passage,
        "runs": marked_runs(passage.text, query, width=10**6) if query else [(passage.text, False)],
        "previous": around.get(ids[position - 1]) if position > 0 else None,
        "following": around.get(ids[position + 1]) if position + 1 < len(ids) else None,
        "position": position + 1,
        "total": len(ids),
        "query": query,
    }
    return render(request, "kb_passage.html", context)


@router.post("/base/{name}/question")
def ask_collection(
    request: Request,
    name: str,
    user: CurrentUser,
    kb: KnowledgeDep,
    workspace: WorkspaceDep,
    question: Annotated[str, Form(max_length=_MAX_QUESTION)],
    model: Annotated[str, Form(max_length=64)] = AUTO,
) -> Response:
    """Retrieve the passages the chosen model may receive, keep them as the documents of a
    request, and show them before the usual preview."""
    collection = _readable(kb, user, name)
    question = question.strip()
    if not question:
        return _collection_page(
            request, kb, user, collection, error="Écrivez votre question.", status_code=400
        )
    known = {m.name for m in kb.settings.models}
    model = model if model in known else AUTO
    ceiling = model_ceiling(kb.settings, model)
    if ceiling is None:
        return _collection_page(
            request, kb, user, collection, status_code=403,
            error=f"Le modèle « {model} » ne peut recevoir aucun passage selon la charte : "
            "choisissez un modèle interne.",
        )  # fmt: skip
    ceiling = min(ceiling, collection.max_level)
    result, passages = retrieve(
        kb, collection, question, user=user.login, ceiling=ceiling,
        limit=kb.settings.knowledge.answer_passages,
    )  # fmt: skip
    note = withheld_note(result.withheld, ceiling, model) if result.withheld else None
    created = None
    if passages:
        records = [
            workspace.uploads.save(
                user.login, passage_document(number, passage), size_bytes=len(passage.text)
            )
            for number, passage in enumerate(passages, start=1)
        ]
        created = workspace.new_request(
            user.login,
            task=TASK_NAME,
            title=f"Question à la base « {collection.title} »",
            prompt=question,
            documents=records,
        )
    context = {
        "collection": collection,
        "question": question,
        "passages": passages,
        "note": note,
        "request_id": created.id if created else None,
        "model": model,
    }
    return render(request, "kb_question.html", context)
