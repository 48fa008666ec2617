"""Answer a question with the passages of the documents that match it best (Okapi BM25).

A passage is a whole unit (:mod:`~egide.models.local.units`): a sentence, or a list *with* its
lead-in, so that "which tools should agents prefer?" gets the list of tools and not the sentence
announcing it. Every passage is cited with its document's name and its page or paragraph.

:func:`best_passages` is the reusable part (the knowledge base cites with it); the engine's
answer is :func:`answer_question`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from egide.models.base import SourceText, UnanswerableRequest
from egide.models.local.text import terms
from egide.models.local.units import Unit, cite, read_units

__all__ = [
    "NO_DOCUMENT",
    "CitedPassage",
    "NoDocument",
    "answer_question",
    "best_passages",
    "rank_passages",
]

_K1 = 1.5
_B = 0.75
# An answer keeps the passages scoring at least half the best one: past that, a passage shares a
# word or two with the question and nothing else (measured on the seeds' circular).
_MIN_RATIO = 0.5
NO_DOCUMENT = (
    "aucun document fourni : le moteur intégré (extraits du document, sans IA générative) répond "
    "en citant les passages des documents joints à la question ; joignez le document concerné, "
    "ou choisissez un modèle génératif autorisé"
)


class NoDocument(UnanswerableRequest):
    """A question without any document: the extractive engine has nothing to quote."""


@dataclass(frozen=True, slots=True)
class CitedPassage:
    """A passage that answers a question, with where it comes from."""

    text: str  # a sentence, or a lead-in followed by its items ("  - …") on their own lines
    document: str | None
    page: int | None
    paragraph: int | None
    score: float
    position: int = 0  # rank of the passage in reading order, over all the documents

    @property
    def citation(self) -> str:
        """« circulaire.pdf », p. 2 — what an agent needs to find the passage again."""
        return cite(Unit(self.text, 0, self.document, self.page, self.paragraph))


def rank_passages(
    question: str, passages: Sequence[str], *, limit: int = 5
) -> list[tuple[int, float]]:
    """(index, score) of the passages that best match the question, best first (Okapi BM25)."""
    query = set(terms(question))
    if not query or not passages:
        return []
    bags = [Counter(terms(p)) for p in passages]
    average = sum(sum(b.values()) for b in bags) / len(bags) or 1.0
    frequency: Counter[str] = Counter()
    for bag in bags:
        frequency.update(t for t in bag if t in query)
    total = len(bags)
    scored = []
    for index, bag in enumerate(bags):
        length = sum(bag.values())
        score = 0.0
        for term in query:
            tf = bag.get(term, 0)
            if not tf:
                continue
            idf = math.log(1 + (total - frequency[term] + 0.5) / (frequency[term] + 0.5))
            score += idf * tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * length / average))
        if score > 0:
            scored.append((index, score))
    scored.sort(key=lambda item: -item[1])
    return scored[:limit]


def best_passages(
    question: str, sources: Sequence[SourceText], *, limit: int = 4, min_ratio: float = 0.0
) -> list[CitedPassage]:
    """The passages of ``sources`` that answer ``question`` best, best first, each with its
    document's name and its page or paragraph. Headings and letterhead lines are not passages
    on their own; a list comes with its lead-in. ``min_ratio`` drops the passages scoring less
    than that share of the best one (a passage that shares one common word with the question)."""
    units = [unit for unit in read_units(sources) if unit.kind != "line"]
    ranked = rank_passages(question, [unit.flat_text for unit in units], limit=limit)
    if ranked and min_ratio:
        ranked = [(index, score) for index, score in ranked if score >= min_ratio * ranked[0][1]]
    return [
        CitedPassage(
            units[index].full_text,
            units[index].document,
            units[index].page,
            units[index].paragraph,
            score,
            units[index].index,
        )
        for index, score in ranked
    ]


def answer_question(question: str, sources: Sequence[SourceText], *, limit: int = 4) -> str:
    if not any(source.text.strip() for source in sources):
        raise NoDocument(NO_DOCUMENT)
    passages = best_passages(question, sources, limit=limit, min_ratio=_MIN_RATIO)
    if not passages:
        return (
            "Aucun passage des documents fournis ne répond à la question : le moteur intégré "
            "cherche les mots de la question dans les documents. Reformulez-la avec les mots du "
            "document, joignez le document concerné, ou choisissez un modèle génératif."
        )
    lines = ["Passages des documents qui répondent à la question :"]
    for passage in passages:  # best first: the first one is the one to read
        first, *rest = passage.text.split("\n")
        lines.append(f"- {first} ({passage.citation})")
        lines.extend(rest)
    lines.append(
        "Extraits des documents choisis automatiquement par le moteur intégré, sans IA "
        "générative : vérifiez-les dans leur contexte."
    )
    return "\n".join(lines)
