"""The charter's one decision function: every level against every tier, and what it says."""

from __future__ import annotations

import pytest

from egide.config import ModelSettings
from egide.guard.findings import Finding, Reason, ScanResult
from egide.policy.decide import Assessment, DecisionCode, decide, model_accepts
from egide.policy.levels import Level
from egide.policy.tiers import Tier

A = DecisionCode.ALLOWED
L = DecisionCode.REFUSED_LEVEL
C = DecisionCode.REFUSED_CLASSIFIED
P = DecisionCode.REFUSED_PERSONAL_EXTERNAL


def model(name: str, tier: Tier, max_sensitivity: Level | None = None) -> ModelSettings:
    return ModelSettings(
        name=name,
        tier=tier,
        backend="openai",
        base_url="http://127.0.0.1:8001/v1",
        max_sensitivity=max_sensitivity,
    )


METIER = model("appli-metier", Tier.METIER)
INTERNE = model("interne-mistral", Tier.INTERNE)
EXTERNE = model("chatgpt", Tier.EXTERNE)
ALL = (EXTERNE, INTERNE, METIER)  # deliberately not in preference order

# Default max sensitivities (DESIGN.md): rows are levels, columns metier / interne / externe.
TABLE = {
    Level.PUBLIC: (A, A, A),
    Level.INTERNE: (A, A, A),
    Level.PERSONNEL: (A, A, P),
    Level.SENSIBLE: (A, A, L),
    Level.DIFFUSION_RESTREINTE: (A, A, L),
    Level.CLASSIFIE: (C, C, C),
}
CASES = [
    (level, tier_model, expected)
    for level, row in TABLE.items()
    for tier_model, expected in zip((METIER, INTERNE, EXTERNE), row, strict=True)
]


@pytest.mark.parametrize(
    ("level", "target", "expected"),
    CASES,
    ids=[f"{level.key}-{m.tier.value}" for level, m, _ in CASES],
)
def test_every_level_against_every_tier(level: Level, target: ModelSettings, expected: str) -> None:
    decision = decide(Assessment(level=level), ALL, target.name)
    assert decision.code == expected
    assert decision.allowed is (expected == A)
    assert decision.level is level
    assert (target.name in decision.allowed_models) is (expected == A)
    assert model_accepts(target, Assessment(level=level)) is (expected == A)
    if expected == C:
        assert decision.model is None
    else:
        assert decision.model is target


@pytest.mark.parametrize(
    ("max_sensitivity", "level", "allowed"),
    [
        (Level.PUBLIC, Level.PUBLIC, True),
        (Level.PUBLIC, Level.INTERNE, False),
        (Level.INTERNE, Level.INTERNE, True),
        (Level.INTERNE, Level.PERSONNEL, False),
        (Level.PERSONNEL, Level.PERSONNEL, True),
        (Level.PERSONNEL, Level.SENSIBLE, False),
        (Level.SENSIBLE, Level.SENSIBLE, True),
        (Level.SENSIBLE, Level.DIFFUSION_RESTREINTE, False),
    ],
)
def test_custom_max_sensitivity(max_sensitivity: Level, level: Level, allowed: bool) -> None:
    custom = model("interne-prudent", Tier.INTERNE, max_sensitivity)
    decision = decide(Assessment(level=level), [custom], "interne-prudent")
    assert decision.allowed is allowed
    assert decision.code == (A if allowed else L)
    if not allowed:
        assert f"n'accepte que des données de niveau « {max_sensitivity.label_fr} »" in (
            decision.message_fr
        )


@pytest.mark.parametrize(
    ("level", "chosen", "allowed_models"),
    [
        (Level.PUBLIC, "appli-metier", ("appli-metier", "interne-mistral", "chatgpt")),
        (Level.PERSONNEL, "appli-metier", ("appli-metier", "interne-mistral")),
        (Level.DIFFUSION_RESTREINTE, "appli-metier", ("appli-metier", "interne-mistral")),
    ],
)
def test_auto_prefers_metier_then_interne_then_externe(
    level: Level, chosen: str, allowed_models: tuple[str, ...]
) -> None:
    decision = decide(Assessment(level=level), ALL)
    assert decision.allowed
    assert decision.model_name == chosen
    assert decision.allowed_models == allowed_models


