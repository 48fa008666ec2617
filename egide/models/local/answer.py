"""Answer a question with the passages of the context documents that match it best (BM25)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from egide.models.base import SourceText
from egide.models.local.text import split_sentences, terms

__all__ = ["answer_question", "rank_passages"]

_K1 = 1.5
_B = 0.75


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


def answer_question(question: str, sources: Sequence[SourceText], *, limit: int = 4) -> str:
    sentences: list[tuple[str, SourceText]] = []
    for source in sources:
        for start, end in split_sentences(source.text):
            sentences.append((" ".join(source.text[start:end].split()), source))
    ranked = rank_passages(question, [s for s, _ in sentences], limit=limit)
    if not ranked:
        return (
            "Le moteur local n'a trouvé aucun passage des documents fournis qui réponde à la "
            "question. Reformulez-la avec les mots du document, ou joignez le document concerné."
        )
    lines = ["Passages des documents qui répondent à la question :"]
    for index in sorted(i for i, _ in ranked):
        text, source = sentences[index]
        where = (
            f"p. {source.page}"
            if source.page is not None
            else (f"§ {source.paragraph}" if source.paragraph is not None else "")
        )
        lines.append(f"- {text}" + (f" ({where})" if where else ""))
    lines.append("(Réponse extractive du moteur local : vérifiez ces passages dans leur contexte.)")
    return "\n".join(lines)
