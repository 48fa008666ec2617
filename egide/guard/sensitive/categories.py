"""Special categories of personal data (RGPD art. 9) and offences (art. 10) in French text.

Precision and recall: a missed health or conviction record would reach a model that must not
receive it, so the lexicons lean towards recall; but a text where everything is « sensible »
cannot be sent anywhere, so three rules keep generic prose out:

- a *weak* cue (a word that also names a subject in general: « cancer », « religion »,
  « casier judiciaire ») counts only when its sentence is about a person: personal data found
  by the recognizers, a civilité, a personal pronoun or a role (« l'intéressé », « le patient »)
  anywhere in the sentence, or a possessive just before the cue (« son état de santé »);
- a sentence (of a few lines at most) that lists weak cues of three categories or more, with no
  strong cue and no personal data, is an enumeration (anti-discrimination clause, RGPD notice)
  and counts for nothing;
- institutions and set phrases (« agence régionale de santé », « syndicat des eaux »,
  « condamné à verser ») are exclusions: nothing inside them counts.

Once a category is established in a text, its other weak cues count too, so that the count
and the highlighted positions are complete.

Also on the recall side: a single line break does not end a sentence (PDF extraction wraps
lines anywhere, clinical notes put the patient on one line and the diagnosis on the next).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from egide.guard.findings import Finding
from egide.guard.sensitive.cues import Cue
from egide.guard.sensitive.folding import Folded
from egide.guard.sensitive.lexicon import Lexicon, Match, load_lexicons
from egide.policy.levels import Level

__all__ = ["CATEGORIES", "find_category_cues"]

# Stable code -> French label; the code is also the name of the lexicon file.
CATEGORIES: dict[str, str] = {
    "sante": "données de santé",
    "religion": "convictions religieuses",
    "opinion_politique": "opinions politiques",
    "appartenance_syndicale": "appartenance syndicale",
    "orientation_sexuelle": "orientation sexuelle ou identité de genre",
    "vie_sexuelle": "vie sexuelle",
    "origine_ethnique": "origine raciale ou ethnique",
    "biometrie_genetique": "données génétiques ou biométriques",
    "infractions_condamnations": "infractions, condamnations ou mesures de sûreté",
}

ANCHORS_LEXICON = "ancrages_personne"
POSSESSIVES_LEXICON = "ancrages_possessifs"
# A possessive makes a weak cue count when it ends at most this many characters before it.
POSSESSIVE_REACH = 30
# How far from a weak cue a sentence may reach (bounds the work per cue on text without
# punctuation, such as tables).
SENTENCE_REACH = 300
ENUMERATION_CATEGORIES = 3
# Longer « sentences » are tables or text without punctuation, not a clause.
ENUMERATION_MAX_CHARS = 600

# A sentence ends at . ! ? followed by a space (not after « M. », « Mme. », « art. »…) or at an
# empty line; a single line break does not end it (PDF extraction wraps lines anywhere).
_SENTENCE_END = re.compile(
    r"[.!?](?=\s)(?<!\bm.)(?<!\bmme.)(?<!\bmlle.)(?<!\bdr.)(?<!\bme.)(?<!\bart.)(?<!\bcf.)"
    r"(?<!\bn.)(?<!\bp.)(?<!\bst.)|\n[ \t]{0,40}\n"
)


@dataclass(frozen=True, slots=True)
class _Lexicons:
    cues: Lexicon
    exclusions: Lexicon
    anchors: Lexicon
    anchor_exclusions: Lexicon
    possessives: Lexicon


@cache
def _lexicons() -> _Lexicons:
    entries = load_lexicons(*CATEGORIES)
    anchors = load_lexicons(ANCHORS_LEXICON)
    return _Lexicons(
        cues=Lexicon(e for e in entries if not e.exclusion),
        exclusions=Lexicon(e for e in entries if e.exclusion),
        anchors=Lexicon(e for e in anchors if not e.exclusion),
        anchor_exclusions=Lexicon(e for e in anchors if e.exclusion),
        possessives=Lexicon(load_lexicons(POSSESSIVES_LEXICON)),
    )


class _Spans:
    """Sorted, non-overlapping spans, with an overlap test in O(log n)."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [s for s, _ in ordered]
        # Running maximum of the ends, so that overlapping input spans stay correct.
        self.max_ends: list[int] = []
        for _, end in ordered:
            self.max_ends.append(max(end, self.max_ends[-1]) if self.max_ends else end)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end)
        return i > 0 and self.max_ends[i - 1] > start


def _unexcluded(matches: Iterable[Match], exclusions: _Spans) -> list[Match]:
    return [m for m in matches if not exclusions.overlaps(m.start, m.end)]


def find_category_cues(folded: Folded, findings: Sequence[Finding] = ()) -> list[Cue]:
    """Cues of art. 9/10 categories, in text order, with offsets into ``folded.original``."""
    lexicons = _lexicons()
    text = folded.text
    excluded = _Spans((m.start, m.end) for m in lexicons.exclusions.matches(folded))
    candidates = _unexcluded(lexicons.cues.matches(folded), excluded)
    if not candidates:
        return []

    anchor_excluded = _Spans((m.start, m.end) for m in lexicons.anchor_exclusions.matches(folded))
    anchors = _Spans(
        (m.start, m.end) for m in _unexcluded(lexicons.anchors.matches(folded), anchor_excluded)
    )
    possessives = _Spans((m.start, m.end) for m in lexicons.possessives.matches(folded))
    personal = _Spans((f.start, f.end) for f in findings if f.is_personal)
    boundaries = [m.end() for m in _SENTENCE_END.finditer(text)]

    def sentence_of(match: Match) -> tuple[int, int]:
        i = bisect.bisect_right(boundaries, match.start)
        start = boundaries[i - 1] if i else 0
        end = boundaries[i] if i < len(boundaries) else len(text)
        return start, end

    strong_sentences: set[tuple[int, int]] = set()
    weak_by_sentence: dict[tuple[int, int], list[Match]] = {}
    accepted: list[Match] = []
    for match in candidates:
        sentence = sentence_of(match)
        if match.entry.weak:
            weak_by_sentence.setdefault(sentence, []).append(match)
        else:
            strong_sentences.add(sentence)
            accepted.append(match)

    pending: list[Match] = []
    for sentence, weak in weak_by_sentence.items():
        start = max(sentence[0], weak[0].start - SENTENCE_REACH)
        end = min(sentence[1], weak[-1].end + SENTENCE_REACH)
        original_start, original_end = folded.span_in_original(start, end)
        has_personal_data = personal.overlaps(original_start, original_end)
        categories = {m.entry.category for m in weak}
        if (
            len(categories) >= ENUMERATION_CATEGORIES
            and sentence[1] - sentence[0] <= ENUMERATION_MAX_CHARS
            and sentence not in strong_sentences
            and not has_personal_data
        ):
            continue
        for match in weak:
            lo = max(sentence[0], match.start - SENTENCE_REACH)
            hi = min(sentence[1], match.end + SENTENCE_REACH)
            about_person = (
                anchors.overlaps(lo, hi)
                or possessives.overlaps(
                    max(sentence[0], match.start - POSSESSIVE_REACH), match.start
                )
                or personal.overlaps(*folded.span_in_original(lo, hi))
            )
            (accepted if about_person else pending).append(match)

    established = {m.entry.category for m in accepted}
    accepted.extend(m for m in pending if m.entry.category in established)
    cues = [
        Cue(
            *folded.span_in_original(m.start, m.end),
            m.entry.category,
            Level.SENSIBLE,
            m.entry.reported,
        )
        for m in accepted
    ]
    return sorted(cues)
