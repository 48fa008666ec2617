"""Draft commands: ``drafts`` (list, search, show) and ``validate`` (the human decision).

The current user is ``EGIDE_USER`` when set, else the login of the operating system; a user
only ever sees their own drafts.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from egide.cli.common import EXIT_OK, CliError, current_user, settings_from
from egide.cli.shell import command

if TYPE_CHECKING:
    from egide.store import DraftRecord, DraftStore

__all__ = ["register"]

_FULL_ID_LENGTH = 36
_SHORT_ID_LENGTH = 8
_TASKS_FR = {
    "summarize": "résumé",
    "draft": "rédaction",
    "chat": "conversation",
    "ask": "question",
    "batch": "lot",
}


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"nombre entier positif attendu : {text!r}")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    drafts = subparsers.add_parser(
        "drafts",
        help="vos brouillons : liste, recherche, contenu",
        description="Liste vos brouillons, du plus récent au plus ancien. Personne d'autre que "
        "vous ne les voit, administrateurs compris.",
    )
    drafts.add_argument(
        "--search",
        metavar="TEXTE",
        help="ne garder que ceux dont le titre ou le texte contient TEXTE",
    )
    drafts.add_argument(
        "--limit", type=_positive, default=50, metavar="N", help="nombre maximal (défaut : 50)"
    )
    drafts.set_defaults(handler=run_list)
    actions = drafts.add_subparsers(dest="drafts_action", metavar="ACTION")
    show = actions.add_parser("show", help="afficher le texte d'un brouillon")
    show.add_argument("id", metavar="ID", help="identifiant (les 8 premiers caractères suffisent)")
    show.set_defaults(handler=run_show)
    purge = actions.add_parser(
        "purge",
        help="appliquer la durée de conservation : supprimer les brouillons trop anciens",
        description="Supprime définitivement, pour tous les utilisateurs, les brouillons, "
        "demandes, travaux répétitifs et documents déposés il y a plus de N jours (30 par "
        "défaut). Rien n'est lu ni affiché de leur contenu.",
    )
    purge.add_argument(
        "--days", type=_positive, default=None, metavar="N",
        help="durée de conservation en jours (défaut : portal.retention_days, 30)",
    )  # fmt: skip
    purge.set_defaults(handler=run_purge)

    validate = subparsers.add_parser(
        "validate",
        help="valider un brouillon après relecture (il ne pourra plus être modifié)",
        description="Enregistre qui a validé le brouillon et quand ; les exports portent "
        "ensuite la mention de cette validation.",
    )
    validate.add_argument(
        "id", metavar="ID", help="identifiant (les 8 premiers caractères suffisent)"
    )
    validate.add_argument(
        "--by", metavar="NOM", help="nom de la personne qui valide (défaut : l'utilisateur courant)"
    )
    validate.set_defaults(handler=run_validate)


@contextmanager
def _open_drafts(args: argparse.Namespace) -> Iterator[DraftStore]:
    from egide.store import DraftStore, StoreError, open_store

    settings = settings_from(args, documents=False)
    try:
        with open_store(settings) as store:
            yield DraftStore(store)
    except StoreError as exc:
        raise CliError(str(exc)) from None


def _generative(args: argparse.Namespace, record: DraftRecord) -> bool:
    from egide.models import is_generative

    return is_generative(settings_from(args, documents=False).models, record.model)


def _resolve(drafts: DraftStore, draft_id: str, owner: str) -> str:
    draft_id = draft_id.strip()
    if len(draft_id) >= _FULL_ID_LENGTH:
        return draft_id
    return drafts.find_id(draft_id, owner=owner)


def _local(moment: datetime) -> str:
    from egide.store.drafts import local_time

    return local_time(moment).strftime("%d/%m/%Y %H:%M")


def _status_fr(record: DraftRecord) -> str:
    return "validé" if record.is_validated else "brouillon"


def run_list(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    owner = current_user()
    with _open_drafts(args) as drafts:
        records = drafts.list(owner, search=args.search, limit=args.limit)
    console = Console(highlight=False)
    if not records:
        if args.search:
            console.print(Text(f"Aucun brouillon ne contient « {args.search} »."))
        else:
            console.print("Aucun brouillon.")
        return EXIT_OK
    table = Table(title=f"Brouillons de {owner}", title_justify="left")
    table.add_column("Identifiant", no_wrap=True)
    table.add_column("Date", no_wrap=True)
    table.add_column("Tâche")
    table.add_column("Statut")
    table.add_column("Titre")
    for record in records:
        table.add_row(
            record.id[:_SHORT_ID_LENGTH],
            _local(record.created_at),
            _TASKS_FR.get(record.task, record.task),
            Text(_status_fr(record), style="green" if record.is_validated else "yellow"),
            Text(record.title),
        )
    console.print(table)
    # Follow-up commands alone on their line, quoted for the shell: they paste as they are.
    first = records[0]
    hints = [("Lire le plus récent :", command("drafts", "show", first.id[:_SHORT_ID_LENGTH]))]
    pending = next((record for record in records if not record.is_validated), None)
    if pending is not None:
        short = pending.id[:_SHORT_ID_LENGTH]
        hints.append(("Valider un brouillon relu :", command("validate", short)))
    if len(records) == args.limit:
        more = ["drafts", "--limit", str(args.limit * 2)]
        if args.search:
            more[1:1] = ["--search", args.search]
        shown = f"Les {args.limit} plus récents" if args.limit > 1 else "Le plus récent"
        hints.append((f"{shown} seulement ; les suivants :", command(*more)))
    for text, line in hints:
        console.print(Text(text))
        console.print(Text(f"  {line}"), soft_wrap=True)
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    from egide.store import validation_mention

    owner = current_user()
    with _open_drafts(args) as drafts:
        record = drafts.get(_resolve(drafts, args.id, owner), owner=owner)
    mention = validation_mention(record, generative=_generative(args, record))
    print(f"{record.title} — {_status_fr(record)} — {mention}", file=sys.stderr)
    sys.stdout.write(record.content if record.content.endswith("\n") else record.content + "\n")
    return EXIT_OK


def run_validate(args: argparse.Namespace) -> int:
    from egide.store import validation_mention

    owner = current_user()
    validated_by = (args.by or "").strip() or owner
    with _open_drafts(args) as drafts:
        draft_id = _resolve(drafts, args.id, owner)
        record = drafts.validate(draft_id, owner=owner, validated_by=validated_by)
    print(f"Brouillon {record.id[:_SHORT_ID_LENGTH]} validé : il ne peut plus être modifié.")
    mention = validation_mention(record, generative=_generative(args, record))
    print(f"Mention portée par les exports : « {mention} »")
    print("Le relire :")
    print(f"  {command('drafts', 'show', record.id[:_SHORT_ID_LENGTH])}")
    return EXIT_OK


def run_purge(args: argparse.Namespace) -> int:
    from egide.store import StoreError
    from egide.workspace.retention import apply_retention, describe_purge

    settings = settings_from(args, documents=False)
    days = args.days or settings.portal.retention_days
    try:
        counts = apply_retention(settings, days=days)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    print(f"{counts['brouillons']} brouillon(s) de plus de {days} jours supprimé(s).")
    print(describe_purge(counts, days))
    return EXIT_OK
