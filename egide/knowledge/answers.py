"""Cited answers from a collection, through the one pipeline.

1. The passages are retrieved at or below the level the chosen model may receive (the charter's
   :func:`egide.policy.decide.model_accepts`, asked for each level): a passage above it is not
   sent, and the answer's notes say how many were left out and why.
2. Passages too far from the question are dropped (:func:`relevant_hits`): when none is left,
   the answer says that the collection does not answer, instead of letting a model invent.
3. Each passage becomes one document of the request — a header line naming its document and
   its page or section, then its text — so that the pipeline normalises, scans, decides on,
   pseudonymises and audits exactly what the model receives, like any other document.
4. The ``kb_answer`` task (:mod:`egide.knowledge.task`) asks for numbered citations [1], [2]; the
   built-in extractive engine answers with the best passages, cited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from egide.assistant import AssistantRequest, AssistantResult
from egide.config import Settings
from egide.documents import Document, DocumentFormat, Section
from egide.knowledge.base import KnowledgeBase, SearchResult
from egide.knowledge.records import CollectionRecord, PassageRecord
from egide.knowledge.retrieval import Hit
from egide.knowledge.task import TASK_NAME
from egide.policy.decide import AUTO, Assessment, model_accepts
from egide.policy.levels import Level

__all__ = [
    "Answer",
    "AnswerRefused",
    "ask",
    "build_request",
    "model_ceiling",
    "relevant_hits",
    "retrieve",
]

# A passage counts as relevant when its vector is close enough to the question's; without
# vectors (lexical search only), when it holds at least half of the question's terms. Measured
# on the sample (benchmarks/kb.py, "pertinence"): the best passage of a question it answers
# scores 0.87 or more (e5-small cosine); questions about nothing in it
# (benchmarks/kb/hors_sujet.jsonl) stay at or below 0.85.
MIN_COSINE = 0.86
MIN_MATCHED = 0.5


class AnswerRefused(Exception):
    """No model may receive even the least sensitive passage; the message says so in French."""


@dataclass(frozen=True)
class Answer:
    text: str
    sources: tuple[PassageRecord, ...]
    notes: tuple[str, ...]  # French: passages left out, nothing found
    result: AssistantResult | None  # None when nothing was sent to a model


def model_ceiling(settings: Settings, model: str) -> Level | None:
    """The highest level of passage the charter lets ``model`` receive (``auto``: any
    configured model); None when it may receive nothing."""
    models = settings.models if model == AUTO else (settings.model(model),)
    best: Level | None = None
    for candidate in models:
        for level in sorted(Level, reverse=True):
            personal = {"PERSON": 1} if level >= Level.PERSONNEL else {}
            if model_accepts(candidate, Assessment.from_counts(level, personal)):
                if best is None or level > best:
                    best = level
                break
    return best


def relevant_hits(hits: Sequence[Hit], *, dense_complete: bool) -> list[Hit]:
    """The hits close enough to the question; while some passages still wait for their vector
    (``dense_complete`` false), a hit without one is judged by the words it shares."""
    return [
        hit
        for hit in hits
        if (hit.dense is not None and hit.dense >= MIN_COSINE)
        or (not dense_complete and hit.dense is None and hit.matched >= MIN_MATCHED)
    ]


def retrieve(
    kb: KnowledgeBase,
    collection: CollectionRecord,
    question: str,
    *,
    user: str,
    ceiling: Level,
    limit: int,
) -> tuple[SearchResult, list[PassageRecord]]:
    """The relevant passages at or below ``ceiling``, best first, at most two per document."""
    result = kb.search(collection, question, user=user, max_level=ceiling, k=limit)
    kept: list[int] = []
    per_document: dict[str, int] = {}
    for hit in relevant_hits(result.hits, dense_complete=result.dense_complete):
        if per_document.get(hit.document_id, 0) >= 2:
            continue
        per_document[hit.document_id] = per_document.get(hit.document_id, 0) + 1
        kept.append(hit.passage_id)
        if len(kept) == limit:
            break
    passages = kb.passages(kept)
    return result, [passages[i] for i in kept if i in passages]


def passage_document(number: int, passage: PassageRecord) -> Document:
    """One passage as a document of the request: a header (what a citation names), its text."""
    header = f"[{number}] « {passage.document_title} » — {passage.citation_fr}"
    text = f"{header}\n{passage.text}"
    return Document(
        text=text,
        sections=(Section(0, len(text), page=passage.page, paragraph=passage.paragraph),),
        source=f"{passage.document_title} ({passage.where_fr})",
        format=DocumentFormat.TXT,
    )


def build_request(
    question: str, passages: Sequence[PassageRecord], *, user: str, model: str, collection: str
) -> AssistantRequest:
    return AssistantRequest(
        user=user,
        task=TASK_NAME,
        prompt=question,
        documents=tuple(passage_document(n, p) for n, p in enumerate(passages, start=1)),
        model=model,
        title=f"Réponse de la base « {collection} »",
    )


def withheld_note(withheld: int, ceiling: Level, model: str) -> str:
    who = "aucun modèle configuré" if model == AUTO else f"le modèle « {model} »"
    return (
        f"{withheld} passage(s) qui pourraient répondre n'ont pas été transmis : leur niveau "
        f"dépasse « {ceiling.label_fr} », le plus haut que {who} peut recevoir selon la charte. "
        "Choisissez un modèle interne pour les inclure."
    )


def ask(
    kb: KnowledgeBase,
    collection: CollectionRecord,
    question: str,
    *,
    user: str,
    model: str = AUTO,
    assistant: object | None = None,
) -> Answer:
    """Retrieve, then answer through the pipeline (PolicyRefused, ModelError propagate)."""
    from egide.assistant import Assistant

    settings = kb.settings
    ceiling = model_ceiling(settings, model)
    if ceiling is None:
        raise AnswerRefused(
            f"le modèle « {model} » ne peut recevoir aucun passage de cette collection selon "
            "la charte ; choisissez un modèle interne"
        )
    result, passages = retrieve(
        kb,
        collection,
        question,
        user=user,
        ceiling=ceiling,
        limit=settings.knowledge.answer_passages,
    )
    notes = [withheld_note(result.withheld, ceiling, model)] if result.withheld else []
    if not passages:
        text = (
            "La base documentaire « {name} » ne contient aucun passage qui réponde à cette "
            "question{level}. Reformulez-la, ou interrogez une autre collection."
        ).format(
            name=collection.title,
            level=" parmi ceux que ce modèle peut recevoir" if result.withheld else "",
        )
        return Answer(text, (), tuple(notes), None)
    pipeline = assistant if isinstance(assistant, Assistant) else kb.assistant()
    request = build_request(question, passages, user=user, model=model, collection=collection.name)
    answer = pipeline.start(request).complete()
    return Answer(answer.text, tuple(passages), tuple([*notes, *answer.warnings]), answer)
