"""``/tableau-de-bord``: aggregated use of Égide, for administrators, auditors and ambassadeurs.

Figures only, over complete weeks and one visible population of cells of at least five
people (:mod:`egide.workspace.dashboard`); an ambassadeur IA sees their own service's part of
it. Nobody sees one agent's activity here, nor by comparing two views.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response

from egide.auth import Role, User
from egide.web.deps import PortalDep, portal_router, require_role
from egide.web.templating import render
from egide.workspace.dashboard import MIN_PEOPLE, PERIOD_WEEKS, UsageFigures, build_dashboard

__all__ = ["PERIODS", "router", "usage_figures"]

router = portal_router()

Viewer = Annotated[
    User, Depends(require_role(Role.ADMINISTRATEUR, Role.AUDITEUR, Role.AMBASSADEUR))
]
_PERIOD_NAMES = {
    4: "4 dernières semaines",
    12: "12 dernières semaines",
    52: "52 dernières semaines",
}
PERIODS = {str(weeks): _PERIOD_NAMES[weeks] for weeks in PERIOD_WEEKS}


def usage_figures(request: Request, portal: PortalDep) -> UsageFigures:
    """The process's reader of the audit trail (one cache for the dashboard and /audit)."""
    state = request.app.state
    figures: UsageFigures | None = getattr(state, "usage_figures", None)
    if figures is None:
        figures = state.usage_figures = UsageFigures(lambda: portal.audit)
    return figures


@router.get("/tableau-de-bord")
def dashboard(request: Request, viewer: Viewer, portal: PortalDep) -> Response:
    weeks = request.query_params.get("periode", "12")
    weeks = weeks if weeks in PERIODS else "12"
    users = portal.users.list()
    services = {u.login: u.service for u in users}
    known_services = sorted({u.service for u in users if u.service})
    only_service: str | None
    if viewer.role is Role.AMBASSADEUR:
        only_service = viewer.service or ""
    else:
        wanted = request.query_params.get("service", "")
        only_service = wanted if wanted in known_services else None
    trained_ids = portal.training_book.completed_users()
    figures = build_dashboard(
        usage_figures(request, portal).events(),
        services,
        today=portal.clock().date(),
        weeks=int(weeks),
        only_service=only_service,
        trained=[u.login for u in users if u.id in trained_ids],
        active_logins=[u.login for u in users if not u.disabled],
    )
    context = {
        "figures": figures,
        "periods": PERIODS,
        "period": weeks,
        "services": known_services if viewer.role is not Role.AMBASSADEUR else [],
        "service": only_service or "",
        "min_people": MIN_PEOPLE,
        "is_ambassador": viewer.role is Role.AMBASSADEUR,
        "no_service": viewer.role is Role.AMBASSADEUR and not viewer.service,
    }
    return render(request, "tableau_de_bord.html", context)
