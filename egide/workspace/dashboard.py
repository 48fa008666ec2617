"""Aggregated figures of use, from the audit trail — never one agent's activity.

Every figure shown is a count over at least :data:`MIN_PEOPLE` distinct people. A category
below the threshold is not shown on its own: categories below it are merged into « autres »
when that merge reaches the threshold, and left out otherwise (with a note, without a number).
Totals are the sums of what is shown, so that no subtraction reveals a hidden category. The
applications of the gateway (``app:NAME``) are not people and are left out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from egide.audit import AuditEvent, AuditLog
from egide.policy.decide import DecisionCode
from egide.policy.tiers import Tier

__all__ = ["MIN_PEOPLE", "Bar", "Chart", "Dashboard", "UsageFigures", "build_dashboard"]

MIN_PEOPLE = 5
OTHERS = "autres"
_TASKS = {
    "summarize": "Résumé",
    "draft": "Rédaction",
    "chat": "Questions sur des documents",
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
    masked: int  # categories left out (under the threshold even merged)

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


@dataclass(frozen=True, slots=True)
class Dashboard:
    charts: tuple[Chart, ...]
    people: int | None  # distinct people in the period, None under the threshold
    start: date
    end: date
    scope: str  # "tous les services" or the ambassadeur's service
    trained_share: float | None  # share of active accounts who passed the quiz


def _chart(
    key: str, title: str, unit: str, groups: Mapping[str, tuple[int, set[str]]],
    *, order: Iterable[str] | None = None,
) -> Chart:  # fmt: skip
    shown: list[tuple[str, int]] = []
    small_count, small_people, small_categories = 0, set(), 0
    for label in order if order is not None else sorted(groups, key=lambda k: -groups[k][0]):
        if label not in groups:
            continue
        count, people = groups[label]
        if len(people) >= MIN_PEOPLE:
            shown.append((label, count))
        else:
            small_count += count
            small_people |= people
            small_categories += 1
    masked = small_categories
    if small_categories and len(small_people) >= MIN_PEOPLE:
        shown.append((OTHERS, small_count))
        masked = 0
    top = max((count for _, count in shown), default=0)
    bars = tuple(Bar(label, count, count / top if top else 0.0) for label, count in shown)
    return Chart(key, title, unit, bars, masked)


def _add(groups: dict[str, tuple[int, set[str]]], key: str, user: str) -> None:
    count, people = groups.get(key, (0, set()))
    people.add(user)
    groups[key] = (count + 1, people)


def _day(event: AuditEvent) -> date | None:
    try:
        moment = datetime.fromisoformat(event.timestamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC).date()


def build_dashboard(
    events: Iterable[AuditEvent],
    services: Mapping[str, str | None],
    *,
    start: date,
    end: date,
    only_service: str | None = None,
    trained: Iterable[str] = (),
    active_logins: Iterable[str] = (),
) -> Dashboard:
    """The figures of ``events`` between ``start`` and ``end`` (inclusive).

    ``services`` maps logins to their service; ``only_service`` keeps that service's people
    (an ambassadeur's view). ``trained`` are the logins who passed the quiz, ``active_logins``
    the accounts that count for its share.
    """
    by_tier: dict[str, tuple[int, set[str]]] = {}
    by_task: dict[str, tuple[int, set[str]]] = {}
    by_service: dict[str, tuple[int, set[str]]] = {}
    refusals: dict[str, tuple[int, set[str]]] = {}
    by_week: dict[str, tuple[int, set[str]]] = {}
    mondays: dict[str, date] = {}
    people: set[str] = set()
    for event in events:
        user = event.user
        if user.startswith("app:"):
            continue
        if only_service is not None and services.get(user) != only_service:
            continue
        day = _day(event)
        if day is None or not start <= day <= end:
            continue
        if event.action in _USE_ACTIONS:
            people.add(user)
            _add(by_tier, _TIERS.get(event.tier or "", "Niveau inconnu"), user)
            _add(by_task, _TASKS[event.action], user)
            _add(by_service, services.get(user) or "Service non renseigné", user)
            monday = day - timedelta(days=day.weekday())
            week = f"semaine du {monday.strftime('%d/%m/%Y')}"
            mondays[week] = monday
            _add(by_week, week, user)
        elif event.action == "refusal":
            people.add(user)
            _add(refusals, _REFUSALS.get(event.decision or "", "Autre refus"), user)
    weeks = sorted(mondays, key=mondays.__getitem__)
    charts = (
        _chart("semaines", "Demandes par semaine", "demandes", by_week, order=weeks),
        _chart("niveaux", "Demandes par niveau de modèle", "demandes", by_tier),
        _chart("taches", "Demandes par tâche", "demandes", by_task),
        _chart("services", "Demandes par service", "demandes", by_service),
        _chart("refus", "Refus de la charte, par motif", "refus", refusals),
    )
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
