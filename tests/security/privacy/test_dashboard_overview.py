"""The dashboard's overview (totals, weeks) keeps the guarantee of the charts against subtraction.

Issue 12: in a small pilot the charts showed almost nothing, since few cells (service, week,
tier, task) hold five people. The overview also counts the rest of a service's week, and for all
services the rest of the whole week, when that rest holds five people. The attacker of
``test_dashboard_differencing.py`` holds every figure of every view — all services, each
service, 4 and 12 weeks, today and a week later — knows the rule, and subtracts any combination
of bars of one figure from any combination of another. Each figure is compared with an
independent model of the requests it should count (the rule written again here); then every
difference, both ways, must be empty or concern at least five people.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egide.audit import AuditEvent
from egide.policy.tiers import Tier
from egide.workspace.dashboard import MIN_PEOPLE, Dashboard, build_dashboard

TODAY = date(2026, 12, 2)  # a Wednesday
THIS_MONDAY = date(2026, 11, 30)
SERVICES = ("Bureau des titres", "Cabinet")
NO_SERVICE = "Service non renseigné"
SCOPES = (None, *SERVICES, NO_SERVICE)
TASKS = {"summarize": "Résumé", "draft": "Rédaction"}
TIERS = {t.value: t.label_fr[:1].upper() + t.label_fr[1:] for t in (Tier.INTERNE, Tier.EXTERNE)}
REASONS = {
    "refused_personal_external": "Données personnelles vers un service externe",
    "refused_level": "Niveau de sensibilité trop élevé pour le modèle",
}
WEEKS_AGO = (0, 1, 2, 4, 6)  # 0: the unfinished week today, complete a week later
PERIODS = (4, 12)
LATER = (0, 1)  # the dashboard read today, and a week later


@dataclass(frozen=True)
class Use:
    user: str
    service: str | None
    weeks_ago: int
    tier: str
    action: str  # a task, or "refusal"
    decision: str = "allowed"

    @property
    def monday(self) -> date:
        return THIS_MONDAY - timedelta(weeks=self.weeks_ago)

    @property
    def refused(self) -> bool:
        return self.action == "refusal"

    @property
    def office(self) -> str:
        return self.service or NO_SERVICE

    def event(self, seq: int) -> AuditEvent:
        moment = datetime.combine(self.monday + timedelta(days=seq % 5), datetime.min.time(), UTC)
        return AuditEvent(seq=seq, timestamp=moment.isoformat().replace("+00:00", "Z"),
                          user=self.user, action=self.action, tier=self.tier,
                          decision=self.decision)  # fmt: skip


def model_levels(uses: Sequence[Use]) -> list[int]:
    """The rule, written again: 1 a cell of five people, 2 the rest of a service's week of five
    people (uses and refusals apart), 3 the rest of a week of five people; 0 nowhere."""
    level = [0] * len(uses)

    def cell(use: Use) -> Hashable:
        if use.refused:
            return (use.office, use.monday, REASONS[use.decision])
        return (use.office, use.monday, TIERS[use.tier], TASKS[use.action])

    rules: tuple[tuple[Callable[[Use], Hashable], int], ...] = (
        (cell, 1),
        (lambda u: (u.office, u.monday, u.refused), 2),
        (lambda u: (u.monday, u.refused), 3),
    )
    for key, rank in rules:
        groups: dict[Hashable, list[int]] = {}
        for index, use in enumerate(uses):
            if not level[index]:
                groups.setdefault(key(use), []).append(index)
        for members in groups.values():
            if len({uses[i].user for i in members}) >= MIN_PEOPLE:
                for index in members:
                    level[index] = rank
    return level


def _chart_label(chart: str, use: Use) -> str | None:
    if chart == "refus":
        return REASONS[use.decision] if use.refused else None
    if use.refused:
        return None
    return {
        "semaines": f"semaine du {use.monday.strftime('%d/%m/%Y')}",
        "semaines-toutes": f"semaine du {use.monday.strftime('%d/%m/%Y')}",
        "niveaux": TIERS[use.tier],
        "taches": TASKS[use.action],
        "services": use.office,
    }[chart]


@dataclass(frozen=True)
class Figure:
    name: str
    bars: tuple[tuple[str, int, int], ...]  # label, count shown, requests it must count (bits)


def _figures(uses: Sequence[Use]) -> list[Figure]:
    levels = model_levels(uses)
    figures: list[Figure] = []
    for later in LATER:
        events = [use.event(seq) for seq, use in enumerate(uses, start=1)]
        services = {use.user: use.service for use in uses}
        for weeks in PERIODS:
            for scope in SCOPES:
                board = build_dashboard(events, services, today=TODAY + timedelta(weeks=later),
                                        weeks=weeks, only_service=scope)  # fmt: skip
                name = f"+{later} sem., {weeks} sem., {scope or 'tous'}"
                figures.extend(_view(board, uses, levels, name, later, weeks, scope))
    return figures


def _view(
    board: Dashboard, uses: Sequence[Use], levels: Sequence[int], name: str,
    later: int, weeks: int, scope: str | None,
) -> list[Figure]:  # fmt: skip
    top = 3 if scope is None else 2

    def mask(keep: Callable[[Use, int], bool]) -> int:
        found = 0
        for bit, (use, level) in enumerate(zip(uses, levels, strict=True)):
            in_view = 1 - later <= use.weeks_ago <= weeks - later and (
                scope is None or use.office == scope
            )
            if in_view and keep(use, level):
                found |= 1 << bit
        return found

    def bars_of(key: str, bars: Iterable[tuple[str, int]], levels_in: range) -> Figure:
        return Figure(f"{name} — {key}", tuple(
            (label, count, mask(lambda u, lv, label=label: lv in levels_in  # type: ignore[misc]
                                and _chart_label(key, u) == label))
            for label, count in bars
        ))  # fmt: skip

    figures = [
        bars_of(chart.key, ((b.label, b.count) for b in chart.bars), range(1, 2))
        for chart in board.charts
    ]
    overview = board.overview
    assert overview is not None
    figures.append(bars_of("semaines-toutes", ((b.label, b.count) for b in overview.weeks.bars),
                           range(1, top + 1)))  # fmt: skip
    counted = range(1, top + 1)
    for label, count, keep in (
        ("demandes", overview.uses, lambda u, lv: lv in counted and not u.refused),
        ("refus", overview.refusals, lambda u, lv: lv in counted and u.refused),
        ("détaillées", overview.detailed, lambda u, lv: lv == 1 and not u.refused),
        ("refus détaillés", overview.refusals_detailed, lambda u, lv: lv == 1 and u.refused),
    ):
        figures.append(Figure(f"{name} — {label}", ((label, count, mask(keep)),)))
    return figures


def revealed_groups(uses: Sequence[Use], extra: Sequence[Figure] = ()) -> list[str]:
    """Every figure that does not count what the rule says, and every difference of two
    combinations of bars that concerns one to four people (``extra``: figures to add)."""
    person_masks: dict[str, int] = {}
    for bit, use in enumerate(uses):
        person_masks[use.user] = person_masks.get(use.user, 0) | 1 << bit

    @cache
    def people(mask: int) -> int:
        return sum(1 for person in person_masks.values() if person & mask)

    problems = []
    masks: dict[int, str] = {}
    for figure in [*_figures(uses), *extra]:
        for label, count, mask in figure.bars:
            if count != mask.bit_count():
                problems.append(f"[{figure.name}] « {label} » : {count} affiché, "
                                f"{mask.bit_count()} selon la règle")  # fmt: skip
        for size in range(1, len(figure.bars) + 1):
            for chosen in combinations(figure.bars, size):
                union = 0
                for _, _, bar_mask in chosen:
                    union |= bar_mask
                masks.setdefault(union, f"[{figure.name}] " + "+".join(b[0] for b in chosen))
    for (mask_s, name_s), (mask_t, name_t) in combinations(masks.items(), 2):
        for rest in (mask_s & ~mask_t, mask_t & ~mask_s):
            if rest and people(rest) < MIN_PEOPLE:
                problems.append(f"{name_s} et {name_t} diffèrent de {people(rest)} personne(s)")
                break
    return problems


def _group(prefix: str, service: str | None, size: int, **what: object) -> list[Use]:
    return [Use(f"{prefix}{i}", service, **what) for i in range(size)]  # type: ignore[arg-type]


def _board(uses: Sequence[Use], *, scope: str | None = None) -> Dashboard:
    events = [use.event(seq) for seq, use in enumerate(uses, start=1)]
    return build_dashboard(events, {u.user: u.service for u in uses}, today=TODAY, weeks=4,
                           only_service=scope)  # fmt: skip


def test_a_pilot_service_sees_its_week_although_no_cell_holds_five_people() -> None:
    """Three people summarise, three others draft: no cell of five, but a week of six."""
    week = {"weeks_ago": 1, "tier": "interne"}
    uses = _group("titres", SERVICES[0], 3, action="summarize", **week) * 2
    uses += _group("redac", SERVICES[0], 3, action="draft", **week)
    board = _board(uses)
    assert board.overview is not None
    assert sum(chart.total for chart in board.charts if chart.key == "semaines") == 0
    assert (board.overview.uses, board.overview.detailed, board.overview.people) == (9, 0, 6)
    assert not board.overview.uncounted
    assert revealed_groups(uses) == []


def test_two_small_services_count_in_the_whole_week_only() -> None:
    """Three agents of each service: the view of all services counts them (six people), the
    view of each service does not (three): no subtraction isolates either service."""
    week = {"weeks_ago": 2, "tier": "interne", "action": "summarize"}
    uses = _group("titres", SERVICES[0], 3, **week) + _group("cabinet", SERVICES[1], 3, **week)
    everyone, cabinet = _board(uses), _board(uses, scope=SERVICES[1])
    assert everyone.overview is not None and cabinet.overview is not None
    assert (everyone.overview.uses, cabinet.overview.uses) == (6, 0)
    assert cabinet.overview.uncounted and cabinet.overview.people is None
    assert revealed_groups(uses) == []


def test_the_small_rest_of_a_week_is_counted_nowhere() -> None:
    """Five people summarise; two others draft: the two are in no figure, but said to exist."""
    week = {"weeks_ago": 1, "tier": "interne"}
    uses = _group("titres", SERVICES[0], 5, action="summarize", **week)
    uses += _group("redac", SERVICES[0], 2, action="draft", **week)
    board = _board(uses)
    assert board.overview is not None
    assert (board.overview.uses, board.overview.uncounted) == (5, True)
    tasks = next(chart for chart in board.charts if chart.key == "taches")
    assert tasks.masked == 1
    assert revealed_groups(uses) == []


def test_the_check_catches_a_total_that_counts_a_rest_of_four_people() -> None:
    """The check can fail: a total of all services that added four lone people of the
    cabinet to five of the bureau would be caught against the bureau's own total."""
    week = {"weeks_ago": 1, "tier": "interne", "action": "summarize"}
    uses = _group("titres", SERVICES[0], 5, **week) + _group("cabinet", SERVICES[1], 4, **week)
    assert revealed_groups(uses) == []
    leaky = Figure("tous, avec le cabinet", (("demandes", 9, (1 << 9) - 1),))
    found = revealed_groups(uses, [leaky])
    assert any("diffèrent de 4 personne(s)" in problem for problem in found), found


