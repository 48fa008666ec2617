"""Pipeline commands: ``summarize`` and ``ask`` (``draft`` and ``batch`` live beside them)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from egide.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_REFUSED,
    CliError,
    current_user,
    settings_from,
)
from egide.cli.shell import command

if TYPE_CHECKING:
    from egide.assistant import Assistant, AssistantRequest, AssistantResult
    from egide.documents import Document

__all__ = ["open_assistant", "read_documents", "register", "run_pipeline", "stream_to_stdout"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    summarize = subparsers.add_parser(
        "summarize",
        help="résumer un document (PDF, DOCX, ODT, EML, HTML, TXT, photo ou numérisation)",
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


def open_assistant(args: argparse.Namespace) -> Assistant:
    from egide.assistant import Assistant
    from egide.audit import AuditError
    from egide.store import open_store
    from egide.store.drafts import DraftStore

    settings = settings_from(args)
    try:
        return Assistant(settings, drafts=DraftStore(open_store(settings)))
    except AuditError as exc:
        raise CliError(str(exc)) from None


def stream_to_stdout(engine: Assistant, request: AssistantRequest) -> AssistantResult:
    """Run one request through the pipeline, the answer on stdout as it streams, the draft's
    reference and any warning on stderr. A refusal by the charter exits with status 3."""
    from egide.assistant import PolicyRefused
    from egide.audit import AuditError
    from egide.models import ModelError, model_label_fr

    try:
        run = engine.start(request)
        for chunk in run.chunks():
            sys.stdout.write(chunk)
            sys.stdout.flush()
    except PolicyRefused as exc:
        raise CliError(str(exc), EXIT_REFUSED, kind="refus de la charte") from None
    except (ModelError, AuditError) as exc:
        raise CliError(str(exc), EXIT_ERROR) from None
    result = run.result
    assert result is not None
    if not result.text.endswith("\n"):
        sys.stdout.write("\n")
    for warning in result.warnings:
        print(f"egide : attention : {warning}", file=sys.stderr)
    short = (result.draft_id or "")[:8]
    print(
        f"Brouillon {short} ({run.model.name}, {model_label_fr(run.model)}) : à relire, puis "
        f"à valider :\n  {command('validate', short)}",
        file=sys.stderr,
    )
    return result


def run_pipeline(
    args: argparse.Namespace,
    *,
    task: str,
    prompt: str,
    files: list[Path],
    options: dict[str, object],
) -> int:
    from egide.assistant import AssistantRequest

    settings_from(args)  # the [documents] limits, before the first file is read
    documents = read_documents(files)
    request = AssistantRequest(
        user=current_user(),
        task=task,
        prompt=prompt,
        documents=documents,
        model=args.model,
        options=options,
    )
    stream_to_stdout(open_assistant(args), request)
    return EXIT_OK


def run_summarize(args: argparse.Namespace) -> int:
    return run_pipeline(
        args, task="summarize", prompt="", files=[args.file], options={"length": args.length}
    )


def run_ask(args: argparse.Namespace) -> int:
    return run_pipeline(args, task="chat", prompt=args.text, files=args.file, options={})
