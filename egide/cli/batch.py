"""``egide batch``: one task over every row of a spreadsheet or every file of a folder.

A progress bar on the error output; a first Ctrl-C stops after the current item, a second one
at once. Running the same command again resumes where the batch stopped. ``egide batch
exemple`` writes a template's example spreadsheet.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from egide.cli.common import EXIT_ERROR, EXIT_USAGE, CliError, settings_from

if TYPE_CHECKING:
    from egide.tasks.batch import BatchJob, BatchReport
    from egide.tasks.tables import Table
    from egide.tasks.templates import DraftTemplate

__all__ = ["register"]


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"nombre entier positif attendu : {text!r}")
    return value


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DOSSIER",
        help="dossier des résultats, du journal de reprise et de rapport.csv",
    )  # fmt: skip
    parser.add_argument(
        "--model", default="auto", metavar="NOM",
        help="modèle à utiliser, ou « auto » (le plus protecteur permis par la charte)",
    )  # fmt: skip
    parser.add_argument(
        "--format", dest="fmt", choices=("txt", "docx", "odt"), default="txt",
        help="format des fichiers produits (défaut : txt)",
    )  # fmt: skip
    parser.add_argument(
        "--max-items", type=_positive, metavar="N",
        help="traiter au plus N éléments cette fois (pour essayer sur quelques lignes)",
    )  # fmt: skip


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    batch = subparsers.add_parser(
        "batch",
        help="traitement par lot : un brouillon par ligne d'un tableau, un résumé par fichier",
        description="Chaque élément passe par le garde et la charte séparément. Relancer la "
        "même commande reprend le lot sans refaire ce qui est fait.",
    )
    kinds = batch.add_subparsers(dest="batch_task", metavar="TACHE", required=True)
    draft = kinds.add_parser("draft", help="un brouillon par ligne d'un tableau CSV ou XLSX")
    draft.add_argument(
        "template", metavar="MODELE", help="nom du modèle (voir « egide templates »)"
    )
    draft.add_argument(
        "--from", dest="from_file", type=Path, required=True, metavar="FICHIER",
        help="tableau CSV ou XLSX : une ligne par document, une colonne par champ",
    )  # fmt: skip
    draft.add_argument(
        "--set", dest="assignments", action="append", default=[], metavar="CHAMP=VALEUR",
        help="valeur d'un champ pour toutes les lignes (elle remplit aussi les cellules vides "
        "de sa colonne) ; option répétable",
    )  # fmt: skip
    draft.add_argument(
        "--colonne", dest="columns", action="append", default=[], metavar="CHAMP=COLONNE",
        help="la colonne du tableau qui remplit un champ, quand son en-tête n'est ni le nom ni "
        "le libellé du champ ; option répétable",
    )  # fmt: skip
    _common(draft)
    draft.set_defaults(handler=run_batch_draft)

    example = kinds.add_parser(
        "exemple", help="écrire le tableau d'exemple d'un modèle (XLSX ou CSV)",
        description="Une colonne par champ du modèle, une ligne d'exemple, les choix en listes "
        "déroulantes et une feuille « Mode d'emploi » (XLSX).",
    )  # fmt: skip
    example.add_argument("template", metavar="MODELE", help="nom du modèle")
    example.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FICHIER",
        help="fichier .xlsx ou .csv à écrire",
    )  # fmt: skip
    example.set_defaults(handler=run_batch_example)

    summarize = kinds.add_parser("summarize", help="un résumé par document d'un dossier")
    summarize.add_argument("folder", type=Path, metavar="DOSSIER")
    summarize.add_argument(
        "--length", choices=("court", "page", "detaille"), default="court",
        help="court (quelques phrases), page (une page), detaille (partie par partie)",
    )  # fmt: skip
    _common(summarize)
    summarize.set_defaults(handler=run_batch_summarize)


def _check_model(args: argparse.Namespace) -> None:
    from egide.config import ConfigError

    if args.model.strip().lower() != "auto":
        try:
            settings_from(args).model(args.model.strip())
        except ConfigError as exc:
            raise CliError(str(exc), EXIT_USAGE) from None


def _pairs(assignments: list[str], option: str, what: str) -> list[tuple[str, str]]:
    pairs = []
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep or not name.strip():
            raise CliError(f"{option} attend CHAMP={what}, pas « {assignment} »", EXIT_USAGE)
        pairs.append((name.strip(), value.strip()))
    return pairs


def _field_name(template: DraftTemplate, key: str, option: str) -> str:
    mapping, _ = template.match_columns([key])
    if key not in mapping:
        known = ", ".join(f.name for f in template.fields)
        raise CliError(
            f"{option} : « {key} » n'est pas un champ du modèle « {template.name} » "
            f"(champs : {known})",
            EXIT_USAGE,
        )
    return mapping[key]


def _batch_settings(
    args: argparse.Namespace, template: DraftTemplate, table: Table, source: str
) -> tuple[dict[str, str], dict[str, str]]:
    """The column of each field (the ones named after it, then --colonne) and the values for
    every row (--set); a usage error (French) when a field every letter needs has neither."""
    from egide.tasks.templates.columns import plan_columns
    from egide.tasks.templates.values import ValueProblem

    chosen: dict[str, str | None] = {}
    for key, column in _pairs(args.columns, "--colonne", "COLONNE"):
        if column not in table.columns:
            listed = ", ".join(f"« {c} »" for c in table.columns)
            raise CliError(
                f"--colonne : {source} n'a pas de colonne « {column} » (colonnes : {listed})",
                EXIT_USAGE,
            )
        chosen[_field_name(template, key, "--colonne")] = column
    values: dict[str, str] = {}
    problems = []
    for key, value in _pairs(args.assignments, "--set", "VALEUR"):
        name = _field_name(template, key, "--set")
        field = template.field_named(name)
        assert field is not None
        try:
            template.read_value(field, value)
        except ValueProblem as exc:
            problems.append(f"  - {name} ({field.label}) : {exc}")
        values[name] = value
    if problems:
        raise CliError("--set : valeur(s) à corriger :\n" + "\n".join(problems), EXIT_USAGE)
    exact = plan_columns(template, table.columns, chosen=chosen)
    columns = {c.field.name: c.column for c in exact.choices if c.column and c.certain}
    guesses = {c.field.name: c for c in exact.guesses}
    uncovered = [f for f in template.missing_for([*columns, *values]) if f.name not in values]
    if uncovered:
        lines = []
        for item in uncovered:
            hint = ""
            if item.name in guesses:
                hint = f" ; la colonne « {guesses[item.name].column} » semble lui correspondre : "
                hint += f'--colonne {item.name}="{guesses[item.name].column}"'
            lines.append(f"  - {item.name} : {item.label}{hint}")
        raise CliError(
            f"il manque au tableau {source} des colonnes obligatoires du modèle "
            f"« {template.name} » (nom du champ ou libellé en en-tête, --colonne CHAMP=COLONNE, "
            "ou --set CHAMP=VALEUR pour toutes les lignes) :\n" + "\n".join(lines),
            EXIT_USAGE,
        )
    for choice in exact.guesses:  # a guess is said, never applied
        print(
            f"egide : la colonne « {choice.column} » semble correspondre à « "
            f"{choice.field.label} » : pour l'utiliser, --colonne {choice.field.name}="
            f'"{choice.column}"',
            file=sys.stderr,
        )
    return {k: v for k, v in columns.items() if v is not None}, values


def run_batch_draft(args: argparse.Namespace) -> int:
    from egide.cli.drafting import load_template
    from egide.tasks.batch_jobs import DraftJob
    from egide.tasks.tables import TableError, read_table

    settings = settings_from(args)
    template = load_template(settings, args.template)
    source = args.from_file.expanduser()
    try:
        table = read_table(source)
    except TableError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    columns, values = _batch_settings(args, template, table, source.name)
    job = DraftJob(template, table, source=source.name, columns=columns, values=values)
    if job.unknown_columns:
        print(
            f"egide : colonnes ignorées (aucun champ du modèle) : {', '.join(job.unknown_columns)}",
            file=sys.stderr,
        )
    return _run(args, job, f"Rédaction « {template.name} »")


def run_batch_example(args: argparse.Namespace) -> int:
    from egide.cli.common import write_bytes_atomic
    from egide.cli.drafting import load_template
    from egide.tasks.batch_sheets import example_csv, example_xlsx

    template = load_template(settings_from(args), args.template)
    suffix = args.output.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise CliError(
            "nommez le fichier .xlsx ou .csv (le format se déduit du suffixe)", EXIT_USAGE
        )
    data = example_xlsx(template) if suffix == ".xlsx" else example_csv(template)
    write_bytes_atomic(args.output, data)
    print(
        f"Tableau d'exemple du modèle « {template.name} » : {args.output} — une ligne par "
        f"courrier, puis : egide batch draft {template.name} --from {args.output.name} --out DOSSIER",
        file=sys.stderr,
    )
    return 0


def run_batch_summarize(args: argparse.Namespace) -> int:
    from egide.tasks.batch_jobs import SummarizeJob, documents_in

    folder = args.folder.expanduser()
    if not folder.is_dir():
        raise CliError(f"dossier introuvable : {folder}", EXIT_USAGE)
    if folder.resolve() == args.out.expanduser().resolve():
        raise CliError("le dossier de sortie doit être différent du dossier des documents")
    files = documents_in(folder)
    if not files:
        raise CliError(
            f"aucun document lisible dans {folder} (PDF, DOCX, ODT, EML, HTML, TXT)", EXIT_USAGE
        )
    return _run(args, SummarizeJob(folder, files, length=args.length), "Résumés")


@contextmanager
def _graceful_interrupt(stop: threading.Event) -> Iterator[None]:
    """First Ctrl-C: finish the current item, then stop; second one: stop at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print(
            "\negide : arrêt demandé : le lot s'arrête après l'élément en cours "
            "(Ctrl-C de nouveau pour arrêter tout de suite)",
            file=sys.stderr,
        )

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _run(args: argparse.Namespace, job: BatchJob, description: str) -> int:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from egide.cli.assist import open_assistant
    from egide.cli.common import current_user
    from egide.tasks.batch import (
        JOURNAL_NAME,
        BatchAborted,
        BatchItem,
        Journal,
        JournalEntry,
        JournalMismatch,
        run_batch,
    )

    _check_model(args)
    out_dir: Path = args.out.expanduser()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        journal = Journal(out_dir / JOURNAL_NAME, job.identity)
    except JournalMismatch as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    except OSError as exc:
        raise CliError(f"impossible d'écrire dans {out_dir} : {exc.strerror}") from None
    assistant = open_assistant(args)
    items = list(job.items)
    done = sum(1 for item in items if journal.finished(item.key, args.model))
    if done:
        print(f"egide : reprise du lot : {done} élément(s) déjà traité(s)", file=sys.stderr)
    stop = threading.Event()
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=Console(stderr=True), transient=False,
    )  # fmt: skip
    bar = progress.add_task(description, total=len(items), completed=done)

    def advance(item: BatchItem, entry: JournalEntry) -> None:
        progress.advance(bar)

    try:
        with _graceful_interrupt(stop), progress:
            report = run_batch(
                job, assistant, out_dir, user=current_user(), model=args.model, fmt=args.fmt,
                max_items=args.max_items, stop=stop, on_item=advance, journal=journal,
            )  # fmt: skip
    except BatchAborted as exc:
        raise CliError(
            f"lot arrêté : {exc} ; relancez la même commande une fois le problème réglé",
            EXIT_ERROR,
        ) from None
    _print_report(report, args.model)
    return report.exit_status


