"""Model tiers, in the charter's order of preference."""

from __future__ import annotations

from enum import StrEnum

from egide.policy.levels import Level

__all__ = ["Tier", "DEFAULT_MAX_SENSITIVITY", "TIER_CEILING"]


class Tier(StrEnum):
    METIER = "metier"  # the ministry's business applications and their models
    INTERNE = "interne"  # the ministry's internal AI models
    EXTERNE = "externe"  # a public or commercial AI service

    @property
    def preference(self) -> int:
        """Lower is preferred: the charter says business applications first, then internal."""
        return _PREFERENCE[self]

    @property
    def label_fr(self) -> str:
        return _LABELS_FR[self]


_PREFERENCE = {Tier.METIER: 0, Tier.INTERNE: 1, Tier.EXTERNE: 2}
_LABELS_FR = {
    Tier.METIER: "application métier du ministère",
    Tier.INTERNE: "modèle interne du ministère",
    Tier.EXTERNE: "service d'IA externe",
}

# What a model of each tier accepts when its configuration says nothing.
DEFAULT_MAX_SENSITIVITY = {
    Tier.METIER: Level.DIFFUSION_RESTREINTE,
    Tier.INTERNE: Level.DIFFUSION_RESTREINTE,
    Tier.EXTERNE: Level.INTERNE,
}
# What no configuration can raise: an external service never receives personal data, and
# classified information is never processed at all.
TIER_CEILING = {
    Tier.METIER: Level.DIFFUSION_RESTREINTE,
    Tier.INTERNE: Level.DIFFUSION_RESTREINTE,
    Tier.EXTERNE: Level.INTERNE,
}
