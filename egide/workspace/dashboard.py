"""Aggregated figures of use, from the audit trail — never one agent's activity.

Every figure is a count over one *visible population*, decided once, the same for every chart,
every view (all services, one service, an ambassadeur's) and every period. A request belongs to
it when its cell — same service, same week, same model tier, same task (for a refusal: same
service, week and reason) — holds at least :data:`MIN_PEOPLE` distinct people; otherwise it is
counted nowhere. Every figure shown is therefore a sum of whole cells of five people or more,
and so is any difference between two figures whose requests contain one another (one chart's
total and another's, a week in the 4-week and in the 12-week view, a service in the global view
and in its own): no subtraction isolates fewer than five people. Merging small categories into
« autres » would break this (an « autres » bar counts requests that a service's own view does
not), so a small category is left out, with a note and without a number.

The overview adds what can be shown safely beyond the cells: the rest of a service's week (its
requests outside the visible cells, uses and refusals apart), when it holds five people; then, in
the view of all services only, the rest of the whole week, when it holds five people. Every
figure is still a sum of such groups of five people or more, none split between two figures, so
that any difference of two figures is one too (:func:`_levels`; the property test of
``tests/security/privacy/test_dashboard_overview.py`` checks it). The rest — groups of fewer
than five people — is counted nowhere, and said so (« moins de 5 personnes »), without a number nor a name.

Only complete weeks (Monday to Sunday) are shown: a cell's visibility depends on its whole week
alone, so a figure, once shown, never changes, and comparing today's dashboard with
yesterday's reveals nothing either. The applications of the gateway (``app:NAME``) are not
people and are left out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from egide.audit import AuditEvent, AuditLog
from egide.policy.decide import DecisionCode
from egide.policy.tiers import Tier

__all__ = [
    "MIN_PEOPLE",
    "PERIOD_WEEKS",
    "Bar",
    "Chart",
    "Dashboard",
    "Overview",
    "UsageFigures",
    "build_dashboard",
    "complete_weeks",
]

MIN_PEOPLE = 5
PERIOD_WEEKS = (4, 12, 52)
NO_SERVICE = "Service non renseigné"
_TASKS = {
    "summarize": "Résumé",
    "draft": "Rédaction",
    "chat": "Questions sur des documents",
    "reformulate": "Reformulations et traductions",
    "translate": "Reformulations et traductions",
    "gateway_chat": "Applications métier (API)",
    "embeddings": "Plongements (API)",
}
_REFUSALS = {
    DecisionCode.REFUSED_PERSONAL_EXTERNAL.value: "Données personnelles vers un service externe",
    DecisionCode.REFUSED_LEVEL.value: "Niveau de sensibilité trop élevé pour le modèle",
    DecisionCode.REFUSED_CLASSIFIED.value: "Information classifiée",
    DecisionCode.NO_MODEL_ALLOWED.value: "Aucun modèle autorisé",
    DecisionCode.UNKNOWN_MODEL.value: "Modèle inconnu",
}
_TIERS = {tier.value: tier.label_fr[:1].upper() + tier.label_fr[1:] for tier in Tier}
# Pipeline actions that are one use of a model (the decision was "allowed").
_USE_ACTIONS = frozenset(_TASKS)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    count: int
    share: float  # of the largest bar, for the drawing: 0..1


@dataclass(frozen=True, slots=True)
class Chart:
    key: str
    title: str
    unit: str
    bars: tuple[Bar, ...]
    # Categories with requests in this view, none of them in the visible population: counted,
    # never named (a service, a refusal's reason or a tier named here would tell what a group
    # of fewer than five people did).
    masked: int

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


@dataclass(frozen=True, slots=True)
class Overview:
    """The whole of what can be counted in a view: the cells, plus the rests of weeks that
    hold five people (:func:`_levels`). Its figures count more than the charts' when requests
    of small cells add up, in a service's week (or, for all services, in a week), to five
    people; ``detailed`` is what the charts count."""

    uses: int  # requests counted
    refusals: int  # refusals counted
    detailed: int  # requests of the visible cells (the charts' population)
    refusals_detailed: int
    weeks: Chart  # requests counted, week by week
    people: int | None  # distinct people counted, None under the threshold
    uncounted: bool  # some requests of this view, from groups of fewer than 5, are nowhere


@dataclass(frozen=True, slots=True)
class Dashboard:
    charts: tuple[Chart, ...]
    people: int | None  # distinct people of the visible population, None under the threshold
    start: date  # a Monday
    end: date  # a Sunday
    scope: str  # "tous les services" or the ambassadeur's service
    trained_share: float | None  # share of active accounts who passed the quiz
    overview: Overview | None = None


@dataclass(frozen=True, slots=True)
class _Record:
    """One request (or refusal) reduced to what the dashboard counts."""

    user: str
    service: str
    monday: date
    tier: str  # labels, in French; empty for refusals
    task: str
    reason: str  # empty for uses

    @property
    def cell(self) -> Hashable:
        """The requests whose people, together, decide whether this one is shown."""
        return (self.service, self.monday, self.tier, self.task, self.reason)


def complete_weeks(today: date, weeks: int) -> tuple[date, date]:
    """The last ``weeks`` complete weeks before ``today``: from a Monday to a Sunday."""
    end = today - timedelta(days=today.weekday() + 1)
    return end - timedelta(weeks=weeks) + timedelta(days=1), end


def _day(event: AuditEvent) -> date | None:
    try:
        moment = datetime.fromisoformat(event.timestamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC).date()


def _records(
    events: Iterable[AuditEvent], services: Mapping[str, str | None], start: date, end: date
) -> list[_Record]:
    records: list[_Record] = []
    for event in events:
        if event.user.startswith("app:"):
            continue
        uses = event.action in _USE_ACTIONS
        if not uses and event.action != "refusal":
            continue
        day = _day(event)
        if day is None or not start <= day <= end:
            continue
        service = services.get(event.user) or NO_SERVICE
        monday = day - timedelta(days=day.weekday())
        if uses:
            tier = _TIERS.get(event.tier or "", "Niveau inconnu")
            records.append(_Record(event.user, service, monday, tier, _TASKS[event.action], ""))
        else:
            reason = _REFUSALS.get(event.decision or "", "Autre refus")
            records.append(_Record(event.user, service, monday, "", "", reason))
    return records


def _levels(records: Sequence[_Record]) -> list[int]:
    """For each record, the smallest group of at least :data:`MIN_PEOPLE` distinct people that
    counts it: 1 its cell; 2 the rest of its service's week (uses and refusals apart); 3 the
    rest of the whole week, all services together; 0 none (counted nowhere).

    Each group is decided on its complete week alone, over every service, whatever the view:
    the same groups for every view and period, so that figures built from whole groups differ
    only by whole groups. Level 3 belongs to the view of all services only.
    """
    level = [0] * len(records)

    def settle(group: Callable[[_Record], Hashable], rank: int) -> None:
        members: dict[Hashable, list[int]] = {}
        for index, record in enumerate(records):
            if not level[index]:
                members.setdefault(group(record), []).append(index)
        for indexes in members.values():
            if len({records[i].user for i in indexes}) >= MIN_PEOPLE:
                for index in indexes:
                    level[index] = rank

    settle(lambda r: r.cell, 1)
    settle(lambda r: (r.service, r.monday, bool(r.reason)), 2)
    settle(lambda r: (r.monday, bool(r.reason)), 3)
    return level


def _visible(records: Sequence[_Record]) -> list[_Record]:
    """The records whose cell holds at least :data:`MIN_PEOPLE` distinct people."""
    people: dict[Hashable, set[str]] = {}
    for record in records:
        people.setdefault(record.cell, set()).add(record.user)
    return [r for r in records if len(people[r.cell]) >= MIN_PEOPLE]


def _week_label(monday: date) -> str:
    return f"semaine du {monday.strftime('%d/%m/%Y')}"


def _chart(
    key: str, title: str, unit: str, shown: Sequence[_Record], everything: Sequence[_Record],
    category: Callable[[_Record], str], *, order: Sequence[str] | None = None,
) -> Chart:  # fmt: skip
    counts: dict[str, int] = {}
    for record in shown:
        label = category(record)
        counts[label] = counts.get(label, 0) + 1
    if order is None:  # largest first
        order = sorted(counts, key=lambda label: (-counts[label], label))
    top = max(counts.values(), default=0)
    bars = tuple(Bar(label, counts[label], counts[label] / top) for label in order)
    masked = len({category(r) for r in everything} - counts.keys())
    return Chart(key, title, unit, bars, masked)


def build_dashboard(
    events: Iterable[AuditEvent],
    services: Mapping[str, str | None],
    *,
    today: date,
    weeks: int,
    only_service: str | None = None,
    trained: Iterable[str] = (),
    active_logins: Iterable[str] = (),
) -> Dashboard:
    """The figures of ``events`` over the last ``weeks`` complete weeks before ``today``.

    ``services`` maps logins to their service; ``only_service`` keeps that service's people
    (an ambassadeur's view). ``trained`` are the logins who passed the quiz, ``active_logins``
    the accounts that count for its share.
    """
    start, end = complete_weeks(today, weeks)
    records = _records(events, services, start, end)
    overview = _overview(records, only_service)
    if only_service is not None:
        # Cells never span two services: a service's view is a part of the global one.
        records = [r for r in records if r.service == only_service]
    shown = _visible(records)
    uses = [r for r in shown if not r.reason]
    all_uses = [r for r in records if not r.reason]
    refused = [r for r in shown if r.reason]
    all_refused = [r for r in records if r.reason]

    def week(r: _Record) -> str:
        return _week_label(r.monday)

    chronological = [_week_label(monday) for monday in sorted({r.monday for r in uses})]
    charts = (
        _chart("semaines", "Demandes par semaine", "demandes", uses, all_uses, week,
               order=chronological),
        _chart("niveaux", "Demandes par niveau de modèle", "demandes", uses, all_uses,
               lambda r: r.tier),
        _chart("taches", "Demandes par tâche", "demandes", uses, all_uses, lambda r: r.task),
        _chart("services", "Demandes par service", "demandes", uses, all_uses,
               lambda r: r.service),
        _chart("refus", "Refus de la charte, par motif", "refus", refused, all_refused,
               lambda r: r.reason),
    )  # fmt: skip
    people = {r.user for r in shown}
    active = set(active_logins)
    if only_service is not None:
        active = {login for login in active if services.get(login) == only_service}
    trained_share = None
    if len(active) >= MIN_PEOPLE:
        trained_share = len(active & set(trained)) / len(active)
    return Dashboard(
        charts=charts,
        people=len(people) if len(people) >= MIN_PEOPLE else None,
        start=start,
        end=end,
        scope=only_service or "tous les services",
        trained_share=trained_share,
        overview=overview,
    )


def _overview(records: Sequence[_Record], only_service: str | None) -> Overview:
    """The overview of a view, from the records of every service (levels need them all)."""
    levels = _levels(records)
    top = 3 if only_service is None else 2
    in_view = [
        (record, level)
        for record, level in zip(records, levels, strict=True)
        if only_service is None or record.service == only_service
    ]
    counted = [record for record, level in in_view if 1 <= level <= top]
    uses = [r for r in counted if not r.reason]
    all_uses = [record for record, _ in in_view if not record.reason]
    chronological = [_week_label(monday) for monday in sorted({r.monday for r in uses})]
    weeks = _chart("semaines-toutes", "Demandes comptées, par semaine", "demandes", uses,
                   all_uses, lambda r: _week_label(r.monday), order=chronological)  # fmt: skip
    people = {r.user for r in counted}
    return Overview(
        uses=len(uses),
        refusals=len(counted) - len(uses),
        detailed=sum(1 for r, level in in_view if level == 1 and not r.reason),
        refusals_detailed=sum(1 for r, level in in_view if level == 1 and r.reason),
        weeks=weeks,
        people=len(people) if len(people) >= MIN_PEOPLE else None,
        uncounted=len(counted) < len(in_view),
    )


class UsageFigures:
    """Reads the audit trail once per change of the file, then builds dashboards from memory."""

    def __init__(self, audit: Callable[[], AuditLog]) -> None:
        self._audit = audit
        self._lock = threading.Lock()
        self._cached: tuple[tuple[int, int], tuple[AuditEvent, ...]] | None = None

    def events(self) -> tuple[AuditEvent, ...]:
        log = self._audit()
        path = Path(log.path)
        try:
            stat = path.stat()
            stamp = (stat.st_size, stat.st_mtime_ns)
        except FileNotFoundError:
            return ()
        with self._lock:
            if self._cached is not None and self._cached[0] == stamp:
                return self._cached[1]
        events = tuple(log.events())
        with self._lock:
            self._cached = (stamp, events)
        return events
