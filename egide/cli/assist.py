"""Pipeline commands: ``summarize`` and ``ask`` (``draft`` and ``batch`` live beside them)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from egide.cli.common import EXIT_ERROR, EXIT_OK, EXIT_REFUSED, CliError, settings_from

if TYPE_CHECKING:
    from egide.documents import Document

__all__ = ["register", "run_pipeline", "read_documents", "open_assistant"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    summarize = subparsers.add_parser(
        "summarize", help="résumer un document (PDF, DOCX, ODT, EML, HTML, TXT)"
    )
    summarize.add_argument("file", type=Path, metavar="FICHIER")
    summarize.add_argument(
        "--length",
        choices=("court", "page", "detaille"),
        default="court",
        help="court (quelques phrases), page (une page), detaille (partie par partie)",
    )
    _model_option(summarize)
    summarize.set_defaults(handler=run_summarize)

    ask = subparsers.add_parser("ask", help="poser une question, avec des documents en contexte")
    ask.add_argument("text", metavar="QUESTION")
    ask.add_argument(
        "--file", type=Path, action="append", default=[], metavar="FICHIER",
        help="document de contexte (option répétable)",
    )  # fmt: skip
    _model_option(ask)
    ask.set_defaults(handler=run_ask)


def _model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        default="auto",
        metavar="NOM",
        help="modèle à utiliser, ou « auto » (le plus protecteur permis par la charte)",
    )


def read_documents(paths: list[Path]) -> list[Document]:
    from egide.documents import DocumentError, read_document

    documents: list[Document] = []
    for path in paths:
        try:
            documents.append(read_document(path))
        except DocumentError as exc:
            raise CliError(str(exc)) from None
    return documents


def open_assistant(args: argparse.Namespace) -> object:
    from egide.assistant import Assistant
    from egide.audit import AuditError
    from egide.store import open_store
    from egide.store.drafts import DraftStore

    settings = settings_from(args)
    try:
        return Assistant(settings, drafts=DraftStore(open_store(settings)))
    except AuditError as exc:
        raise CliError(str(exc)) from None


def run_pipeline(args: argparse.Namespace, *, task: str, prompt: str, files: list[Path],
                 options: dict[str, object], assistant: object | None = None) -> int:  # fmt: skip
    from egide.assistant import Assistant, AssistantRequest, PolicyRefused
    from egide.audit import AuditError
    from egide.cli.common import current_user
    from egide.models import ModelError

    documents = read_documents(files)
    engine = assistant or open_assistant(args)
    assert isinstance(engine, Assistant)
    request = AssistantRequest(
        user=current_user(),
        task=task,
        prompt=prompt,
        documents=documents,
        model=args.model,
        options=options,
    )
    try:
        run = engine.start(request)
        for chunk in run.chunks():
            sys.stdout.write(chunk)
            sys.stdout.flush()
    except PolicyRefused as exc:
        print(f"egide : refus de la charte : {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except (ModelError, AuditError) as exc:
        raise CliError(str(exc), EXIT_ERROR) from None
    result = run.result
    assert result is not None
    if not result.text.endswith("\n"):
        sys.stdout.write("\n")
    for warning in result.warnings:
        print(f"egide : attention : {warning}", file=sys.stderr)
    print(
        f"Brouillon {result.draft_id} ({run.model.name}, {run.model.tier.label_fr}) : "
        f"à relire puis valider avec « egide validate {result.draft_id} ».",
        file=sys.stderr,
    )
    return EXIT_OK


def run_summarize(args: argparse.Namespace) -> int:
    return run_pipeline(
        args, task="summarize", prompt="", files=[args.file], options={"length": args.length}
    )


def run_ask(args: argparse.Namespace) -> int:
    return run_pipeline(args, task="chat", prompt=args.text, files=args.file, options={})
