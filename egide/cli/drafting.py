"""Drafting commands: ``draft`` (fill a template, then the pipeline), ``templates`` and ``export``.

The template is rendered here, before the pipeline: the pipeline then scans and pseudonymises
the rendered text like any other request, and keeps the answer as a draft.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egide.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    read_text_file,
    settings_from,
    write_bytes_atomic,
)

if TYPE_CHECKING:
    from egide.config import Settings
    from egide.tasks.templates import DraftTemplate, TemplateLibrary

__all__ = ["register", "load_library", "load_template"]

_FULL_ID_LENGTH = 36


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    draft = subparsers.add_parser(
        "draft",
        help="rédiger un courrier ou une note à partir d'un modèle",
        description="Remplit le modèle avec vos données, le fait passer par le garde et la "
        "charte, puis le conserve comme brouillon à relire et valider.",
    )
    draft.add_argument(
        "template", metavar="MODELE", help="nom du modèle (voir « egide templates »)"
    )
    source = draft.add_mutually_exclusive_group()
    source.add_argument(
        "--data", metavar="JSON", help='données : \'{"champ": "valeur"}\' ou @fichier.json'
    )
    source.add_argument(
        "--from", dest="from_file", type=Path, metavar="FICHIER",
        help="données : tableau CSV ou XLSX d'une seule ligne (plusieurs : « egide batch draft »)",
    )  # fmt: skip
    draft.add_argument(
        "--set", dest="assignments", action="append", default=[], metavar="CHAMP=VALEUR",
        help="valeur d'un champ (option répétable ; s'ajoute à --data ou --from)",
    )  # fmt: skip
    draft.add_argument(
        "--model", default="auto", metavar="NOM",
        help="modèle à utiliser, ou « auto » (le plus protecteur permis par la charte)",
    )  # fmt: skip
    draft.add_argument(
        "--export", choices=("docx", "odt"), metavar="FORMAT", help="exporter aussi en docx ou odt"
    )
    draft.add_argument("-o", "--output", type=Path, metavar="FICHIER", help="fichier d'export")
    draft.set_defaults(handler=run_draft)

    templates = subparsers.add_parser(
        "templates",
        help="lister les modèles de documents, ou décrire l'un d'eux",
        description="Modèles intégrés et modèles ajoutés par l'administrateur dans "
        "EGIDE_HOME/modeles/ ; les modèles invalides sont listés avec leur erreur.",
    )
    templates.add_argument("name", nargs="?", metavar="MODELE", help="modèle à décrire")
    templates.set_defaults(handler=run_templates)

    export = subparsers.add_parser(
        "export",
        help="exporter un brouillon en DOCX ou ODT, avec la mention de validation",
    )
    export.add_argument(
        "id", metavar="ID", help="identifiant (les 8 premiers caractères suffisent)"
    )
    export.add_argument("--format", choices=("docx", "odt"), help="docx ou odt (sinon : suffixe)")
    export.add_argument("-o", "--output", type=Path, required=True, metavar="FICHIER")
    export.set_defaults(handler=run_export)


# --- templates -------------------------------------------------------------------------------


def load_library(settings: Settings) -> TemplateLibrary:
    from egide.tasks.templates import load_templates

    return load_templates(settings.home)


def load_template(settings: Settings, name: str) -> DraftTemplate:
    from egide.tasks.templates import TemplateError

    library = load_library(settings)
    try:
        return library.get(name)
    except TemplateError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None


def run_templates(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    settings = settings_from(args)
    library = load_library(settings)
    console = Console(highlight=False)
    if args.name:
        _describe(console, load_template(settings, args.name))
        return EXIT_OK
    table = Table(title="Modèles de documents", title_justify="left")
    table.add_column("Nom", no_wrap=True)
    for column in ("Catégorie", "Titre", "Champs obligatoires / total", "Source"):
        table.add_column(column)
    for template in library:
        required = sum(1 for f in template.fields if f.required)
        fields = f"{required} / {len(template.fields)}"
        source = template.source.value + (" (remplace l'intégré)" if template.overrides else "")
        table.add_row(
            template.name, template.kind_label, Text(template.title), Text(fields), source
        )
    console.print(table)
    if library.broken:
        console.print(Text(f"\nModèles invalides ({len(library.broken)}) :", style="bold red"))
        for broken in library.broken:
            console.print(Text(f"  - {broken.name} ({broken.source.value}) : {broken.error}"))
    admin = settings.home / "modeles"
    console.print(
        Text(f"\nModèles de l'administrateur : {admin} ; « egide templates NOM » décrit un modèle.")
    )
    return EXIT_OK


def _describe(console: Any, template: DraftTemplate) -> None:
    from rich.text import Text

    console.print(Text(f"{template.title} ({template.name}, {template.kind_label})", style="bold"))
    console.print(Text(f"Source : {template.source.value} — {template.path}"))
    if template.description:
        console.print(Text(template.description))
    console.print("\nChamps :")
    for item in template.fields:
        line = (
            f"  - {item.name} ({'obligatoire' if item.required else 'facultatif'}) : {item.label}"
        )
        if item.when:
            line += f" — seulement si {template.describe(item.when)}"
        if item.required_when and not item.required:
            line += f" — obligatoire si {template.describe(item.required_when)}"
        if item.type == "date":
            line += " — date JJ/MM/AAAA ou « aujourd'hui »"
        if item.choices:
            line += " — choix : " + " | ".join(item.choices)
        if item.default:
            line += f" — par défaut : « {item.default} »"
        elif item.example:
            line += f" — exemple : « {item.example} »"
        console.print(Text(line))
    example = {f.name: f.example for f in template.fields if f.example and f.required}
    console.print("\nExemple :")
    console.print(
        Text(f"egide draft {template.name} --data '{json.dumps(example, ensure_ascii=False)}'"),
        soft_wrap=True,
    )


# --- draft -----------------------------------------------------------------------------------


def _json_data(raw: str) -> dict[str, Any]:
    text = read_text_file(Path(raw[1:]).expanduser()) if raw.startswith("@") else raw
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(
            f"données JSON invalides (ligne {exc.lineno}, colonne {exc.colno}) : vérifiez les "
            'guillemets et les virgules, par exemple {"civilite": "Madame", "nom": "Dubois"}',
            EXIT_USAGE,
        ) from None
    if not isinstance(data, dict):
        raise CliError(
            'les données doivent être un objet JSON : {"champ": "valeur", …}', EXIT_USAGE
        )
    for key, value in data.items():
        if isinstance(value, dict | list):
            raise CliError(f"champ « {key} » : une valeur simple est attendue", EXIT_USAGE)
    return data


def _row_data(path: Path) -> dict[str, Any]:
    from egide.tasks.tables import TableError, read_table

    try:
        table = read_table(path.expanduser())
    except TableError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    if len(table.rows) != 1:
        raise CliError(
            f"{path.name} contient {len(table.rows)} lignes de données : « egide draft » en "
            "prend une seule ; pour toutes les traiter, utilisez « egide batch draft »",
            EXIT_USAGE,
        )
    row = table.rows[0]
    if row.problem:
        raise CliError(f"{path.name}, ligne {row.line} : {row.problem}", EXIT_USAGE)
    return dict(row.values)


def _collect(args: argparse.Namespace, template: DraftTemplate) -> dict[str, Any]:
    data: dict[str, Any] = {}
    ignore_unknown = False
    if args.data:
        data.update(_json_data(args.data))
    elif args.from_file:
        data.update(_row_data(args.from_file))
        ignore_unknown = True  # spreadsheets often carry other columns
    if ignore_unknown:
        mapping, _ = template.match_columns(data)
        data = {mapping[k]: v for k, v in data.items() if k in mapping}
    for assignment in args.assignments:
        name, sep, value = assignment.partition("=")
        if not sep or not name.strip():
            raise CliError(f"--set attend CHAMP=VALEUR, pas « {assignment} »", EXIT_USAGE)
        data[name.strip()] = value
    return data


def run_draft(args: argparse.Namespace) -> int:
    from egide.assistant import AssistantRequest
    from egide.cli.assist import open_assistant, stream_to_stdout
    from egide.cli.common import current_user
    from egide.tasks.exporting import PROJECT_STAMP, draft_mention, export_format, render_export
    from egide.tasks.templates import TemplateError

    settings = settings_from(args)
    template = load_template(settings, args.template)
    fmt = None
    if args.export or args.output:
        try:
            fmt = export_format(args.output, args.export)
        except ValueError as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
    try:
        text = template.render(_collect(args, template))
    except TemplateError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    request = AssistantRequest(
        user=current_user(), task="draft", prompt=text, model=args.model, title=template.title
    )
    result = stream_to_stdout(open_assistant(args), request)
    short = (result.draft_id or "")[:8]
    if fmt is not None:
        target = args.output or Path(f"{template.name}-{short or 'brouillon'}.{fmt}")
        data = render_export(
            fmt, title=template.title, text=result.text,
            mention=draft_mention(result.decision.model), heading=False, stamp=PROJECT_STAMP,
        )  # fmt: skip
        write_bytes_atomic(target, data)
        print(f"Exporté (non validé) : {target}", file=sys.stderr)
    return EXIT_OK


# --- export ----------------------------------------------------------------------------------


def run_export(args: argparse.Namespace) -> int:
    from egide.cli.common import current_user
    from egide.models import is_generative
    from egide.store import DraftStore, StoreError, open_store, validation_mention
    from egide.tasks.exporting import export_draft, export_format

    try:
        fmt = export_format(args.output, args.format)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    owner = current_user()
    settings = settings_from(args)
    try:
        with open_store(settings) as store:
            drafts = DraftStore(store)
            draft_id = args.id.strip()
            if len(draft_id) < _FULL_ID_LENGTH:
                draft_id = drafts.find_id(draft_id, owner=owner)
            record = drafts.get(draft_id, owner=owner)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    generative = is_generative(settings.models, record.model)
    mention = validation_mention(record, generative=generative)
    data = export_draft(fmt, record, generative=generative)
    write_bytes_atomic(args.output, data)
    print(f"Exporté : {args.output} — {mention}", file=sys.stderr)
    return EXIT_OK
