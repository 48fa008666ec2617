"""Extractive summarisation of French administrative prose.

Picks the units that carry the document (TF-IDF weight, closeness to the whole, cue phrases
of administrative writing such as "décide", "il est proposé", "par conséquent"), avoids saying
the same thing twice (maximal marginal relevance), drops boilerplate (formules de politesse,
letterheads, signatures, headings) and page furniture, and puts the chosen units back in
document order with their page or paragraph. A unit is a sentence, or a list with its lead-in
(see :mod:`~egide.models.local.units`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from egide.models.base import SourceText
from egide.models.local.text import terms
from egide.models.local.units import Unit, read_units

__all__ = [
    "LENGTHS", "SummaryLine", "format_summary", "relevance", "select_sentences", "summarize",
    "summarize_units",
]  # fmt: skip

# Target size of each length, in characters of selected sentences, and the sentence cap.
LENGTHS = {"court": (700, 6), "page": (3000, 22), "detaille": (9000, 80)}

_CUES = re.compile(
    r"\b(?:décid|arrêt|propos|conclu|en conséquence|par conséquent|il convient|il est demandé|"
    r"sollicit|objet|a pour but|afin de|condamn|rejet|annul|ordonn|accord|refus|prescri|"
    r"diagnosti|traitement|recommand|synthèse|en résumé|au total|motif|considérant|"
    r"il appara[iî]t|il ressort|doit|devra|à compter d|délai|montant|coût|budget)",
    re.IGNORECASE,
)
# The decision of a letter, in its author's words: what a short summary must not lose.
_DECIDES = re.compile(
    r"\b(?:je (?:refuse|décide|rejette|vous accorde|accorde|prononce|retire|abroge)|"
    r"j['’]ai (?:décidé|l['’]honneur de vous (?:informer|faire savoir) que)|"
    r"(?:est|sont) (?:refusée?s?|rejetée?s?|accordée?s?|annulée?s?))",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"(?:veuillez agréer|je vous prie d'agréer|recevez, madame|recevez, monsieur|"
    r"salutations distinguées|mes sentiments|l'expression de|restant à votre disposition|"
    r"je reste à votre disposition|page \d+ sur \d+|^copie à|^pièces? jointes?|^p\.?j\.?\s*:)",
    re.IGNORECASE,
)
_MIN_CHARS = 30


@dataclass(frozen=True, slots=True)
class SummaryLine:
    text: str
    page: int | None
    paragraph: int | None
    index: int


def _is_candidate(sentence: Unit) -> bool:
    if sentence.kind == "line":
        return False  # a letterhead, a heading, a signature: not what the document says
    text = sentence.flat_text
    if len(text) < _MIN_CHARS and not text.lower().startswith("objet"):
        return False
    if _BOILERPLATE.search(text):
        return False
    letters = sum(ch.isalpha() for ch in text)
    return letters >= 0.5 * len(text)


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(weight * b.get(term, 0.0) for term, weight in a.items())
    return dot / ((_norm(a) * _norm(b)) or 1.0)


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(term, 0.0) for term, weight in a.items())


def _norm(vector: dict[str, float]) -> float:
    return math.sqrt(sum(w * w for w in vector.values()))


@lru_cache(maxsize=50_000)
def _bag(text: str) -> Counter[str]:
    # The same units are weighed by the fiche, each section's summary and the whole one.
    return Counter(terms(text))


def _vectors(candidates: Sequence[Unit]) -> tuple[list[dict[str, float]], list[Counter[str]]]:
    bags = [_bag(s.flat_text) for s in candidates]
    document_frequency: Counter[str] = Counter()
    for bag in bags:
        document_frequency.update(bag.keys())
    total = len(bags)
    vectors = [
        {t: (1 + math.log(n)) * math.log(1 + total / document_frequency[t]) for t, n in bag.items()}
        for bag in bags
    ]
    return vectors, bags


def _unit_length(vector: dict[str, float]) -> dict[str, float]:
    norm = _norm(vector) or 1.0
    return {term: weight / norm for term, weight in vector.items()}


def relevance(units: Sequence[Unit]) -> dict[int, float]:
    """How central each unit is to the whole (cosine with the centroid, 0 to 1), by index."""
    if not units:
        return {}
    vectors, _ = _vectors(units)
    centroid: dict[str, float] = {}
    for vector in vectors:
        for term, weight in vector.items():
            centroid[term] = centroid.get(term, 0.0) + weight
    return {u.index: _cosine(v, centroid) for u, v in zip(units, vectors, strict=True)}


def select_sentences(
    sentences: Sequence[Unit],
    *,
    budget_chars: int,
    max_sentences: int,
    diversity: float = 0.3,
    group_of: dict[int, int] | None = None,
) -> list[Unit]:
    """The best sentences within the budget, by relevance minus redundancy (MMR).

    With ``group_of`` (sentence index → section), a sentence from a section not yet represented
    gets a bonus, so that a long document is covered from start to end.
    """
    candidates = [s for s in sentences if _is_candidate(s)]
    if not candidates:
        candidates = [s for s in sentences if s.text.strip() and not _BOILERPLATE.search(s.text)]
    if not candidates:
        return []
    vectors, bags = _vectors(candidates)
    centroid: dict[str, float] = {}
    for vector in vectors:
        for term, weight in vector.items():
            centroid[term] = centroid.get(term, 0.0) + weight
    # Sentences repeated with only numbers changed (headers, footers, form text) are central
    # by construction and say nothing: damp them by how often they recur.
    shapes = [frozenset(bag) for bag in bags]
    recurrence = Counter(shapes)
    relevance = []
    first_of_source: set[int | None] = set()
    for sentence, vector, shape in zip(candidates, vectors, shapes, strict=True):
        score = _cosine(vector, centroid) / (1.0 + math.log(recurrence[shape]))
        key = sentence.page if sentence.page is not None else sentence.paragraph
        if key not in first_of_source:
            first_of_source.add(key)
            score *= 1.15  # the opening of a page or section often states its point
        if sentence.text.lower().startswith("objet"):
            score *= 1.6
        if sentence is candidates[0]:
            score *= 1.25  # the opening of a letter or an article states its point
        score *= 1.0 + 0.25 * min(len(_CUES.findall(sentence.flat_text)), 3)
        if _DECIDES.search(sentence.flat_text):
            score *= 1.6
        relevance.append(score)
    top = max(relevance) or 1.0
    relevance = [r / top for r in relevance]
    # Of unit length, a cosine between two units is their dot product: computed for every
    # pair in the loop below, it must not recompute norms.
    unit = [_unit_length(vector) for vector in vectors]
    chosen: list[int] = []
    covered_groups: set[int] = set()
    used = 0
    remaining = set(range(len(candidates)))
    while remaining and len(chosen) < max_sentences:
        best, best_score = -1, -math.inf
        for i in sorted(remaining):
            redundancy = max((_dot(unit[i], unit[j]) for j in chosen), default=0.0)
            score = (1 - diversity) * relevance[i] - diversity * redundancy
            if group_of is not None and group_of.get(candidates[i].index) not in covered_groups:
                score += 0.5
            if score > best_score:
                best, best_score = i, score
        remaining.discard(best)
        length = len(candidates[best].flat_text)
        if chosen and used + length > budget_chars:
            continue
        chosen.append(best)
        if group_of is not None:
            covered_groups.add(group_of.get(candidates[best].index, -1))
        used += length
    return sorted((candidates[i] for i in chosen), key=lambda s: s.index)


def summarize(sources: Sequence[SourceText], *, length: str = "court") -> list[SummaryLine]:
    """Select the units of a summary of the requested length, in document order."""
    return summarize_units(read_units(sources), length=length)


def summarize_units(
    sentences: Sequence[Unit], *, length: str = "court", budget_chars: int | None = None
) -> list[SummaryLine]:
    """Select the units of a summary of the requested length, in document order.

    Long documents are summarised section by section first (map), then the section summaries
    are summarised together (reduce), so that every part of the document gets a say.
    """
    budget, cap = LENGTHS.get(length, LENGTHS["court"])
    budget = budget_chars or budget
    total_chars = sum(len(s.flat_text) for s in sentences)
    if length != "detaille":
        # A summary shorter than the text, whatever the text: at most about a third of it.
        budget = min(budget, max(250, total_chars // 3))
    sections = _sections(sentences, target=max(12, len(sentences) // cap + 1))
    group_of: dict[int, int] | None = None
    if len(sections) > 1 and len(sentences) > 4 * cap:
        per_section = max(2, (2 * cap) // len(sections) + 1)
        mapped: list[Unit] = []
        group_of = {}
        for number, section in enumerate(sections):
            picked = select_sentences(
                section, budget_chars=max(budget // 2, 600), max_sentences=per_section
            )
            mapped.extend(picked)
            group_of.update((s.index, number) for s in picked)
        sentences = mapped
    chosen = select_sentences(sentences, budget_chars=budget, max_sentences=cap, group_of=group_of)
    return [SummaryLine(s.full_text, s.page, s.paragraph, s.index) for s in chosen]


def _sections(sentences: Sequence[Unit], target: int = 60) -> list[list[Unit]]:
    """Group consecutive pages (or paragraphs) into sections of about ``target`` units."""
    sections: list[list[Unit]] = []
    current: list[Unit] = []
    last_key: object = object()
    for sentence in sentences:
        key = (sentence.page, sentence.paragraph if sentence.page is None else None)
        if current and key != last_key and len(current) >= target:
            sections.append(current)
            current = []
        current.append(sentence)
        last_key = key
    if current:
        sections.append(current)
    return sections


def _reference(line: SummaryLine) -> str:
    if line.page is not None:
        return f"p. {line.page}"
    if line.paragraph is not None:
        return f"§ {line.paragraph}"
    return ""


def format_summary(lines: Sequence[SummaryLine], *, length: str = "court") -> str:
    """French text of the summary: a paragraph for a short one, a list with sources otherwise."""
    if not lines:
        return "Le document ne contient pas de texte à résumer."
    if length == "court":
        body = " ".join(line.text for line in lines)
        pages = sorted({line.page for line in lines if line.page is not None})
        if pages:
            body += f" (sources : p. {', '.join(str(p) for p in pages)})"
        return body
    out = []
    for line in lines:
        reference = _reference(line)
        out.append(f"- {line.text}" + (f" ({reference})" if reference else ""))
    return "\n".join(out)