@pytest.mark.parametrize(
    ("models", "level", "chosen"),
    [
        ((EXTERNE, INTERNE), Level.PUBLIC, "interne-mistral"),
        ((EXTERNE,), Level.INTERNE, "chatgpt"),
        # Within a tier, configuration order decides.
        ((EXTERNE, model("interne-b", Tier.INTERNE), INTERNE), Level.PUBLIC, "interne-b"),
        ((EXTERNE, INTERNE, model("interne-b", Tier.INTERNE)), Level.PUBLIC, "interne-mistral"),
        # The preferred model refuses the level: the next one allowed is chosen.
        (
            (model("metier-public", Tier.METIER, Level.INTERNE), INTERNE),
            Level.SENSIBLE,
            "interne-mistral",
        ),
    ],
)
def test_auto_choice(models: tuple[ModelSettings, ...], level: Level, chosen: str) -> None:
    assert decide(Assessment(level=level), models, "auto").model_name == chosen


def test_auto_with_no_model_allowed() -> None:
    decision = decide(Assessment(level=Level.PERSONNEL), [EXTERNE], " Auto ")
    assert not decision.allowed
    assert decision.code == DecisionCode.NO_MODEL_ALLOWED
    assert decision.allowed_models == ()
    assert "Aucun modèle configuré ne peut recevoir ce document." in decision.message_fr


def test_auto_with_no_model_configured() -> None:
    decision = decide(Assessment(level=Level.PUBLIC), [])
    assert decision.code == DecisionCode.NO_MODEL_ALLOWED
    assert "Aucun modèle n'est configuré" in decision.message_fr


@pytest.mark.parametrize("requested", ["auto", "chatgpt", "interne-mistral", "inconnu"])
def test_classified_is_always_refused(requested: str) -> None:
    lenient = ModelSettings.model_construct(
        name="interne-mistral",
        tier=Tier.INTERNE,
        backend="local",
        max_sensitivity=Level.CLASSIFIE,  # impossible through validation; refused all the same
    )
    reasons = (Reason(Level.CLASSIFIE, "marquage_secret", "marquage « Secret »"),)
    decision = decide(
        Assessment(level=Level.CLASSIFIE, reasons=reasons), [lenient, EXTERNE], requested
    )
    assert decision.code == C
    assert not decision.allowed
    assert decision.model is None
    assert decision.allowed_models == ()
    assert "jamais traitées par Égide" in decision.message_fr
    assert "1 marquage « Secret »" in decision.message_fr


def misconfigured_external(max_sensitivity: Level) -> ModelSettings:
    # model_construct skips the validation that would reject this configuration.
    return ModelSettings.model_construct(
        name="chatgpt",
        tier=Tier.EXTERNE,
        backend="openai",
        base_url="https://api.example.invalid/v1",
        max_sensitivity=max_sensitivity,
    )


@pytest.mark.parametrize(
    ("max_sensitivity", "assessment", "expected"),
    [
        (Level.DIFFUSION_RESTREINTE, Assessment(level=Level.PERSONNEL), P),
        (Level.DIFFUSION_RESTREINTE, Assessment(level=Level.SENSIBLE), L),
        (Level.DIFFUSION_RESTREINTE, Assessment(level=Level.DIFFUSION_RESTREINTE), L),
        (Level.SENSIBLE, Assessment.from_counts(Level.SENSIBLE, {"NIR": 1}), P),
        # Personal data found although the level stayed low: still never sent out.
        (Level.DIFFUSION_RESTREINTE, Assessment.from_counts("interne", {"PERSON": 2}), P),
        (Level.INTERNE, Assessment.from_counts("interne", {"PERSON": 1}), P),
        # Non-personal entities do not count as personal data.
        (Level.INTERNE, Assessment.from_counts("interne", {"ORG": 3, "DATE": 1}), A),
    ],
)
def test_external_never_receives_personal_data(
    max_sensitivity: Level, assessment: Assessment, expected: str
) -> None:
    external = misconfigured_external(max_sensitivity)
    decision = decide(assessment, [external], "chatgpt")
    assert decision.code == expected
    assert decision.allowed is (expected == A)
    assert decide(assessment, [external]).allowed is (expected == A)


