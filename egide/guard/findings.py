"""What the guard finds: spans of personal data, sensitive cues and the resulting level."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from egide.guard.normalize import Normalized
from egide.policy.levels import Level

__all__ = [
    "INSTITUTIONAL_LABELS", "NON_PERSONAL_LABELS", "PERSONAL_LABELS", "Finding", "Reason",
    "ScanResult", "in_original",
]  # fmt: skip

# Labels of Égide's taxonomy that designate personal data (they are pseudonymised). NIR_LIKE is
# a value shaped like a NIR, announced as one, whose key is wrong (a typo, an OCR error): it is
# masked and weighs like a NIR. FILE_NUMBER is a case or file number written after its cue
# ("RG n°", "IPP", "n° de dossier"): it points to one person's file. HEALTH is a health term
# (a disease, a treatment) in a text about a person: never produced by ``Guard.detect``, it is
# derived from the sensitivity assessment (``ScanResult.health_findings``) so that a model may
# receive the text without it.
PERSONAL_LABELS = frozenset(
    {
        "PERSON", "LOCATION", "ADDRESS", "BIRTH_DATE", "PHONE", "EMAIL", "NIR", "IBAN",
        "SIRET", "SIREN", "PLATE", "TAX_ID", "ID_CARD", "PASSPORT", "AGDREF", "CAF",
        "NIR_LIKE", "FILE_NUMBER", "HEALTH",
    }
)  # fmt: skip
# Institutional contact data and example values: reported (the preview can show them for what
# they are) but not personal data, so they are never masked and never raise the level. A
# service's switchboard or toll-free number, a functional address ("contact@…", "pref-…@…"),
# an administration's CS/BP/CEDEX postal address, a value given as an example in a form.
INSTITUTIONAL_LABELS = frozenset(
    {"SERVICE_PHONE", "SERVICE_EMAIL", "SERVICE_ADDRESS", "EXAMPLE_VALUE"}
)
# Entities worth reporting that are not, by themselves, personal data.
NON_PERSONAL_LABELS = frozenset({"ORG", "DATE", "MISC"}) | INSTITUTIONAL_LABELS


@dataclass(frozen=True, slots=True)
class Finding:
    """One span of ``text[start:end]`` recognised as ``label``.

    ``score`` is in [0, 1]; ``recognizer`` names who found it and ``explanation`` says why
    (a valid check key, a context word, a model…), so that a report can be audited.
    """

    start: int
    end: int
    label: str
    score: float
    text: str
    recognizer: str
    explanation: str = ""

    @property
    def is_personal(self) -> bool:
        return self.label in PERSONAL_LABELS

    def overlaps(self, other: Finding) -> bool:
        return self.start < other.end and other.start < self.end

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a text reaches its level: a category and how often it was seen (never the value)."""

    level: Level
    category: str  # stable code, e.g. "sante", "nir", "marquage_dr"
    label_fr: str  # for people, e.g. "données de santé"
    count: int = 1


@dataclass(slots=True)
class ScanResult:
    """What the guard found in ``text`` — the normalised text, the one a model may receive.

    ``normalized`` maps offsets of ``text`` back to what the caller handed to the guard.
    """

    text: str
    findings: list[Finding] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    level: Level = Level.INTERNE
    normalized: Normalized | None = None

    @property
    def source_text(self) -> str:
        """The text as handed to the guard, before normalisation."""
        return self.normalized.original if self.normalized is not None else self.text

    def findings_in_source(self) -> list[Finding]:
        """The findings with offsets (and text) in :attr:`source_text`."""
        if self.normalized is None:
            return list(self.findings)
        return in_original(self.normalized, self.findings)

    @property
    def personal_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.is_personal]

    def with_health_terms(self) -> ScanResult:
        """A copy whose findings also hold the health terms (HEALTH) of a text whose level
        says "données de santé", so that the preview highlights them and the pipeline replaces
        them before a model receives the text (unless the model keeps them in clear).

        The reasons and the level are unchanged: the terms only say where the health data is.
        """
        if not any(reason.category == "sante" for reason in self.reasons):
            return self
        from egide.guard.sensitive import health_findings

        terms = health_findings(self.text, self.findings)
        if not terms:
            return self
        # Findings never overlap: a term beats the ORG or MISC a model saw in "HTA", "BPCO".
        kept = [f for f in self.findings if f.is_personal or not any(f.overlaps(t) for t in terms)]
        findings = sorted([*kept, *terms], key=lambda f: (f.start, f.end))
        return replace(self, findings=findings)

    def counts_by_label(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.label] = counts.get(finding.label, 0) + 1
        return counts


def in_original(normalized: Normalized, findings: list[Finding]) -> list[Finding]:
    """``findings`` on ``normalized.text``, moved onto ``normalized.original``."""
    if not normalized.changed:
        return list(findings)
    source = normalized.original
    mapped = []
    for finding in findings:
        start, end = normalized.span_in_original(finding.start, finding.end)
        mapped.append(replace(finding, start=start, end=end, text=source[start:end]))
    return mapped
