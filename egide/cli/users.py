"""``egide users …``: portal accounts, their roles, resets and provider identities.

A new account gets a one-time temporary password, printed once on the standard output (the
explanations go to the standard error, so that a script can capture the password alone). At the
first sign-in the user replaces it and enrols an authenticator application (TOTP).

Every change goes through :class:`egide.auth.accounts.AccountAdmin`, like the administrators'
pages: recorded in the audit trail (as ``cli:<system user>``, or ``cli:$EGIDE_USER``) before it
is made, under the same two-person rule for resets of both factors and provider identities.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from egide.cli.common import EXIT_OK, EXIT_USAGE, CliError, current_user, settings_from

if TYPE_CHECKING:
    from egide.auth import Role, User
    from egide.auth.accounts import AccountAdmin, Actor

__all__ = ["register"]

_ROLES = "agent, ambassadeur, administrateur, auditeur"
T = TypeVar("T")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = subparsers.add_parser("users", help="comptes du portail des agents et leurs rôles")
    actions = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    add = actions.add_parser(
        "add", help="créer un compte et afficher son mot de passe temporaire (une fois)"
    )
    add.add_argument(
        "login", metavar="IDENTIFIANT", help="identifiant (minuscules, chiffres, . - _)"
    )
    add.add_argument("--role", required=True, metavar="RÔLE", help=f"rôle : {_ROLES}")
    add.add_argument("--name", metavar="« Prénom Nom »", help="nom affiché dans le portail")
    add.add_argument("--service", metavar="SERVICE", help="service ou direction de l'agent")
    add.set_defaults(handler=run_add)

    listing = actions.add_parser("list", help="lister les comptes, leur rôle et leur état")
    listing.set_defaults(handler=run_list)

    for name, help_text, handler in (
        ("disable", "désactiver un compte et fermer ses sessions", run_disable),
        ("enable", "réactiver un compte désactivé", run_enable),
        (
            "reset-totp",
            "réinitialiser la double authentification (nouvel enrôlement, nouveaux codes)",
            run_reset_totp,
        ),
        (
            "reset-password",
            "donner un nouveau mot de passe temporaire (mot de passe oublié)",
            run_reset_password,
        ),
        (
            "reset-all",
            "réinitialisation complète (mot de passe et double authentification) : la "
            "première personne la demande, une seconde la confirme ; chacune reçoit une moitié "
            "du mot de passe temporaire",
            run_reset_all,
        ),
        (
            "oidc-approve",
            "confirmer le rattachement au fournisseur d'identité demandé par une autre personne",
            run_oidc_approve,
        ),
        ("oidc-unlink", "retirer le rattachement au fournisseur d'identité", run_oidc_unlink),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("login", metavar="IDENTIFIANT")
        action.set_defaults(handler=handler)

    erase = actions.add_parser(
        "erase",
        help="demande d'effacement (RGPD) : effacer les contenus d'un compte (demandes, "
        "conversations, brouillons, documents, travaux répétitifs, préférences) ; le journal "
        "d'audit le note, avec les nombres seulement",
    )
    erase.add_argument("login", metavar="IDENTIFIANT")
    erase.add_argument(
        "--confirm", action="store_true",
        help="effacer vraiment (sans cette option : affiche seulement ce qui serait effacé)",
    )  # fmt: skip
    erase.add_argument(
        "--close-account", action="store_true",
        help="fermer aussi le compte : désactivé, nom, service, mot de passe, double "
        "authentification et rattachements effacés ; seul l'identifiant reste, pour le journal "
        "d'audit",
    )  # fmt: skip
    erase.set_defaults(handler=run_erase)

    set_role = actions.add_parser("set-role", help="changer le rôle d'un compte")
    set_role.add_argument("login", metavar="IDENTIFIANT")
    set_role.add_argument("role", metavar="RÔLE", help=f"nouveau rôle : {_ROLES}")
    set_role.set_defaults(handler=run_set_role)

    link = actions.add_parser(
        "oidc-link",
        help="rattacher un compte au fournisseur d'identité (portal.oidc), par l'identifiant "
        "de la personne chez le fournisseur ou par son adresse vérifiée",
    )
    link.add_argument("login", metavar="IDENTIFIANT")
    how = link.add_mutually_exclusive_group(required=True)
    how.add_argument("--subject", metavar="SUB", help="identifiant chez le fournisseur (sub)")
    how.add_argument(
        "--email", metavar="ADRESSE",
        help="adresse exacte, vérifiée par le fournisseur, d'un domaine de "
        "portal.oidc.email_domains : la première connexion fait le rattachement",
    )  # fmt: skip
    link.set_defaults(handler=run_oidc_link)


def _open(args: argparse.Namespace) -> tuple[AccountAdmin, Actor]:
    from egide.audit import AuditLog
    from egide.auth.accounts import AccountAdmin, cli_actor
    from egide.auth.service import utc_now
    from egide.store import StoreError, open_store

    settings = settings_from(args, documents=False)
    try:
        store = open_store(settings)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    admin = AccountAdmin(store, AuditLog.open(settings), clock=utc_now, oidc=settings.portal.oidc)
    return admin, cli_actor(current_user())


def _role(value: str) -> Role:
    from egide.auth import Role, RoleError

    try:
        return Role.parse(value)
    except RoleError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None


def _state(user: User) -> str:
    if user.disabled:
        return "désactivé"
    if user.must_change_password:
        return "mot de passe temporaire"
    if not user.totp_enrolled:
        return "double authentification à activer"
    return "actif"


def _print_temporary(user: User, password: str, *, first: bool) -> None:
    what = "créé" if first else "doté d'un nouveau mot de passe temporaire"
    print(
        f"Compte « {user.login} » {what} (rôle : {user.role.label_fr}). Le mot de passe "
        "temporaire ci-dessous est affiché une seule fois : transmettez-le à son titulaire par "
        "un canal sûr. À la connexion, il devra le remplacer"
        + (" et activer la double authentification (TOTP)." if not user.totp_enrolled else "."),
        file=sys.stderr,
    )
    print(password)


def _apply(args: argparse.Namespace, change: Callable[[AccountAdmin, Actor], T]) -> T:
    """Run one change of an account, with French errors for whatever refuses it."""
    from egide.audit import AuditError
    from egide.auth.resets import AccountRefused
    from egide.store import StoreError

    admin, actor = _open(args)
    try:
        return change(admin, actor)
    except (StoreError, AccountRefused, AuditError) as exc:
        raise CliError(str(exc)) from None


def run_add(args: argparse.Namespace) -> int:
    role = _role(args.role)
    user, password = _apply(
        args,
        lambda admin, actor: admin.create(
            actor, args.login, role, display_name=args.name, service=args.service
        ),
    )
    _print_temporary(user, password, first=True)
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    users = _apply(args, lambda admin, _actor: admin.users.list())
    if not users:
        print("Aucun compte : créez-en un avec « egide users add IDENTIFIANT --role RÔLE ».")
        return EXIT_OK
    for user in users:
        last = f"{user.last_sign_in_at:%d/%m/%Y}" if user.last_sign_in_at else "jamais connecté"
        print(
            "\t".join(
                [
                    user.shown_login,
                    user.role.value,
                    user.display_name or "—",
                    user.service or "—",
                    _state(user),
                    last,
                ]
            )
        )
    return EXIT_OK


def run_disable(args: argparse.Namespace) -> int:
    user = _apply(args, lambda admin, actor: admin.disable(actor, args.login))
    print(
        f"Compte « {user.login} » désactivé : ses sessions sont fermées, il ne peut plus se connecter."
    )
    return EXIT_OK


def run_enable(args: argparse.Namespace) -> int:
    user = _apply(args, lambda admin, actor: admin.enable(actor, args.login))
    print(f"Compte « {user.login} » réactivé.")
    return EXIT_OK


def run_reset_totp(args: argparse.Namespace) -> int:
    user = _apply(args, lambda admin, actor: admin.reset_totp(actor, args.login))
    print(
        f"Double authentification de « {user.login} » réinitialisée : ses sessions et ses codes "
        "de secours sont supprimés ; à sa prochaine connexion, il enrôlera une nouvelle "
        "application et recevra de nouveaux codes de secours."
    )
    return EXIT_OK


def run_reset_password(args: argparse.Namespace) -> int:
    user, password = _apply(args, lambda admin, actor: admin.reset_password(actor, args.login))
    _print_temporary(user, password, first=False)
    return EXIT_OK


def run_reset_all(args: argparse.Namespace) -> int:
    user, half, done = _apply(args, lambda admin, actor: admin.full_reset(actor, args.login))
    if done:
        print(
            f"Réinitialisation complète de « {user.login} » confirmée : ses sessions sont "
            "fermées, sa double authentification effacée. Voici la seconde moitié du mot de "
            "passe temporaire (affichée une seule fois) : remettez-la vous-même à son "
            "titulaire, qui la saisira après la première moitié, séparée par un tiret.",
            file=sys.stderr,
        )
    else:
        print(
            f"Réinitialisation complète de « {user.login} » demandée : rien n'a encore changé. "
            "Une autre personne doit la confirmer dans les 24 heures (« egide users reset-all "
            f"{user.login} », avec un autre EGIDE_USER, ou depuis /admin/utilisateurs). Voici "
            "la première moitié du mot de passe temporaire (affichée une seule fois) : "
            "remettez-la vous-même à son titulaire.",
            file=sys.stderr,
        )
    print(half)
    return EXIT_OK


def run_set_role(args: argparse.Namespace) -> int:
    role = _role(args.role)
    user = _apply(args, lambda admin, actor: admin.set_role(actor, args.login, role))
    print(f"Compte « {user.login} » : rôle « {user.role.label_fr} » ({user.role.value}).")
    return EXIT_OK


def run_oidc_link(args: argparse.Namespace) -> int:
    user, done = _apply(
        args,
        lambda admin, actor: admin.link_oidc(
            actor, args.login, subject=args.subject, email=args.email
        ),
    )
    if done:
        print(f"Compte « {user.login} » rattaché au fournisseur d'identité.")
    else:
        print(
            f"Le compte « {user.login} » a déjà servi : le rattachement attend la confirmation "
            f"d'une autre personne (« egide users oidc-approve {user.login} », avec un autre "
            "EGIDE_USER, ou depuis /admin/utilisateurs), dans les 24 heures."
        )
    return EXIT_OK


def run_oidc_approve(args: argparse.Namespace) -> int:
    user = _apply(args, lambda admin, actor: admin.approve_oidc(actor, args.login))
    print(f"Rattachement de « {user.login} » au fournisseur d'identité confirmé.")
    return EXIT_OK


def run_oidc_unlink(args: argparse.Namespace) -> int:
    user = _apply(args, lambda admin, actor: admin.unlink_oidc(actor, args.login))
    print(f"Le compte « {user.login} » n'est plus rattaché au fournisseur d'identité.")
    return EXIT_OK


def run_erase(args: argparse.Namespace) -> int:
    """An erasure request handled by an administrator: what would go, then (--confirm) gone."""
    from egide.audit import AuditError
    from egide.auth.resets import AccountRefused
    from egide.auth.users import normalise_login
    from egide.store import StoreError
    from egide.workspace import Workspace
    from egide.workspace.personal_data import KIND_LABELS, erase_content, holdings

    admin, actor = _open(args)
    try:
        target = admin.users.named(normalise_login(args.login))
    except StoreError as exc:
        raise CliError(str(exc)) from None
    settings = settings_from(args, documents=False)
    store, audit = admin.store, admin.audit
    workspace = Workspace(settings, lambda: store, audit=lambda: audit)
    found = holdings(workspace, target.login)
    listing = "\n".join(f"  {h.label} : {h.count}" for h in found)
    if not args.confirm:
        closing = " et fermerait le compte" if args.close_account else ""
        print(
            f"Contenus du compte « {target.login} » :\n{listing}\nRien n'est effacé. Relancez "
            f"avec --confirm pour les effacer{closing} (définitif).",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        counts = erase_content(workspace, target.login, actor=actor.name)
        if args.close_account:
            admin.close(actor, target.login)
    except (StoreError, AuditError, AccountRefused) as exc:
        raise CliError(str(exc)) from None
    erased = ", ".join(
        f"{KIND_LABELS[kind].split(' (')[0].lower()} : {counts[kind]}"
        for kind in KIND_LABELS
        if kind in counts
    )
    print(f"Contenus du compte « {target.login} » effacés ({erased}).")
    if args.close_account:
        print(
            f"Compte « {target.login} » fermé : désactivé, ses informations personnelles "
            "effacées ; seul son identifiant reste, pour le journal d'audit."
        )
    print("Le journal d'audit note l'effacement (nombres seulement, jamais de contenu).")
    return EXIT_OK