# Populations made of habits (a cell and how many people share it), so that cells, services'
# weeks and weeks land on both sides of five; with the occasional lone request.
_habits = st.tuples(
    st.sampled_from((*SERVICES, None)),
    st.sampled_from(WEEKS_AGO),
    st.sampled_from(sorted(TIERS)),
    st.sampled_from((*TASKS, "refusal")),
    st.sampled_from(sorted(REASONS)),
    st.integers(min_value=1, max_value=6),  # people
    st.integers(min_value=1, max_value=2),  # requests each
    st.integers(min_value=0, max_value=8),  # who starts the group (people overlap)
)


def _population(
    habits: Iterable[tuple[str | None, int, str, str, str, int, int, int]],
) -> list[Use]:
    uses = []
    for service, weeks_ago, tier, action, reason, size, each, first in habits:
        decision = reason if action == "refusal" else "allowed"
        prefix = (service or "sans-service").split()[-1].lower()
        for person in range(first, first + size):
            use = Use(f"{prefix}{person}", service, weeks_ago, tier, action, decision)
            uses.extend([use] * each)
    return uses


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_habits, min_size=1, max_size=8))
def test_no_figure_of_the_overview_isolates_fewer_than_five_people(
    habits: list[tuple[str | None, int, str, str, str, int, int, int]],
) -> None:
    uses = _population(habits)
    assert revealed_groups(uses) == []
