"""Creating many accounts at once, from a table an administrator prepared (CSV or XLSX).

Each row goes through :class:`egide.auth.accounts.AccountAdmin`, as if typed in the form: one
audit event per account, recorded before it is made. An import only ever **creates**: a login
that exists already is reported and left as it is, so that no import resets, demotes or binds an
account that has been used (those changes have their own rules, two-person rule included), and
importing the same file again after fixing some rows creates only what is missing.

With an identity provider configured, a row may carry the person's address at the provider: the
new account is then bound to it (one administrator suffices for an account never used) and no
temporary password is handed out for it — its owner signs in through the provider.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from egide.audit import AuditError
from egide.auth.accounts import AccountAdmin, Actor
from egide.auth.resets import AccountRefused
from egide.auth.roles import Role, RoleError
from egide.store.errors import StoreError

__all__ = [
    "COLUMNS",
    "MAX_IMPORT_ROWS",
    "Columns",
    "ImportRefused",
    "ImportedRow",
    "SourceRow",
    "import_accounts",
    "read_columns",
]

MAX_IMPORT_ROWS = 1000
# Column -> the headings that name it (folded: lower case, no accents, single spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "login": ("identifiant", "login"),
    "name": ("nom", "nom affiche", "nom et prenom", "prenom et nom"),
    "service": ("service",),
    "role": ("role",),
    "email": ("adresse", "adresse electronique", "courriel", "email", "e-mail", "mel"),
}
_ROLE_NAMES = {
    "agent": Role.AGENT,
    "ambassadeur": Role.AMBASSADEUR,
    "ambassadeur ia": Role.AMBASSADEUR,
    "administrateur": Role.ADMINISTRATEUR,
    "auditeur": Role.AUDITEUR,
}


class ImportRefused(ValueError):
    """The table as a whole cannot be imported; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class SourceRow:
    line: int  # the spreadsheet's own row number (the header is line 1)
    values: Mapping[str, str]  # heading as written -> cell
    problem: str | None = None  # what the table reader found wrong with the row


@dataclass(frozen=True, slots=True)
class ImportedRow:
    """One row's outcome, for the report: never more than the administrator typed."""

    line: int
    login: str
    created: bool
    outcome: str  # French, for people
    password: str | None = None  # the temporary password to hand over, shown once
    linked: bool = False  # bound to the identity provider


def _fold(heading: str) -> str:
    decomposed = unicodedata.normalize("NFKD", heading)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().replace("’", "'").split())


@dataclass(frozen=True, slots=True)
class Columns:
    headings: Mapping[str, str]  # column ("login", "name"…) -> its heading in the table
    ignored: tuple[str, ...] = ()  # headings that name no column, reported to the administrator


def read_columns(headings: Sequence[str], *, provider: bool) -> Columns:
    """Which heading holds which column; ImportRefused when the table cannot be used."""
    found: dict[str, str] = {}
    ignored: list[str] = []
    for heading in headings:
        folded = _fold(heading)
        column = next((c for c, names in COLUMNS.items() if folded in names), None)
        if column is None:
            ignored.append(heading)
        elif column in found:
            raise ImportRefused(
                f"les colonnes « {found[column]} » et « {heading} » disent la même chose : "
                "gardez-en une seule"
            )
        else:
            found[column] = heading
    if "login" not in found:
        raise ImportRefused(
            "aucune colonne « identifiant » : la première ligne du tableau doit nommer les "
            "colonnes identifiant, nom, service, rôle"
            + (", adresse" if provider else "")
            + f" (colonnes trouvées : {', '.join(headings) or 'aucune'})"
        )
    if "email" in found and not provider:
        raise ImportRefused(
            f"la colonne « {found['email']} » rattache les comptes au fournisseur d'identité, "
            "qui n'est pas configuré (portal.oidc) : retirez-la"
        )
    return Columns(found, tuple(ignored))


