"""Sensitivity of a whole text: personal data, RGPD art. 9/10 categories, protection markings.

``assess`` turns the findings of the recognizers and the cues found here into reasons (category
and count, never a value) and a level, the highest of the reasons' levels (``interne`` when
nothing is found). ``sensitive_cues`` and ``marking_cues`` give positions, for highlighting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import cache

from egide.guard.findings import Finding, Reason
from egide.guard.labels import label_fr
from egide.guard.sensitive.categories import CATEGORIES, find_category_cues
from egide.guard.sensitive.cues import Cue
from egide.guard.sensitive.folding import fold
from egide.guard.sensitive.lexicon import load_lexicons
from egide.guard.sensitive.markings import MARKINGS, find_marking_cues
from egide.policy.levels import Level

__all__ = [
    "CATEGORIES",
    "HEALTH_LABEL",
    "MARKINGS",
    "Cue",
    "assess",
    "find_cues",
    "health_findings",
    "is_health_word",
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


HEALTH_LABEL = "HEALTH"
HEALTH_CATEGORY = "sante"
_HEALTH_SCORE = 0.9


@cache
def _health_words() -> tuple[frozenset[str], tuple[str, ...]]:
    """Folded one-word health terms of the lexicon (``+`` entries): whole words and prefixes."""
    words: set[str] = set()
    prefixes: list[str] = []
    for entry in load_lexicons(HEALTH_CATEGORY):
        if entry.reported and " " not in entry.term and "-" not in entry.term:
            if entry.term.endswith("*"):
                prefixes.append(entry.term[:-1])
            else:
                words.add(entry.term)
    return frozenset(words), tuple(prefixes)


def is_health_word(word: str) -> bool:
    """True when ``word`` is a disease, a condition or a drug of the health lexicon ("Kardegic",
    "Lévothyrox", "diabète"): a model's PER or LOC on it names no one and no place."""
    key = fold(word).text
    words, prefixes = _health_words()
    return key in words or key.startswith(prefixes)


def health_findings(text: str, findings: Sequence[Finding] = ()) -> list[Finding]:
    """The health terms of ``text`` (a disease, a condition, a treatment: lexicon entries
    marked ``+``) once health data is established in it, as HEALTH findings, in text order.

    Only where the assessment counts them (about a person, not an enumeration, not inside an
    institution's name), so that "le diabète est une maladie chronique" in a public page stays
    as it is. A term that overlaps personal data is left to it.
    """
    taken = sorted((f.start, f.end) for f in findings if f.is_personal)
    terms: list[Finding] = []
    for cue in find_category_cues(fold(text), findings):
        if cue.category != HEALTH_CATEGORY or not cue.term:
            continue
        if any(start < cue.end and cue.start < end for start, end in taken):
            continue
        terms.append(
            Finding(cue.start, cue.end, HEALTH_LABEL, _HEALTH_SCORE, text[cue.start : cue.end],
                    "sante", "terme de santé dans un texte qui porte sur une personne")
        )  # fmt: skip
    return terms


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