def scan_with_names_and_nir() -> ScanResult:
    text = (
        "M. Jean Exemple et Mme Marie Fictive, NIR 2 84 05 73 278 014 89, demandent un rendez-vous."
    )
    findings = [
        Finding(3, 15, "PERSON", 0.9, "Jean Exemple", "ner"),
        Finding(23, 36, "PERSON", 0.9, "Marie Fictive", "ner"),
        Finding(42, 63, "NIR", 1.0, "2 84 05 73 278 014 89", "nir", "clé de contrôle valide"),
        Finding(78, 89, "MISC", 0.5, "rendez-vous", "ner"),
    ]
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
    reasons = [
        Reason(Level.PERSONNEL, "person", "nom de personne", 2),
        Reason(Level.SENSIBLE, "nir", "numéro de sécurité sociale (NIR)", 1),
    ]
    return ScanResult(text=text, findings=findings, reasons=reasons, level=Level.SENSIBLE)


def test_refusal_names_categories_and_counts_never_values() -> None:
    scan = scan_with_names_and_nir()
    decision = decide(scan, ALL, "chatgpt")
    assert decision.code == P
    assert decision.reasons == tuple(scan.reasons)
    message = decision.message_fr
    assert message.startswith(
        "Ce document contient : 1 numéro de sécurité sociale (NIR), 2 noms de personne "
        "(niveau de sensibilité « données sensibles »)."
    )
    assert "Le modèle « chatgpt » (service d'IA externe) n'accepte que des données de niveau " in (
        message
    )
    assert "« interne »" in message
    assert "même pseudonymisées" in message
    assert message.endswith("Modèles autorisés : « appli-metier », « interne-mistral ».")
    for finding in scan.findings:
        assert finding.text not in message
    assert "2 84 05" not in message and "Exemple" not in message


def test_refusal_without_reasons_still_counts_personal_data() -> None:
    assessment = Assessment.from_counts(Level.INTERNE, {"PERSON": 3, "EMAIL": 1, "ORG": 2})
    decision = decide(assessment, [EXTERNE, INTERNE], "chatgpt")
    assert decision.code == P
    assert "3 noms de personne" in decision.message_fr
    assert "1 adresse électronique" in decision.message_fr
    assert "organisation" not in decision.message_fr
    assert decision.message_fr.endswith("Modèle autorisé : « interne-mistral ».")


def test_level_refusal_message() -> None:
    reasons = (
        Reason(Level.DIFFUSION_RESTREINTE, "marquage_dr", "marquage « Diffusion Restreinte »"),
    )
    decision = decide(
        Assessment(level=Level.DIFFUSION_RESTREINTE, reasons=reasons), [EXTERNE, INTERNE], "chatgpt"
    )
    assert decision.code == L
    assert decision.message_fr == (
        "Ce document contient : 1 marquage « Diffusion Restreinte » (niveau de sensibilité "
        "« Diffusion Restreinte »). Le modèle « chatgpt » (service d'IA externe) n'accepte que "
        "des données de niveau « interne ». Modèle autorisé : « interne-mistral »."
    )


def test_allowed_message() -> None:
    decision = decide(scan_with_names_and_nir(), ALL, "interne-mistral")
    assert decision.allowed
    assert decision.message_fr == (
        "Le modèle « interne-mistral » (modèle interne du ministère) peut recevoir ce document "
        "(niveau de sensibilité « données sensibles »)."
    )


@pytest.mark.parametrize("requested", ["gpt-5", "Interne-Mistral", "auto-x"])
def test_unknown_model_lists_known_models(requested: str) -> None:
    decision = decide(Assessment(level=Level.PERSONNEL), ALL, requested)
    assert decision.code == DecisionCode.UNKNOWN_MODEL
    assert not decision.allowed
    assert decision.model is None
    assert f"Modèle inconnu « {requested} »" in decision.message_fr
    assert "Modèles configurés : « chatgpt », « interne-mistral », « appli-metier »." in (
        decision.message_fr
    )
    assert "Modèles autorisés : « appli-metier », « interne-mistral »." in decision.message_fr


def test_from_scan_keeps_only_personal_counts() -> None:
    assessment = Assessment.from_scan(scan_with_names_and_nir())
    assert dict(assessment.personal_counts) == {"PERSON": 2, "NIR": 1}
    assert assessment.has_personal_data
    assert assessment.level is Level.SENSIBLE
