"""``/admin/utilisateurs/import``: many accounts at once, from a CSV or XLSX table.

The table is read like any untrusted file (a worker process, under the parsing limits); each
row becomes an account through :mod:`egide.auth.bulk` (audited one by one, creation only). The
report — one French line per row, with the temporary passwords — waits sealed in the session and
is shown once, by a redirect (reloading shows it no more, and imports nothing again); its CSV
(cells neutralised) is a ``data:`` link in that one page, so no copy of the passwords is kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, File, Request, UploadFile
from starlette.responses import Response

from egide.auth import Portal, Role, User
from egide.auth.accounts import Actor
from egide.auth.bulk import (
    MAX_IMPORT_ROWS,
    ImportedRow,
    ImportRefused,
    SourceRow,
    import_accounts,
    read_columns,
)
from egide.documents import DocumentError
from egide.spreadsheets import csv_bytes
from egide.tasks.tables import TableError, read_table_bytes
from egide.web.deps import Auth, PortalDep, SignedIn, portal_router, require_role
from egide.web.forms import redirect, uploaded
from egide.web.templating import date_fr, render

__all__ = ["router"]

router = portal_router()

Administrator = Annotated[User, Depends(require_role(Role.ADMINISTRATEUR))]
_PAGE = "/admin/utilisateurs/import"
_REPORT_HEADER = ("Ligne", "Identifiant", "Résultat", "Mot de passe temporaire")


def report_csv(rows: list[ImportedRow]) -> bytes:
    """The report as the administrator downloads it (every cell neutralised)."""
    return csv_bytes(_REPORT_HEADER, [(r.line, r.login, r.outcome, r.password or "") for r in rows])


def _import_page(
    request: Request,
    portal: Portal,
    auth: Auth,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    notice = portal.sessions.take_notice(auth.state, _PAGE) if error is None else None
    report: list[ImportedRow] = []
    download = None
    if notice is not None:
        report = [ImportedRow(**row) for row in notice.get("rows", [])]
        download = "data:text/csv;charset=utf-8," + quote(report_csv(report))
    oidc = portal.settings.portal.oidc
    context: dict[str, Any] = {
        "error": error,
        "report": report,
        "created": sum(1 for row in report if row.created),
        "with_password": sum(1 for row in report if row.password),
        "ignored": (notice or {}).get("ignored", ""),
        "source": (notice or {}).get("source", ""),
        "made_at": (notice or {}).get("made_at", ""),
        "download": download,
        "download_name": f"comptes-importes-{portal.clock():%Y%m%d-%H%M}.csv",
        "oidc": oidc,
        "max_rows": MAX_IMPORT_ROWS,
    }
    return render(request, "admin_import.html", context, status_code=status_code)


@router.get(_PAGE)
def import_form(
    request: Request, admin: Administrator, auth: SignedIn, portal: PortalDep
) -> Response:
    return _import_page(request, portal, auth)


@router.post(_PAGE)
def import_table(
    request: Request,
    admin: Administrator,
    auth: SignedIn,
    portal: PortalDep,
    table: Annotated[UploadFile | None, File()] = None,
) -> Response:
    files = uploaded(table)
    if not files:
        return _import_page(
            request, portal, auth, error="Choisissez le tableau des comptes à créer.",
            status_code=400,
        )  # fmt: skip
    name, data = files[0]
    oidc = portal.settings.portal.oidc
    try:
        read = read_table_bytes(data, name=name)
        columns = read_columns(read.columns, provider=oidc is not None)
    except (TableError, DocumentError, ImportRefused) as exc:
        message = " ".join((exc.message if isinstance(exc, DocumentError) else str(exc)).split())
        # The reason stays a clause (it may start with the file's name, never capitalised).
        ending = "" if message.endswith((".", "?", "!")) else "."
        return _import_page(
            request, portal, auth, error=f"Aucun compte créé : {message}{ending}",
            status_code=400,
        )  # fmt: skip
    if len(read.rows) > MAX_IMPORT_ROWS:
        return _import_page(
            request, portal, auth, status_code=400,
            error=f"Aucun compte créé : le tableau a {len(read.rows)} lignes, pour "
            f"{MAX_IMPORT_ROWS} au plus par import. Découpez-le en plusieurs fichiers.",
        )  # fmt: skip
    rows = [SourceRow(row.line, row.values, row.problem) for row in read.rows]
    report = import_accounts(
        portal.accounts, Actor.of(admin), rows, columns,
        provider_label=oidc.label if oidc is not None else None,
    )  # fmt: skip
    made: datetime = portal.clock()
    notice = {
        "rows": [_row_dict(row) for row in report],
        "ignored": ", ".join(columns.ignored),
        "source": name,
        "made_at": date_fr(made),
    }
    portal.sessions.set_notice(auth.state, _PAGE, notice)
    return redirect(f"{_PAGE}#rapport-import")


def _row_dict(row: ImportedRow) -> dict[str, object]:
    return {
        "line": row.line,
        "login": row.login,
        "created": row.created,
        "outcome": row.outcome,
        "password": row.password,
        "linked": row.linked,
    }
