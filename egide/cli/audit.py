"""``egide audit verify``, ``anchor`` and ``reanchor``: the audit trail's integrity.

``anchor`` exports the sealed end of the chain for the operator to keep off the server (a vault,
another machine, a printed copy); ``verify --anchor`` then proves that the log still holds that
event as it was — even against someone who could rewrite the log, its head and the database.
``reanchor`` is the operator's way out after a restore left an anchor behind: it records the
break in the chain itself.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from egide.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    current_user,
    settings_from,
    write_bytes_atomic,
)

if TYPE_CHECKING:
    from egide.audit.anchor import ExportedAnchor
    from egide.audit.events import AuditEvent
    from egide.audit.keys import KeySource

__all__ = ["register"]

_WHAT_TO_DO = (
    "Que faire : laissez les fichiers du dossier audit/ en l'état (ce sont des preuves), "
    "comparez avec votre dernière ancre exportée (« egide audit verify --anchor FICHIER ») et "
    "restaurez le journal depuis une sauvegarde ; tant que la chaîne est rompue, Égide refuse "
    "toute action qu'il ne peut pas tracer."
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = subparsers.add_parser("audit", help="journal d'audit (vérification d'intégrité)")
    actions = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="vérifier que le journal n'a été ni modifié, ni tronqué, ni réordonné, ni effacé",
    )
    verify.add_argument(
        "--anchor",
        metavar="FICHIER",
        type=Path,
        help="ancre exportée par « egide audit anchor » : le journal doit toujours la contenir",
    )
    verify.set_defaults(handler=run_verify)
    anchor = actions.add_parser(
        "anchor",
        help="exporter la fin scellée de la chaîne, à conserver hors du serveur",
    )
    anchor.add_argument(
        "-o", "--output", metavar="FICHIER", type=Path, help="fichier de l'ancre (sinon : sortie)"
    )
    anchor.set_defaults(handler=run_anchor)
    reanchor = actions.add_parser(
        "reanchor",
        help="ancrer de nouveau un journal intègre dont un témoin est resté en arrière "
        "(après une restauration) ; la rupture est inscrite dans le journal",
    )
    reanchor.add_argument(
        "--confirm", action="store_true", help="confirmer (sans lui, rien n'est fait)"
    )
    reanchor.set_defaults(handler=run_reanchor)


def _exported(path: Path, key: KeySource) -> ExportedAnchor:
    from egide.audit.anchor import decode_export

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CliError(f"ancre introuvable : {path}") from None
    except OSError as exc:
        raise CliError(f"impossible de lire l'ancre {path} : {exc.strerror}") from None
    try:
        return decode_export(raw, key)
    except ValueError as exc:
        raise CliError(
            f"l'ancre {path} est {exc} : elle ne peut pas servir de preuve ; utilisez la copie "
            "conservée hors du serveur"
        ) from None


def run_verify(args: argparse.Namespace) -> int:
    from egide.audit import AuditError, AuditLog

    settings = settings_from(args, documents=False)
    try:
        log = AuditLog.open(settings)
        exported = _exported(args.anchor, log.keys) if args.anchor else None
        report = log.verify(exported=exported)
    except AuditError as exc:
        raise CliError(str(exc)) from None
    if report.ok:
        print(report.message_fr)
        return EXIT_OK
    print(report.message_fr)
    print(_WHAT_TO_DO, file=sys.stderr)
    return EXIT_ERROR


def run_anchor(args: argparse.Namespace) -> int:
    from egide.audit import AuditError, AuditLog
    from egide.audit.anchor import ExportedAnchor, encode_export
    from egide.audit.keys import key_for

    settings = settings_from(args, documents=False)
    try:
        log = AuditLog.open(settings)
        report = log.verify()
        # The last verified event: one appended since then is left for the next export.
        event = _event(log.events(), report.count) if report.ok else None
    except AuditError as exc:
        raise CliError(str(exc)) from None
    if not report.ok:
        print(_WHAT_TO_DO, file=sys.stderr)
        raise CliError(f"aucune ancre exportée : {report.message_fr}")
    if event is None:
        raise CliError(
            "aucune ancre exportée : le journal d'audit ne contient encore aucun événement"
        )
    moment = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    exported = ExportedAnchor(event.seq, event.hash, event.key_id, moment)
    data = encode_export(exported, key_for(log.keys, event.key_id))
    if args.output is None:
        sys.stdout.write(data.decode("ascii"))
        where = "ci-dessus"
    else:
        write_bytes_atomic(args.output, data, private=True)
        where = f"dans {args.output}"
    print(
        f"Ancre exportée {where} : événement n° {event.seq}, {moment}. Conservez-la hors du "
        "serveur (coffre, autre machine) ; « egide audit verify --anchor FICHIER » prouvera "
        "ensuite que le journal la contient toujours.",
        file=sys.stderr,
    )
    return EXIT_OK


def _event(events: Iterator[AuditEvent], seq: int) -> AuditEvent | None:
    return next((event for event in events if event.seq == seq), None)


def run_reanchor(args: argparse.Namespace) -> int:
    from egide.audit import AuditError, AuditLog
    from egide.auth.accounts import cli_actor

    settings = settings_from(args, documents=False)
    if not args.confirm:
        raise CliError(
            "rien n'est fait : « egide audit reanchor » accepte le journal tel qu'il est et ne "
            "sert qu'après une restauration qui a laissé un témoin en arrière ; vérifiez d'abord "
            "avec « egide audit verify --anchor FICHIER », puis relancez avec --confirm",
            EXIT_USAGE,
        )
    try:
        event = AuditLog.open(settings).reanchor(user=cli_actor(current_user()).name)
    except AuditError as exc:
        raise CliError(str(exc)) from None
    print(
        f"Journal d'audit ancré de nouveau à l'événement n° {event.seq} (« audit_reanchored », "
        f"qui garde où en étaient les témoins : fichier {event.extra['file_head_seq']}, base "
        f"{event.extra['db_head_seq']}). Exportez une nouvelle ancre : « egide audit anchor »."
    )
    return EXIT_OK