def _role(value: str) -> Role:
    if not value.strip():
        return Role.AGENT
    role = _ROLE_NAMES.get(_fold(value))
    if role is None:
        raise RoleError(
            f"rôle inconnu « {value} » (rôles possibles : agent, ambassadeur, administrateur, "
            "auditeur)"
        )
    return role


def _sentence(message: str) -> str:
    text = " ".join(message.split())
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def import_accounts(
    accounts: AccountAdmin,
    actor: Actor,
    rows: Iterable[SourceRow],
    columns: Columns,
    *,
    provider_label: str | None = None,
) -> list[ImportedRow]:
    """Create the account of each row; a report line for every row, in order.

    If the audit trail fails, nothing more is created (the change would not be recorded): the
    rows left are reported as not done, and the passwords of the accounts already created are
    in the report all the same.
    """
    report: list[ImportedRow] = []
    seen: set[str] = set()
    stopped: str | None = None
    for row in rows:
        login = row.values.get(columns.headings["login"], "").strip()
        if stopped is not None:
            report.append(ImportedRow(row.line, login, False, stopped))
            continue
        if row.problem is not None:
            report.append(ImportedRow(row.line, login, False, _sentence(row.problem)))
            continue
        folded = login.lower()
        if not login:
            report.append(ImportedRow(row.line, login, False, "Identifiant manquant."))
            continue
        if folded in seen:
            repeated = "Identifiant déjà présent plus haut dans le tableau : ligne ignorée."
            report.append(ImportedRow(row.line, login, False, repeated))
            continue
        seen.add(folded)
        try:
            report.append(_create(accounts, actor, row, columns.headings, login, provider_label))
        except _Stopped as stop:
            stopped = _stopped(stop.error)
            report.append(stop.row or ImportedRow(row.line, login, False, stopped))
    return report


class _Stopped(Exception):
    """The audit trail failed: nothing more may be changed. ``row``: the account created before
    the failure, whose password must still reach the report."""

    def __init__(self, error: AuditError, row: ImportedRow | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.row = row


def _stopped(error: AuditError) -> str:
    return (
        f"Non traité : le journal d'audit est indisponible ({error}) ; relancez l'import une "
        "fois le journal réparé (les comptes déjà créés seront signalés et laissés tels quels)."
    )


def _create(
    accounts: AccountAdmin,
    actor: Actor,
    row: SourceRow,
    columns: Mapping[str, str],
    login: str,
    provider_label: str | None,
) -> ImportedRow:
    def value(column: str) -> str:
        return row.values.get(columns[column], "").strip() if column in columns else ""

    try:
        role = _role(value("role"))
        created, password = accounts.create(
            actor, login, role, display_name=value("name") or None,
            service=value("service") or None,
        )  # fmt: skip
    except (StoreError, RoleError, AccountRefused) as exc:
        return ImportedRow(row.line, login, False, "Refusé : " + _sentence(str(exc)))
    except AuditError as exc:
        raise _Stopped(exc) from None
    email = value("email")
    if not email:
        return ImportedRow(row.line, created.shown_login, True, "Compte créé.", password)
    try:
        accounts.link_oidc(actor, created.login, email=email)
    except AuditError as exc:
        unlinked = (
            "Compte créé, mais non rattaché au fournisseur d'identité : le journal d'audit est "
            "indisponible. Remettez le mot de passe temporaire."
        )
        created_row = ImportedRow(row.line, created.shown_login, True, unlinked, password)
        raise _Stopped(exc, created_row) from None
    except (StoreError, AccountRefused) as exc:
        return ImportedRow(
            row.line, created.shown_login, True,
            "Compte créé, mais non rattaché au fournisseur d'identité : "
            + _sentence(str(exc)) + " Remettez le mot de passe temporaire, ou rattachez le "
            "compte depuis cette page.", password,
        )  # fmt: skip
    return ImportedRow(
        row.line, created.shown_login, True,
        f"Compte créé et rattaché au fournisseur d'identité : la personne se connecte avec "
        f"« {provider_label or 'le fournisseur'} », sans mot de passe d'Égide.",
        None, linked=True,
    )  # fmt: skip