def _print_report(report: BatchReport, model: str) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from egide.tasks.batch import PENDING_FR, REPORT_NAME, ItemStatus

    styles = {
        ItemStatus.OK: "green",
        ItemStatus.REFUSED: "yellow",
        ItemStatus.INVALID: "magenta",
        ItemStatus.ERROR: "red",
    }
    table = Table(title="Rapport du lot", title_justify="left")
    for column in ("Élément", "Statut", "Brouillon", "Fichier", "Raison"):
        table.add_column(column, overflow="fold")
    for item, entry in report.rows:
        if entry is None:
            table.add_row(item.label, Text(PENDING_FR, style="dim"), "", "", "")
            continue
        table.add_row(
            item.label, Text(entry.status.label_fr, style=styles[entry.status]),
            (entry.draft or "")[:8], entry.output or "", Text(entry.reason),
        )  # fmt: skip
    console: Any = Console(highlight=False)
    console.print(table)
    ok, refused, failed = (report.count(s) for s in (ItemStatus.OK, ItemStatus.REFUSED,
                                                     ItemStatus.ERROR))  # fmt: skip
    invalid = report.count(ItemStatus.INVALID)
    summary = f"{ok} fait(s), {refused} refusé(s), {failed} en erreur"
    if invalid:
        summary += f", {invalid} invalide(s)"
    if report.pending:
        summary += f", {report.pending} non traité(s)"
    print(f"Lot : {summary}. Rapport : {report.out_dir / REPORT_NAME}", file=sys.stderr)
    if refused:
        print(
            f"egide : {refused} élément(s) refusé(s) par la charte pour le modèle « {model} » : "
            "relancez la même commande avec --model et un modèle autorisé (indiqué dans la "
            "raison) pour les traiter, les autres ne seront pas refaits",
            file=sys.stderr,
        )
    if invalid:
        print(
            f"egide : {invalid} ligne(s) invalide(s) (raison dans le rapport) : corrigez-les dans "
            "le tableau puis relancez la même commande ; elles seules seront traitées",
            file=sys.stderr,
        )
    if report.interrupted or report.pending or failed:
        print(
            "egide : relancez la même commande pour reprendre : ce qui est fait ne sera pas refait"
            + (" ; les éléments en erreur seront retentés" if failed else ""),
            file=sys.stderr,
        )
