"""The one function that answers "may this model receive this request?" (DESIGN.md, STYLE.md §4).

Every surface asks :func:`decide`; no handler re-implements the check. The rules, in order:

1. ``classifie`` is always refused: such information is never processed by Égide.
2. An ``externe`` model never receives personal data, even pseudonymised, whatever its
   configuration says (pseudonymised data is still personal data under the GDPR).
3. A model accepts a request whose level is at most its effective ``max_sensitivity``, itself
   capped by its tier's ceiling, so that a configuration built around validation cannot widen it.
4. ``auto`` picks the most preferred tier allowed (metier, then interne, then externe), and
   within a tier the first in configuration order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from egide.config import ModelSettings
from egide.guard.findings import PERSONAL_LABELS, Reason, ScanResult
from egide.guard.labels import label_fr
from egide.policy.levels import Level
from egide.policy.tiers import TIER_CEILING, Tier
from egide.policy.wording import describe_contents, quote_names

__all__ = ["AUTO", "Assessment", "Decision", "DecisionCode", "decide", "model_accepts"]

AUTO = "auto"


class DecisionCode(StrEnum):
    """Stable codes, for the audit trail, the API and the CLI's exit status."""

    ALLOWED = "allowed"
    REFUSED_LEVEL = "refused_level"
    REFUSED_CLASSIFIED = "refused_classified"
    REFUSED_PERSONAL_EXTERNAL = "refused_personal_external"
    UNKNOWN_MODEL = "unknown_model"
    NO_MODEL_ALLOWED = "no_model_allowed"


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the policy needs to know about a request: its level, why, and its personal data.

    ``personal_counts`` maps personal labels (PERSON, NIR…) to how often they were found; it
    lets a caller that only kept counts (a batch job, the API) ask the same question.
    """

    level: Level
    reasons: tuple[Reason, ...] = ()
    personal_counts: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_scan(cls, scan: ScanResult) -> Assessment:
        counts = scan.counts_by_label()
        personal = {label: n for label, n in counts.items() if label in PERSONAL_LABELS}
        return cls(level=scan.level, reasons=tuple(scan.reasons), personal_counts=personal)

    @classmethod
    def from_counts(
        cls, level: Level | str, counts: Mapping[str, int], *, reasons: Sequence[Reason] = ()
    ) -> Assessment:
        personal = {label: n for label, n in counts.items() if label in PERSONAL_LABELS and n}
        return cls(level=Level.parse(level), reasons=tuple(reasons), personal_counts=personal)

    @property
    def has_personal_data(self) -> bool:
        # Any signal is enough: the charter errs on the side of the person concerned. A level
        # above ``personnel`` alone proves nothing (a DR marking is not personal data), but
        # such a level is refused to external services anyway.
        return (
            self.level == Level.PERSONNEL
            or any(reason.level == Level.PERSONNEL for reason in self.reasons)
            or any(n > 0 for n in self.personal_counts.values())
        )

    def explained_reasons(self) -> tuple[Reason, ...]:
        """The reasons, plus the personal data found when no reason mentions it already."""
        if not self.has_personal_data or any(r.level == Level.PERSONNEL for r in self.reasons):
            return self.reasons
        covered = {reason.category.lower() for reason in self.reasons}
        extra = tuple(
            Reason(level=Level.PERSONNEL, category=label.lower(), label_fr=label_fr(label), count=n)
            for label, n in self.personal_counts.items()
            if n > 0 and label.lower() not in covered
        )
        return self.reasons + extra


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    code: DecisionCode
    model: ModelSettings | None
    level: Level
    reasons: tuple[Reason, ...]
    allowed_models: tuple[str, ...]
    message_fr: str

    @property
    def model_name(self) -> str | None:
        return self.model.name if self.model is not None else None


def _ceiling(model: ModelSettings) -> Level:
    return min(model.effective_max_sensitivity, TIER_CEILING[model.tier])


def _refusal_code(model: ModelSettings, assessment: Assessment) -> DecisionCode | None:
    if assessment.level >= Level.CLASSIFIE:
        return DecisionCode.REFUSED_CLASSIFIED
    if model.tier == Tier.EXTERNE:
        if assessment.has_personal_data:
            return DecisionCode.REFUSED_PERSONAL_EXTERNAL
        # Written out rather than left to TIER_CEILING, so that no edit of a table can open
        # an external service to personal or sensitive data.
        if assessment.level >= Level.PERSONNEL:
            return DecisionCode.REFUSED_LEVEL
    if assessment.level > _ceiling(model):
        return DecisionCode.REFUSED_LEVEL
    return None


def model_accepts(model: ModelSettings, request: ScanResult | Assessment) -> bool:
    return _refusal_code(model, _as_assessment(request)) is None


def _as_assessment(request: ScanResult | Assessment) -> Assessment:
    return request if isinstance(request, Assessment) else Assessment.from_scan(request)


def _describe_model(model: ModelSettings) -> str:
    return f"Le modèle « {model.name} » ({model.tier.label_fr})"


def _contents_sentence(assessment: Assessment) -> str:
    reasons = assessment.explained_reasons()
    level = f"niveau de sensibilité « {assessment.level.label_fr} »"
    if not reasons:
        return f"Ce document est de {level}."
    return f"Ce document contient : {describe_contents(reasons)} ({level})."


def _allowed_sentence(allowed: Sequence[str]) -> str:
    if not allowed:
        return "Aucun modèle configuré ne peut recevoir ce document."
    if len(allowed) == 1:
        return f"Modèle autorisé : {quote_names(allowed)}."
    return f"Modèles autorisés : {quote_names(allowed)}."


def _refusal_sentence(code: DecisionCode, model: ModelSettings) -> str:
    accepted = f"n'accepte que des données de niveau « {_ceiling(model).label_fr} »"
    if code == DecisionCode.REFUSED_PERSONAL_EXTERNAL:
        return (
            f"{_describe_model(model)} {accepted} et ne reçoit jamais de données personnelles, "
            "même pseudonymisées."
        )
    return f"{_describe_model(model)} {accepted}."


_CLASSIFIED = (
    "Les informations classifiées (Secret, Très Secret) ne sont jamais traitées par Égide, "
    "quel que soit le modèle."
)


def decide(
    request: ScanResult | Assessment, models: Sequence[ModelSettings], requested: str = AUTO
) -> Decision:
    """May the ``requested`` model (or the best one, for ``auto``) receive this request?

    A model literally named ``auto`` cannot be requested by name: ``auto`` always means the
    charter's choice.
    """
    assessment = _as_assessment(request)
    ranked = sorted(models, key=lambda m: m.tier.preference)  # stable: configuration order
    allowed = tuple(m.name for m in ranked if _refusal_code(m, assessment) is None)
    contents = _contents_sentence(assessment)

    def result(code: DecisionCode, model: ModelSettings | None, *sentences: str) -> Decision:
        return Decision(
            allowed=code == DecisionCode.ALLOWED,
            code=code,
            model=model,
            level=assessment.level,
            reasons=assessment.reasons,
            allowed_models=allowed,
            message_fr=" ".join(sentences),
        )

    if assessment.level >= Level.CLASSIFIE:
        return result(DecisionCode.REFUSED_CLASSIFIED, None, contents, _CLASSIFIED)

    wanted = requested.strip()
    if wanted.lower() == AUTO:
        if not models:
            return result(
                DecisionCode.NO_MODEL_ALLOWED, None, "Aucun modèle n'est configuré dans Égide."
            )
        if not allowed:
            return result(DecisionCode.NO_MODEL_ALLOWED, None, contents, _allowed_sentence(()))
        chosen = next(m for m in ranked if m.name == allowed[0])
        return result(DecisionCode.ALLOWED, chosen, _allowed_message(chosen, assessment))

    model = next((m for m in models if m.name == wanted), None)
    if model is None:
        known = quote_names(m.name for m in models) or "aucun"
        return result(
            DecisionCode.UNKNOWN_MODEL,
            None,
            f"Modèle inconnu « {wanted} ». Modèles configurés : {known}.",
            _allowed_sentence(allowed),
        )
    code = _refusal_code(model, assessment)
    if code is None:
        return result(DecisionCode.ALLOWED, model, _allowed_message(model, assessment))
    return result(code, model, contents, _refusal_sentence(code, model), _allowed_sentence(allowed))


def _allowed_message(model: ModelSettings, assessment: Assessment) -> str:
    return (
        f"{_describe_model(model)} peut recevoir ce document "
        f"(niveau de sensibilité « {assessment.level.label_fr} »)."
    )
