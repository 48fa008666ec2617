"""``egide kb``: the knowledge base from the command line.

``add`` ingests files and folders (creating the collection with its defaults when missing),
then gives vectors to the new passages with its own progress bar: lexical search works from the
first document, and an interrupted embedding pass resumes with ``egide kb embed``. ``search``
is the contract other tools rely on (DESIGN.md); it loads neither the guard nor spaCy. ``ask``
answers through the pipeline, with citations. Every change and query is recorded in the audit
trail as ``cli:<system user>`` (or ``$EGIDE_USER``), with ids and counts only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egide.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    CliError,
    current_user,
    settings_from,
)

if TYPE_CHECKING:
    from egide.knowledge import KnowledgeBase
    from egide.knowledge.records import CollectionRecord

__all__ = ["register"]

_LEVELS = "public, interne, personnel, sensible, diffusion_restreinte"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    kb = subparsers.add_parser("kb", help="base documentaire : collections, ajout, recherche")
    actions = kb.add_subparsers(dest="kb_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="ajouter des fichiers ou des dossiers à une collection")
    add.add_argument("collection", metavar="COLLECTION")
    add.add_argument("paths", type=Path, nargs="+", metavar="CHEMIN")
    add.add_argument(
        "--prune", action="store_true",
        help="retirer de la collection les documents absents des chemins donnés",
    )  # fmt: skip
    add.add_argument(
        "--sans-vecteurs", dest="no_vectors", action="store_true",
        help="ne pas calculer les vecteurs maintenant (recherche lexicale seule ; "
        "« egide kb embed » les calcule plus tard)",
    )  # fmt: skip
    add.add_argument(
        "--rapport", type=Path, metavar="FICHIER",
        help="écrire le rapport par document (JSON, une ligne par fichier)",
    )  # fmt: skip
    add.set_defaults(handler=run_add)

    embed = actions.add_parser("embed", help="calculer les vecteurs manquants (reprise)")
    embed.add_argument("collection", metavar="COLLECTION")
    embed.set_defaults(handler=run_embed)

    search = actions.add_parser("search", help="rechercher dans une collection")
    search.add_argument("collection", metavar="COLLECTION")
    search.add_argument("question", nargs="?", metavar="QUESTION")
    search.add_argument(
        "--queries", type=Path, metavar="ENTREE.jsonl",
        help='questions, une ligne JSON {"id", "question"} chacune',
    )  # fmt: skip
    search.add_argument("-o", "--output", type=Path, metavar="SORTIE.jsonl")
    search.add_argument("-k", type=int, default=10, metavar="N", help="documents par question")
    search.add_argument(
        "--lexical", action="store_true", help="recherche lexicale seule (BM25, sans vecteurs)"
    )
    search.set_defaults(handler=run_search)

    ask = actions.add_parser("ask", help="poser une question à une collection (réponse citée)")
    ask.add_argument("collection", metavar="COLLECTION")
    ask.add_argument("question", metavar="QUESTION")
    ask.add_argument(
        "--model", default="auto", metavar="NOM",
        help="modèle à utiliser, ou « auto » (le plus protecteur permis par la charte)",
    )  # fmt: skip
    ask.set_defaults(handler=run_ask)

    create = actions.add_parser("create", help="créer une collection")
    create.add_argument("collection", metavar="COLLECTION")
    create.add_argument("--title", metavar="TITRE", help="intitulé montré aux agents")
    create.add_argument(
        "--service", metavar="SERVICE",
        help="service propriétaire (sinon : tout le ministère)",
    )  # fmt: skip
    create.add_argument(
        "--max-level", metavar="NIVEAU", help=f"niveau maximal des documents ({_LEVELS})"
    )
    create.set_defaults(handler=run_create)

    listing = actions.add_parser("list", help="lister les collections")
    listing.set_defaults(handler=run_list)

    docs = actions.add_parser("docs", help="lister les documents d'une collection et leur niveau")
    docs.add_argument("collection", metavar="COLLECTION")
    docs.set_defaults(handler=run_docs)

    remove = actions.add_parser("rm", help="retirer un document d'une collection")
    remove.add_argument("collection", metavar="COLLECTION")
    remove.add_argument("document", metavar="DOCUMENT", help="identifiant (nom sans extension)")
    remove.set_defaults(handler=run_rm)

    drop = actions.add_parser("drop", help="supprimer une collection et tous ses documents")
    drop.add_argument("collection", metavar="COLLECTION")
    drop.add_argument("--confirm", action="store_true", help="confirmer la suppression")
    drop.set_defaults(handler=run_drop)

    allow = actions.add_parser(
        "allow-app", help="permettre à une application de chercher dans une collection"
    )
    allow.add_argument("collection", metavar="COLLECTION")
    allow.add_argument("app", metavar="APPLICATION")
    allow.set_defaults(handler=run_allow)

    deny = actions.add_parser("deny-app", help="retirer cette permission à une application")
    deny.add_argument("collection", metavar="COLLECTION")
    deny.add_argument("app", metavar="APPLICATION")
    deny.set_defaults(handler=run_deny)


# --- opening --------------------------------------------------------------------------------


def _open(args: argparse.Namespace) -> KnowledgeBase:
    from egide.audit import AuditError, AuditLog
    from egide.knowledge import KnowledgeBase
    from egide.store import StoreError, open_store

    settings = settings_from(args)
    try:
        store = open_store(settings)
        audit = AuditLog.open(settings)
    except (StoreError, AuditError) as exc:
        raise CliError(str(exc)) from None

    def assistant() -> Any:
        from egide.assistant import Assistant
        from egide.store.drafts import DraftStore

        return Assistant(settings, audit=audit, drafts=DraftStore(store))

    return KnowledgeBase(settings, store, audit=lambda: audit, assistant=assistant)


def _user() -> str:
    return f"cli:{current_user()}"


def _collection(kb: KnowledgeBase, name: str) -> CollectionRecord:
    from egide.knowledge import CollectionNotFound

    try:
        return kb.collection(name)
    except CollectionNotFound:
        known = ", ".join(c.name for c in kb.collections()) or "aucune"
        raise CliError(
            f"collection inconnue « {name} » (collections : {known}) ; "
            f"« egide kb add {name} CHEMIN » la crée"
        ) from None


def _guarded(action: Any) -> Any:
    """Audit or store failures in French, with the reassurance that nothing was half done."""
    from egide.audit import AuditError
    from egide.knowledge import KnowledgeError
    from egide.store import StoreError

    try:
        return action()
    except (AuditError, StoreError, KnowledgeError) as exc:
        raise CliError(str(exc)) from None


# --- add and embed ----------------------------------------------------------------------------


def run_add(args: argparse.Namespace) -> int:
    from rich.console import Console

    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        raise CliError(f"chemin introuvable : {', '.join(missing)}", EXIT_USAGE)
    kb = _open(args)
    console = Console(stderr=True)
    user = _user()
    collection, created = _guarded(lambda: kb.ensure_collection(args.collection, user=user))
    if created:
        console.print(
            f"Collection « {collection.name} » créée ({collection.scope_fr}, niveau maximal "
            f"« {collection.max_level.key} »)."
        )
    started = time.monotonic()
    with _progress(console) as progress:
        task = progress.add_task("Lecture et analyse", total=None)

        def advance(done: int, total: int, outcome: Any) -> None:
            progress.update(task, completed=done, total=total)

        outcomes, skipped = _guarded(
            lambda: kb.ingest_paths(collection, args.paths, user=user, progress=advance)
        )
    lexical_s = time.monotonic() - started
    pruned: list[str] = []
    if args.prune:
        keep = [o.key for o in outcomes]
        pruned = _guarded(lambda: kb.prune(collection, keep, user=user))
    _report(console, outcomes, skipped, pruned, lexical_s)
    if args.rapport:
        _write_report(args.rapport, outcomes)
    status = EXIT_OK if all(o.outcome.value not in ("erreur",) for o in outcomes) else EXIT_ERROR
    if not args.no_vectors:
        status = max(status, _embed(kb, collection, console))
    kb.close()
    return status


def _progress(console: Any) -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("reste"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def _report(
    console: Any, outcomes: list[Any], skipped: list[Path], pruned: list[str], seconds: float
) -> None:
    by_outcome = Counter(o.outcome for o in outcomes)
    passages = sum(o.passages for o in outcomes)
    levels = Counter(o.level.key for o in outcomes if o.level is not None and o.passages)
    console.print(
        f"{len(outcomes)} fichier(s) en {seconds:.0f} s : "
        + ", ".join(f"{n} {outcome.label_fr}(s)" for outcome, n in sorted(by_outcome.items()))
        + f" ; {passages} passage(s) indexé(s)"
        + (
            " ; niveaux : " + ", ".join(f"{level} {n}" for level, n in sorted(levels.items()))
            if levels
            else ""
        )
    )
    for outcome in outcomes:
        if outcome.outcome.value in ("refuse", "erreur"):
            console.print(f"  {outcome.name} : {outcome.outcome.label_fr} — {outcome.reason}")
    for path in skipped:
        console.print(f"  {path} : ignoré (type de fichier non pris en charge)")
    if pruned:
        console.print(f"{len(pruned)} document(s) retiré(s) : {', '.join(pruned[:20])}")


def _write_report(path: Path, outcomes: list[Any]) -> None:
    from egide.files import write_atomic

    lines = []
    for o in outcomes:
        lines.append(
            json.dumps(
                {
                    "id": o.key,
                    "fichier": o.name,
                    "resultat": o.outcome.value,
                    "raison": o.reason,
                    "niveau": o.level.key if o.level is not None else None,
                    "passages": o.passages,
                    "trouve": o.counts,
                    "categories": [
                        {"categorie": r.category, "libelle": r.label_fr, "nombre": r.count}
                        for r in o.reasons
                    ],
                    "avertissements": list(o.warnings),
                },
                ensure_ascii=False,
            )
        )
    try:
        write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))
    except OSError as exc:
        raise CliError(f"impossible d'écrire le rapport {path} : {exc.strerror}") from None


def _embed(kb: KnowledgeBase, collection: CollectionRecord, console: Any) -> int:
    from egide.knowledge import EncoderUnavailable

    _, total, embedded = kb.repo.counts(collection.id)
    if embedded >= total:
        return EXIT_OK
    try:
        with _progress(console) as progress:
            task = progress.add_task("Vecteurs", total=total, completed=embedded)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            _guarded(lambda: kb.embed_pending(collection, user=_user(), progress=advance))
    except EncoderUnavailable as exc:
        console.print(f"Vecteurs non calculés : {exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _, total, embedded = kb.repo.counts(collection.id)
        console.print(
            f"Interrompu : {embedded} passage(s) sur {total} ont leur vecteur, rien n'est perdu ; "
            f"reprenez avec « egide kb embed {collection.name} »."
        )
        raise
    return EXIT_OK


def run_embed(args: argparse.Namespace) -> int:
    from rich.console import Console

    kb = _open(args)
    collection = _collection(kb, args.collection)
    status = _embed(kb, collection, Console(stderr=True))
    kb.close()
    return status


# --- search and ask ---------------------------------------------------------------------------


def _read_queries(path: Path) -> list[tuple[str, str]]:
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CliError(f"impossible de lire {path} : {exc.strerror}") from None
    queries = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            queries.append((str(item["id"]), str(item["question"])))
        except (ValueError, KeyError, TypeError):
            raise CliError(
                f'{path}, ligne {number} : JSON {{"id", "question"}} attendu', EXIT_USAGE
            ) from None
    return queries


def run_search(args: argparse.Namespace) -> int:
    from egide.policy.levels import Level

    if (args.question is None) == (args.queries is None):
        raise CliError("donnez une QUESTION, ou --queries ENTREE.jsonl", EXIT_USAGE)
    if args.k < 1:
        raise CliError("-k doit être au moins 1", EXIT_USAGE)
    kb = _open(args)
    collection = _collection(kb, args.collection)
    user = _user()
    queries = _read_queries(args.queries) if args.queries else [("question", str(args.question))]
    lines = []
    for query_id, question in queries:
        result = _guarded(
            lambda question=question: kb.search(
                collection,
                question,
                user=user,
                max_level=Level.DIFFUSION_RESTREINTE,
                k=args.k,
                dense=not args.lexical,
            )
        )
        keys = kb.repo.doc_keys(result.document_ids[: args.k])
        ranked = [keys[d] for d in result.document_ids[: args.k] if d in keys]
        if args.queries:
            lines.append(json.dumps({"id": query_id, "ranked": ranked}, ensure_ascii=False))
        else:
            _print_hits(kb, result, question, args.k)
    kb.close()
    if args.queries:
        text = "\n".join(lines) + ("\n" if lines else "")
        if args.output:
            from egide.files import write_atomic

            write_atomic(args.output, text.encode("utf-8"))
        else:
            sys.stdout.write(text)
    return EXIT_OK


def _print_hits(kb: KnowledgeBase, result: Any, question: str, k: int) -> None:
    from egide.knowledge.snippets import snippet

    shown: list[str] = []
    passages = kb.passages([h.passage_id for h in result.hits])
    for hit in result.hits:
        if hit.document_id in shown:
            continue
        shown.append(hit.document_id)
        passage = passages[hit.passage_id]
        print(
            f"{len(shown)}. {passage.document_title} [{passage.document_key}, {passage.where_fr}]"
        )
        print(f"   {snippet(passage.text, question)}")
        if len(shown) == k:
            break
    if not shown:
        print("Aucun passage ne répond à cette question dans la collection.")


def run_ask(args: argparse.Namespace) -> int:
    from egide.assistant import PolicyRefused
    from egide.knowledge.answers import AnswerRefused, ask
    from egide.models import ModelError

    kb = _open(args)
    collection = _collection(kb, args.collection)
    try:
        answer = ask(kb, collection, args.question, user=_user(), model=args.model)
    except PolicyRefused as exc:
        raise CliError(str(exc), EXIT_REFUSED, kind="refus de la charte") from None
    except AnswerRefused as exc:
        raise CliError(str(exc), EXIT_REFUSED, kind="refus de la charte") from None
    except ModelError as exc:
        raise CliError(f"le modèle n'a pas pu répondre : {exc}") from None
    print(answer.text)
    if answer.sources:
        print("\nSources :")
        for number, passage in enumerate(answer.sources, start=1):
            print(
                f"[{number}] {passage.document_title} ({passage.document_key}, {passage.where_fr})"
            )
    for note in answer.notes:
        print(f"egide : remarque : {note}", file=sys.stderr)
    kb.close()
    return EXIT_OK


# --- curation ---------------------------------------------------------------------------------


def run_create(args: argparse.Namespace) -> int:
    from egide.policy.levels import Level

    try:
        level = Level.parse(args.max_level) if args.max_level else None
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    kb = _open(args)
    created = _guarded(
        lambda: kb.create_collection(
            args.collection, user=_user(), title=args.title, service=args.service, max_level=level
        )
    )
    print(
        f"Collection « {created.name} » créée ({created.scope_fr}, niveau maximal "
        f"« {created.max_level.key} »)."
    )
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    kb = _open(args)
    collections = kb.collections()
    if not collections:
        print("Aucune collection. « egide kb add COLLECTION CHEMIN » en crée une.")
    for c in collections:
        documents, passages, embedded = kb.repo.counts(c.id)
        print(
            f"{c.name}\t{c.title}\t{c.scope_fr}\tniveau maximal {c.max_level.key}\t"
            f"{documents} document(s)\t{passages} passage(s)\t{embedded} vecteur(s)"
        )
    return EXIT_OK


def run_docs(args: argparse.Namespace) -> int:
    from egide.guard.labels import label_fr

    kb = _open(args)
    collection = _collection(kb, args.collection)
    for d in kb.repo.documents(collection.id):
        found = ", ".join(f"{label_fr(label)} {n}" for label, n in sorted(d.counts.items()))
        print(
            f"{d.key}\t{d.level.key}\t{d.passages} passage(s)\t{d.embedded} vecteur(s)\t"
            f"{found or 'rien de détecté'}"
        )
    return EXIT_OK


def run_rm(args: argparse.Namespace) -> int:
    from egide.knowledge import DocumentNotFound

    kb = _open(args)
    collection = _collection(kb, args.collection)
    try:
        _guarded(lambda: kb.delete_document(collection, args.document, user=_user()))
    except DocumentNotFound:
        raise CliError(
            f"la collection « {collection.name} » n'a pas de document « {args.document} » "
            f"(« egide kb docs {collection.name} » les liste)"
        ) from None
    print(f"Document « {args.document} » retiré de « {collection.name} ».")
    return EXIT_OK


def run_drop(args: argparse.Namespace) -> int:
    kb = _open(args)
    collection = _collection(kb, args.collection)
    if not args.confirm:
        documents, _, _ = kb.repo.counts(collection.id)
        raise CliError(
            f"la collection « {collection.name} » contient {documents} document(s) : ajoutez "
            "--confirm pour la supprimer définitivement",
            EXIT_USAGE,
        )
    removed = _guarded(lambda: kb.delete_collection(collection, user=_user()))
    print(f"Collection « {collection.name} » supprimée ({removed} document(s)).")
    return EXIT_OK


def run_allow(args: argparse.Namespace) -> int:
    from egide.store.applications import ApplicationStore

    kb = _open(args)
    collection = _collection(kb, args.collection)
    known = {app.name for app in ApplicationStore(kb.store).list()}
    if args.app not in known:
        raise CliError(f"application inconnue « {args.app} » (« egide apps list » les liste)")
    _guarded(
        lambda: kb.audit.append(
            user=_user(),
            action="kb_app_allowed",
            extra={"collection": collection.name, "application": args.app},
        )
    )
    kb.repo.grant(collection.id, args.app)
    print(f"L'application « {args.app} » peut chercher dans « {collection.name} ».")
    return EXIT_OK


def run_deny(args: argparse.Namespace) -> int:
    kb = _open(args)
    collection = _collection(kb, args.collection)
    _guarded(
        lambda: kb.audit.append(
            user=_user(),
            action="kb_app_denied",
            extra={"collection": collection.name, "application": args.app},
        )
    )
    removed = kb.repo.revoke(collection.id, args.app)
    print(
        f"L'application « {args.app} » ne peut plus chercher dans « {collection.name} »."
        if removed
        else f"L'application « {args.app} » n'avait pas accès à « {collection.name} »."
    )
    return EXIT_OK
