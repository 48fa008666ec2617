"""``egide users add|list|disable|enable|reset-totp|reset-password|set-role``: portal accounts.

A new account gets a one-time temporary password, printed once on the standard output (the
explanations go to the standard error, so that a script can capture the password alone). At the
first sign-in the user replaces it and enrols an authenticator application (TOTP).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from egide.cli.common import EXIT_OK, EXIT_USAGE, CliError, settings_from

if TYPE_CHECKING:
    from egide.auth import Role, User, UserStore

__all__ = ["register"]

_ROLES = "agent, ambassadeur, administrateur, auditeur"


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
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("login", metavar="IDENTIFIANT")
        action.set_defaults(handler=handler)

    set_role = actions.add_parser("set-role", help="changer le rôle d'un compte")
    set_role.add_argument("login", metavar="IDENTIFIANT")
    set_role.add_argument("role", metavar="RÔLE", help=f"nouveau rôle : {_ROLES}")
    set_role.set_defaults(handler=run_set_role)


def _open(args: argparse.Namespace) -> UserStore:
    from egide.auth import UserStore
    from egide.store import StoreError, open_store

    try:
        return UserStore(open_store(settings_from(args)))
    except StoreError as exc:
        raise CliError(str(exc)) from None


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


def run_add(args: argparse.Namespace) -> int:
    from egide.store import StoreError

    role = _role(args.role)
    try:
        user, password = _open(args).add(
            args.login, role, display_name=args.name, service=args.service
        )
    except StoreError as exc:
        raise CliError(str(exc)) from None
    _print_temporary(user, password, first=True)
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    from egide.store import StoreError

    try:
        users = _open(args).list()
    except StoreError as exc:
        raise CliError(str(exc)) from None
    if not users:
        print("Aucun compte : créez-en un avec « egide users add IDENTIFIANT --role RÔLE ».")
        return EXIT_OK
    for user in users:
        last = f"{user.last_sign_in_at:%d/%m/%Y}" if user.last_sign_in_at else "jamais connecté"
        print(
            "\t".join(
                [
                    user.login,
                    user.role.value,
                    user.display_name or "—",
                    user.service or "—",
                    _state(user),
                    last,
                ]
            )
        )
    return EXIT_OK


def _change(args: argparse.Namespace, action: str) -> User:
    from egide.store import StoreError

    store = _open(args)
    try:
        if action == "disable":
            return store.disable(args.login)
        if action == "enable":
            return store.enable(args.login)
        if action == "reset-totp":
            return store.reset_totp(args.login)
        return store.set_role(args.login, _role(args.role))
    except StoreError as exc:
        raise CliError(str(exc)) from None


def run_disable(args: argparse.Namespace) -> int:
    user = _change(args, "disable")
    print(
        f"Compte « {user.login} » désactivé : ses sessions sont fermées, il ne peut plus se connecter."
    )
    return EXIT_OK


def run_enable(args: argparse.Namespace) -> int:
    user = _change(args, "enable")
    print(f"Compte « {user.login} » réactivé.")
    return EXIT_OK


def run_reset_totp(args: argparse.Namespace) -> int:
    user = _change(args, "reset-totp")
    print(
        f"Double authentification de « {user.login} » réinitialisée : ses sessions et ses codes "
        "de secours sont supprimés ; à sa prochaine connexion, il enrôlera une nouvelle "
        "application et recevra de nouveaux codes de secours."
    )
    return EXIT_OK


def run_reset_password(args: argparse.Namespace) -> int:
    from egide.store import StoreError

    try:
        user, password = _open(args).reset_password(args.login)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    _print_temporary(user, password, first=False)
    return EXIT_OK


def run_set_role(args: argparse.Namespace) -> int:
    user = _change(args, "set-role")
    print(f"Compte « {user.login} » : rôle « {user.role.label_fr} » ({user.role.value}).")
    return EXIT_OK
