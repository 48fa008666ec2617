"""``/audit``: the audit trail and its verification, for auditors.

The trail holds who did what, with which model and at which level, and counts of findings —
never content. This page shows it newest first, in pages, filtered by period, event and account
(who acted, or whose account was changed), in French words; it checks the chain on demand, and
exports the selection as CSV — an export that is itself recorded in the trail.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from starlette.responses import Response

from egide.auth import Role, User
from egide.web.audit_rows import ACTION_LABELS, AuditFilter, audit_csv, audit_row
from egide.web.deps import PortalDep, portal_router, require_role
from egide.web.routes.dashboard import usage_figures
from egide.web.templating import render

__all__ = ["ACTION_LABELS", "PAGE_SIZE", "router"]

router = portal_router()

Auditor = Annotated[User, Depends(require_role(Role.AUDITEUR))]
PAGE_SIZE = 50


def _page_number(text: str) -> int:
    return max(1, int(text)) if text.isdigit() and len(text) < 7 else 1


@router.get("/audit")
def audit_page(request: Request, auditor: Auditor, portal: PortalDep) -> Response:
    wanted = AuditFilter.from_query(request.query_params)
    events = usage_figures(request, portal).events()
    selected = wanted.select(events)
    pages = max(1, -(-len(selected) // PAGE_SIZE))
    page = min(_page_number(request.query_params.get("page", "1")), pages)
    shown = selected[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    known = dict(ACTION_LABELS)
    for event in events:  # events of a newer version, or of an extension, can be chosen too
        known.setdefault(event.action, event.action)
    verify = request.query_params.get("verifier") == "1"
    context = {
        "rows": [audit_row(event) for event in shown],
        "selection": wanted,
        "actions": sorted(known.items(), key=lambda item: item[1]),
        "page": page,
        "pages": pages,
        "total": len(selected),
        "everything": len(events),
        "first": (page - 1) * PAGE_SIZE + 1 if shown else 0,
        "last": (page - 1) * PAGE_SIZE + len(shown),
        "report": portal.audit.verify() if verify else None,
    }
    return render(request, "audit.html", context)


@router.post("/audit/export")
def export(
    request: Request,
    auditor: Auditor,
    portal: PortalDep,
    du: Annotated[str, Form(max_length=10)] = "",
    au: Annotated[str, Form(max_length=10)] = "",
    action: Annotated[str, Form(max_length=40)] = "",
    compte: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """The selection as CSV; recorded first (failing closed: no export the trail does not show)."""
    wanted = AuditFilter.from_query({"du": du, "au": au, "action": action, "compte": compte})
    selected = wanted.select(usage_figures(request, portal).events())
    portal.record(
        auditor.login, "audit_exported", events=len(selected), selection=wanted.describe()[:200]
    )
    name = f"journal-audit-{portal.clock():%Y%m%d-%H%M}.csv"
    return Response(
        audit_csv(selected),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
