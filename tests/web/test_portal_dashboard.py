"""The dashboard: aggregates over at least five people, never one agent's activity.

The attacks by subtraction (two charts, two views, two periods) are in
``tests/security/privacy/test_dashboard_differencing.py``.
"""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta

from egide.audit import AuditEvent, AuditLog
from egide.auth import Role
from egide.workspace.dashboard import MIN_PEOPLE, build_dashboard, complete_weeks
from tests.support.portal import PortalHarness

TODAY = date(2026, 12, 2)  # a Wednesday: the last complete week ended on Sunday 29 November


def _event(user: str, action: str, *, tier: str = "interne", decision: str = "allowed",
           day: int = 10) -> AuditEvent:  # fmt: skip
    moment = datetime(2026, 11, day, 9, 0, tzinfo=UTC)
    return AuditEvent(
        seq=1, timestamp=moment.isoformat().replace("+00:00", "Z"), user=user, action=action,
        tier=tier, decision=decision,
    )  # fmt: skip


def _chart(dashboard, key):  # type: ignore[no-untyped-def]
    return next(c for c in dashboard.charts if c.key == key)


def test_periods_are_complete_weeks() -> None:
    assert complete_weeks(TODAY, 4) == (date(2026, 11, 2), date(2026, 11, 29))
    assert complete_weeks(date(2026, 11, 30), 1) == (date(2026, 11, 23), date(2026, 11, 29))


def test_a_category_under_five_people_is_never_shown_alone() -> None:
    services = {f"a{i}": "Bureau A" for i in range(6)} | {f"b{i}": "Bureau B" for i in range(3)}
    events = [_event(f"a{i}", "summarize") for i in range(6)]
    events += [_event(f"b{i}", "draft") for i in range(3)]
    board = build_dashboard(events, services, today=TODAY, weeks=4)
    tasks = {bar.label: bar.count for bar in _chart(board, "taches").bars}
    assert tasks == {"Résumé": 6}  # three people drafting: hidden
    assert _chart(board, "taches").masked == 1
    by_service = {bar.label: bar.count for bar in _chart(board, "services").bars}
    assert by_service == {"Bureau A": 6}
    assert board.people == 6  # the people of what is shown


def test_small_services_are_left_out_not_merged() -> None:
    """« autres » would count requests that no service's own view counts: the global view
    minus the services' views would isolate them."""
    services = {f"u{i}": f"Bureau {i % 3}" for i in range(9)}
    events = [_event(f"u{i}", "chat") for i in range(9)]
    board = build_dashboard(events, services, today=TODAY, weeks=4)
    chart = _chart(board, "services")
    assert chart.bars == () and chart.masked == 3
    assert all(c.total == 0 for c in board.charts)


def test_an_ambassador_sees_their_service_only_and_nothing_under_five() -> None:
    services = {f"a{i}": "Bureau A" for i in range(4)} | {f"b{i}": "Bureau B" for i in range(7)}
    events = [_event(user, "summarize") for user in services]
    board = build_dashboard(events, services, today=TODAY, weeks=4, only_service="Bureau A")
    assert all(chart.bars == () for chart in board.charts)
    assert board.people is None
    board = build_dashboard(events, services, today=TODAY, weeks=4, only_service="Bureau B")
    assert _chart(board, "taches").bars[0].count == 7


def test_refusals_applications_and_the_period() -> None:
    services = {f"u{i}": "Bureau" for i in range(5)}
    events = [_event(f"u{i}", "refusal", decision="refused_personal_external") for i in range(5)]
    events += [_event("app:rh", "gateway_chat") for _ in range(20)]
    events += [_event(f"u{i}", "summarize", day=1) for i in range(5)]  # before the 4 weeks
    events += [_event(f"u{i}", "summarize", day=30) for i in range(5)]  # the current week
    board = build_dashboard(events, services, today=TODAY, weeks=4)
    refusals = _chart(board, "refus").bars
    assert [(b.label, b.count) for b in refusals] == [
        ("Données personnelles vers un service externe", 5)
    ]
    assert _chart(board, "taches").bars == ()  # day 1 is out, and so is the unfinished week


def test_the_page_shows_aggregates_to_administrators_and_auditors_only(
    harness: PortalHarness,
) -> None:
    for i in range(MIN_PEOPLE + 1):
        harness.add_user(f"agent{i}", service="Bureau du séjour")
    harness.add_user("solo", service="Cabinet")
    log = AuditLog.open(harness.settings)
    now = harness.clock.now
    for i in range(MIN_PEOPLE + 1):
        log.append(user=f"agent{i}", action="summarize", tier="interne", decision="allowed",
                   now=now - timedelta(days=1))  # fmt: skip
    log.append(user="solo", action="draft", tier="interne", decision="allowed",
               now=now - timedelta(days=1))  # fmt: skip
    admin = harness.add_user("chef", Role.ADMINISTRATEUR)
    client = harness.client()
    harness.first_sign_in(client, admin)
    page = client.get("/tableau-de-bord")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Bureau du séjour" in text and "Résumé" in text
    assert "Cabinet" not in text.split('id="form-filtres"')[1].split("</form>")[1]
    assert "solo" not in text and "agent1" not in text
    # The solo's request is counted nowhere, and the page says why, without naming anything.
    assert "1 catégorie non affichée : moins de 5 personnes chacune" in text
    assert "D'autres demandes ne sont comptées nulle part" in text
    assert "Demandes comptées sur la période : <strong>6</strong>" in text

    agent = harness.client()
    harness.first_sign_in(agent, harness.add_user("curieux", service="Cabinet"))
    assert agent.get("/tableau-de-bord").status_code == 403


def test_a_pilot_sees_its_totals_when_no_cell_holds_five_people(harness: PortalHarness) -> None:
    """Six agents, three summarising and three drafting: the detail shows nothing (cells of
    three), the overview counts their six requests, week by week, and says so."""
    for i in range(6):
        harness.add_user(f"agent{i}", service="Bureau du séjour")
    log = AuditLog.open(harness.settings)
    yesterday = harness.clock.now - timedelta(days=1)
    for i in range(6):
        log.append(user=f"agent{i}", action="summarize" if i < 3 else "draft", tier="interne",
                   decision="allowed", now=yesterday)  # fmt: skip
    auditor = harness.add_user("verif", Role.AUDITEUR)
    client = harness.client()
    harness.first_sign_in(client, auditor)
    text = html.unescape(client.get("/tableau-de-bord?periode=4").text)
    assert "Demandes comptées sur la période : <strong>6</strong>, dont 0 détaillée" in text
    assert "Personnes dont des demandes sont comptées : <strong>6</strong>" in text
    assert "Toutes les demandes de la période sont comptées." in text
    weeks = text.split('id="graphique-semaines-toutes"')[1].split("</figure>")[0]
    assert "<td>semaine du 16/11/2026</td><td>6</td>" in weeks
    detail = text.split('id="titre-detail"')[1].split("</main>")[0]
    assert "Rien à afficher : chaque groupe compte moins de 5 personnes." in detail
    assert "agent0" not in detail and "agent5" not in detail
