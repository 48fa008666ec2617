"""``egide audit verify``: check the hash chain of the audit trail."""

from __future__ import annotations

import argparse

from egide.cli.common import EXIT_ERROR, EXIT_OK, CliError, settings_from

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = subparsers.add_parser("audit", help="journal d'audit (vérification d'intégrité)")
    actions = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify", help="vérifier que le journal n'a été ni modifié, ni tronqué, ni réordonné"
    )
    verify.set_defaults(handler=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from egide.audit import AuditError, AuditLog

    settings = settings_from(args)
    try:
        report = AuditLog.open(settings.home).verify()
    except AuditError as exc:
        raise CliError(str(exc)) from None
    print(report.message_fr)
    return EXIT_OK if report.ok else EXIT_ERROR
