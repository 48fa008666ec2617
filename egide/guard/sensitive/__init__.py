"""Sensitivity of a whole text: personal data, RGPD art. 9/10 categories, protection markings.

``assess`` turns the findings of the recognizers and the cues found here into reasons (category
and count, never a value) and a level, the highest of the reasons' levels (``interne`` when
nothing is found). ``sensitive_cues`` and ``marking_cues`` give positions, for highlighting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from egide.guard.findings import Finding, Reason
from egide.guard.labels import label_fr
from egide.guard.sensitive.categories import CATEGORIES, find_category_cues
from egide.guard.sensitive.cues import Cue
from egide.guard.sensitive.folding import fold
from egide.guard.sensitive.markings import MARKINGS, find_marking_cues
from egide.policy.levels import Level

__all__ = [
    "CATEGORIES",
    "MARKINGS",
    "Cue",
    "assess",
    "find_cues",
    "marking_cues",
    "sensitive_cues",
]

BASELINE = Level.INTERNE
# Personal data that is sensitive by itself (the NIR reveals sex, birth and birthplace, and the
# CNIL treats it as a special identifier); a NIR-like value (wrong key after its cue) weighs the
# same: it is somebody's NIR with a typo.
_SENSITIVE_LABELS = frozenset({"NIR", "NIR_LIKE"})


def find_cues(text: str, findings: Sequence[Finding] = ()) -> list[Cue]:
    """Every category cue and marking of ``text``, in text order (offsets into ``text``)."""
    folded = fold(text)
    return sorted(find_category_cues(folded, findings) + find_marking_cues(folded))


def sensitive_cues(text: str, *, findings: Sequence[Finding] = ()) -> list[tuple[str, int, int]]:
    """``(category, start, end)`` of each art. 9/10 cue; pass the findings of the recognizers,
    which tell whether a sentence is about a person."""
    return [(c.category, c.start, c.end) for c in find_category_cues(fold(text), findings)]


def marking_cues(text: str) -> list[tuple[str, int, int]]:
    """``(code, start, end)`` of each protection marking (``marquage_dr``…)."""
    return [(c.category, c.start, c.end) for c in find_marking_cues(fold(text))]


def _label(code: str) -> tuple[Level, str]:
    if code in MARKINGS:
        return MARKINGS[code]
    return Level.SENSIBLE, CATEGORIES[code]


def assess(text: str, findings: Sequence[Finding]) -> tuple[list[Reason], Level]:
    """Reasons (most protected first) and the level of the whole text."""
    reasons: list[Reason] = []
    personal = Counter(f.label for f in findings if f.is_personal)
    for label, count in personal.items():
        level = Level.SENSIBLE if label in _SENSITIVE_LABELS else Level.PERSONNEL
        reasons.append(Reason(level, label.lower(), label_fr(label), count))
    for code, count in Counter(c.category for c in find_cues(text, findings)).items():
        level, label = _label(code)
        reasons.append(Reason(level, code, label, count))
    reasons.sort(key=lambda r: (-r.level, r.category))
    level = max((r.level for r in reasons), default=BASELINE)
    return reasons, max(level, BASELINE)
