"""The dashboard's « at least five people » holds against subtraction.

Issue #9, finding 6: « per week » totalled 20 and « per service » 17; the difference was the
one member of a small service. The attacker here holds every chart of every view (all services,
each service — an ambassadeur's view —, 4 and 12 weeks) and subtracts: whenever a combination
of bars of one chart covers, by definition, a combination of bars of another, the difference
counts the requests in between; it must be zero unless those requests come from at least five
people.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
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
TASKS = {"summarize": "Résumé", "draft": "Rédaction"}
TIERS = {t.value: t.label_fr[:1].upper() + t.label_fr[1:] for t in (Tier.INTERNE, Tier.EXTERNE)}
REASONS = {
    "refused_personal_external": "Données personnelles vers un service externe",
    "refused_level": "Niveau de sensibilité trop élevé pour le modèle",
}
WEEKS_AGO = (0, 1, 2, 6)  # 0: the unfinished week; 6: in 12 weeks, not in 4
PERIODS = (4, 12)


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

    def event(self, seq: int) -> AuditEvent:
        moment = datetime.combine(self.monday + timedelta(days=seq % 5), datetime.min.time(), UTC)
        return AuditEvent(seq=seq, timestamp=moment.isoformat().replace("+00:00", "Z"),
                          user=self.user, action=self.action, tier=self.tier,
                          decision=self.decision)  # fmt: skip


def _category(chart: str, use: Use) -> str | None:
    """What a bar of ``chart`` means, as the attacker reads it (None: not in this chart)."""
    refusal = use.action == "refusal"
    if chart == "refus":
        return REASONS[use.decision] if refusal else None
    if refusal:
        return None
    return {
        "semaines": f"semaine du {use.monday.strftime('%d/%m/%Y')}",
        "niveaux": TIERS[use.tier],
        "taches": TASKS[use.action],
        "services": use.service or NO_SERVICE,
    }[chart]


@dataclass(frozen=True)
class Published:
    """One chart as shown, each bar with the requests it claims to count (a bit per request)."""

    name: str
    bars: tuple[tuple[str, int, int], ...]  # label, count, mask


def _published(uses: Sequence[Use]) -> list[Published]:
    events = [use.event(seq) for seq, use in enumerate(uses, start=1)]
    services = {use.user: use.service for use in uses}
    views: list[tuple[str, Dashboard, int, str | None]] = []
    for weeks in PERIODS:
        for only in (None, *SERVICES, NO_SERVICE):
            board = build_dashboard(events, services, today=TODAY, weeks=weeks,
                                    only_service=only)  # fmt: skip
            views.append((f"{weeks} semaines, {only or 'tous'}", board, weeks, only))
    charts: list[Published] = []
    for name, board, weeks, only in views:
        for chart in board.charts:
            bars = []
            for bar in chart.bars:
                mask = 0
                for bit, use in enumerate(uses):
                    in_view = 1 <= use.weeks_ago <= weeks and (
                        only is None or (use.service or NO_SERVICE) == only
                    )
                    if in_view and _category(chart.key, use) == bar.label:
                        mask |= 1 << bit
                assert mask, f"{name}, {chart.key}: « {bar.label} » ne compte rien"
                bars.append((bar.label, bar.count, mask))
            charts.append(Published(f"{name} — {chart.key}", tuple(bars)))
    return charts


def _combinations(chart: Published) -> list[tuple[int, int, str]]:
    found = []
    for size in range(len(chart.bars) + 1):
        for chosen in combinations(chart.bars, size):
            mask = 0
            for _, _, bar_mask in chosen:
                mask |= bar_mask
            found.append((mask, sum(count for _, count, _ in chosen),
                          "+".join(label for label, _, _ in chosen) or "rien"))  # fmt: skip
    return found


def revealed_groups(uses: Sequence[Use]) -> list[str]:
    """Every subtraction of the attacker that isolates one to four people."""
    person_masks: dict[str, int] = {}
    for bit, use in enumerate(uses):
        person_masks[use.user] = person_masks.get(use.user, 0) | 1 << bit

    def people(mask: int) -> int:
        return sum(1 for person in person_masks.values() if person & mask)

    charts = {(c.bars): c for c in _published(uses)}.values()  # identical charts once
    sums = [(chart.name, _combinations(chart)) for chart in charts]
    leaks = []
    for name_s, combos_s in sums:
        for name_t, combos_t in sums:
            for mask_s, count_s, label_s in combos_s:
                for mask_t, count_t, label_t in combos_t:
                    if mask_t & ~mask_s:
                        continue  # not contained: the attacker cannot subtract
                    difference = count_s - count_t
                    if difference and people(mask_s & ~mask_t) < MIN_PEOPLE:
                        leaks.append(f"[{name_s}] {label_s} − [{name_t}] {label_t} = "
                                     f"{difference}")  # fmt: skip
    return leaks


def _group(user_prefix: str, service: str | None, size: int, **what: object) -> list[Use]:
    return [Use(f"{user_prefix}{i}", service, **what) for i in range(size)]  # type: ignore[arg-type]


def test_the_finding_twenty_per_week_seventeen_per_service() -> None:
    """Five agents of one bureau and the only member of the cabinet, the same week."""
    week = {"weeks_ago": 1, "tier": "interne", "action": "summarize"}
    uses = _group("titres", SERVICES[0], 5, **week) * 3  # 15 requests
    uses += _group("titres", SERVICES[0], 2, **week)  # 17
    uses += [Use("chef-de-cabinet", SERVICES[1], **week)] * 3  # type: ignore[arg-type]
    assert revealed_groups(uses) == []


def test_a_service_view_and_the_global_view_do_not_differ_by_a_small_group() -> None:
    """The ambassadeur's figures against everyone's: a small cell of their own service."""
    common = {"weeks_ago": 2, "tier": "interne"}
    uses = _group("titres", SERVICES[0], 6, action="summarize", **common)
    uses += _group("titres", SERVICES[0], 2, action="draft", **common)  # 2 people drafting
    uses += _group("cabinet", SERVICES[1], 5, action="draft", **common)
    assert revealed_groups(uses) == []


def test_two_periods_do_not_differ_by_a_small_group() -> None:
    uses = _group("titres", SERVICES[0], 5, weeks_ago=1, tier="interne", action="summarize")
    uses += _group("titres", SERVICES[0], 5, weeks_ago=6, tier="interne", action="summarize")
    uses += [Use("titres0", SERVICES[0], 6, "externe", "summarize")]  # alone, 12 weeks only
    uses += [Use("titres1", SERVICES[0], 0, "interne", "summarize")] * 4  # the current week
    assert revealed_groups(uses) == []


# Populations made of habits (a cell and how many people share it), so that cells land on both
# sides of five; with the occasional lone request.
_habits = st.tuples(
    st.sampled_from((*SERVICES, None)),
    st.sampled_from(WEEKS_AGO),
    st.sampled_from(sorted(TIERS)),
    st.sampled_from((*TASKS, "refusal")),
    st.sampled_from(sorted(REASONS)),
    st.integers(min_value=1, max_value=7),  # people
    st.integers(min_value=1, max_value=3),  # requests each
    st.integers(min_value=0, max_value=9),  # who starts the group (people overlap)
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


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_habits, min_size=1, max_size=7))
def test_no_subtraction_isolates_fewer_than_five_people(
    habits: list[tuple[str | None, int, str, str, str, int, int, int]],
) -> None:
    uses = _population(habits)
    assert revealed_groups(uses) == []
