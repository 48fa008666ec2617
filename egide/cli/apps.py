"""``egide apps add|list|revoke``: the business applications that call the ``/v1`` gateway.

Adding and revoking are recorded in the audit trail, as ``cli:<system user>`` (or
``cli:$EGIDE_USER``): a token that the trail does not show is never handed out (an addition that
cannot be recorded is revoked at once, its token never printed), and a revocation that cannot
be recorded is not made.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from egide.cli.common import EXIT_OK, EXIT_USAGE, CliError, current_user, settings_from

if TYPE_CHECKING:
    from egide.store.applications import ApplicationRecord, ApplicationStore

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    apps = subparsers.add_parser(
        "apps", help="applications métier qui appellent l'API compatible OpenAI (/v1)"
    )
    actions = apps.add_subparsers(dest="apps_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="ajouter une application et afficher son jeton (une fois)")
    add.add_argument("name", metavar="NOM", help="nom de l'application (lettres, chiffres, . - _)")
    add.add_argument(
        "--models", required=True, metavar="A,B",
        help="modèles configurés que l'application peut utiliser (séparés par des virgules)",
    )  # fmt: skip
    add.add_argument(
        "--max-level", required=True, metavar="NIVEAU",
        help="niveau de sensibilité maximal des requêtes (public, interne, personnel, sensible, "
        "diffusion_restreinte)",
    )  # fmt: skip
    add.add_argument(
        "--tiers", default="metier,interne,externe", metavar="T1,T2",
        help="tiers de modèles permis (défaut : metier,interne,externe)",
    )  # fmt: skip
    add.add_argument("--rpm", type=int, metavar="N", help="requêtes par minute (défaut : illimité)")
    add.add_argument(
        "--daily", type=int, metavar="N", help="requêtes par jour UTC (défaut : illimité)"
    )
    add.add_argument(
        "--daily-tokens",
        type=int,
        metavar="N",
        help="jetons estimés par jour UTC (défaut : illimité)",
    )
    add.set_defaults(handler=run_add)

    listing = actions.add_parser("list", help="lister les applications et leurs limites")
    listing.set_defaults(handler=run_list)

    revoke = actions.add_parser("revoke", help="révoquer définitivement le jeton d'une application")
    revoke.add_argument("name", metavar="NOM")
    revoke.set_defaults(handler=run_revoke)


def _open(args: argparse.Namespace) -> ApplicationStore:
    from egide.store import StoreError, open_store
    from egide.store.applications import ApplicationStore

    try:
        return ApplicationStore(open_store(settings_from(args, documents=False)))
    except StoreError as exc:
        raise CliError(str(exc)) from None


def _audit(args: argparse.Namespace, action: str, record: ApplicationRecord, **extra: str) -> None:
    """Record a change of the gateway's applications (AuditError when it cannot be)."""
    from egide.audit import AuditLog
    from egide.auth.accounts import cli_actor

    AuditLog.open(settings_from(args, documents=False)).append(
        user=cli_actor(current_user()).name,
        action=action,
        extra={"target": record.name, **{k: v[:200] for k, v in extra.items()}},
    )


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def run_add(args: argparse.Namespace) -> int:
    from egide.audit import AuditError
    from egide.policy.levels import Level
    from egide.policy.tiers import Tier
    from egide.store import StoreError

    settings = settings_from(args, documents=False)
    models = _split(args.models)
    configured = [m.name for m in settings.models]
    unknown = [name for name in models if name not in configured]
    if not models or unknown:
        raise CliError(
            f"modèle(s) inconnu(s) : {', '.join(unknown) or '(aucun donné)'} "
            f"(modèles configurés : {', '.join(configured) or 'aucun'})",
            EXIT_USAGE,
        )
    try:
        level = Level.parse(args.max_level)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    known_tiers = {t.value: t for t in Tier}
    wrong = [t for t in _split(args.tiers) if t not in known_tiers]
    if wrong or not _split(args.tiers):
        raise CliError(
            f"tier(s) inconnu(s) : {', '.join(wrong) or '(aucun donné)'} "
            "(tiers possibles : metier, interne, externe)",
            EXIT_USAGE,
        )
    tiers = [known_tiers[t] for t in _split(args.tiers)]
    if level >= Level.CLASSIFIE:
        raise CliError(
            "les informations classifiées ne sont jamais traitées par Égide : choisissez au plus "
            "diffusion_restreinte",
            EXIT_USAGE,
        )
    applications = _open(args)
    try:
        record, token = applications.add(
            args.name,
            models=models,
            max_level=level,
            tiers=tiers,
            rpm=args.rpm,
            daily_requests=args.daily,
            daily_tokens=args.daily_tokens,
        )
    except StoreError as exc:
        raise CliError(str(exc)) from None
    try:
        _audit(args, "app_added", record, level=record.max_level.key, models=",".join(models))
    except AuditError as exc:
        applications.revoke(record.name)  # no usable token that the trail does not show
        raise CliError(
            f"{exc} ; l'application « {record.name} » est enregistrée mais son jeton est "
            "révoqué et n'a pas été affiché : corrigez le journal, puis ajoutez-la sous un "
            "autre nom"
        ) from None
    print(
        f"Application « {record.name} » ajoutée ({_limits(record)}). Son jeton est affiché une "
        "seule fois : conservez-le dans le coffre de secrets de l'application.",
        file=sys.stderr,
    )
    print(token)
    return EXIT_OK


def _limits(record: ApplicationRecord) -> str:
    parts = [
        f"modèles : {', '.join(record.models)}",
        f"tiers : {', '.join(t.value for t in record.tiers)}",
        f"niveau maximal : {record.max_level.key}",
        f"{record.rpm} requêtes/min" if record.rpm else "requêtes/min illimitées",
    ]
    if record.daily_requests:
        parts.append(f"{record.daily_requests} requêtes/jour")
    if record.daily_tokens:
        parts.append(f"{record.daily_tokens} jetons/jour")
    return " ; ".join(parts)


def run_list(args: argparse.Namespace) -> int:
    from egide.store import StoreError

    try:
        records = _open(args).list()
    except StoreError as exc:
        raise CliError(str(exc)) from None
    if not records:
        print("Aucune application : ajoutez-en une avec « egide apps add NOM --models … ».")
        return EXIT_OK
    for record in records:
        status = f"révoquée le {record.revoked_at:%d/%m/%Y}" if record.revoked_at else "active"
        print(f"{record.name}\t{record.token_hint}…\t{status}\t{_limits(record)}")
    return EXIT_OK


def run_revoke(args: argparse.Namespace) -> int:
    from egide.audit import AuditError
    from egide.store import StoreError

    applications = _open(args)
    try:
        _audit(args, "app_revoked", applications.named(args.name))
        record = applications.revoke(args.name)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    except AuditError as exc:
        raise CliError(f"{exc} ; le jeton n'est pas révoqué") from None
    print(
        f"Jeton de l'application « {record.name} » ({record.token_hint}…) révoqué : ses requêtes "
        "sont refusées dès maintenant (401)."
    )
    return EXIT_OK
