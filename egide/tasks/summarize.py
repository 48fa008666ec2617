"""Summarise a document of any length; map-reduce when it exceeds the model's context."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from egide.models.base import GenerationRequest, Message, ModelBackend, SourceText
from egide.tasks.base import TaskInput, register_task
from egide.tasks.prompts import SYSTEM, reduce_prompt, summary_prompt

__all__ = ["SummarizeTask", "LENGTHS", "split_for_context"]

LENGTHS = ("court", "page", "detaille")
# Room left in the context for the instructions and the answer.
_CONTEXT_SHARE = 0.6


def split_for_context(sources: Sequence[SourceText], budget: int) -> list[list[SourceText]]:
    """Consecutive groups of passages, each under ``budget`` characters (a longer passage is
    cut at sentence ends or, failing that, hard)."""
    groups: list[list[SourceText]] = [[]]
    used = 0
    for source in sources:
        for piece in _cut(source, budget):
            if groups[-1] and used + len(piece.text) > budget:
                groups.append([])
                used = 0
            groups[-1].append(piece)
            used += len(piece.text)
    return [group for group in groups if group]


def _cut(source: SourceText, budget: int) -> Iterator[SourceText]:
    text = source.text
    while len(text) > budget:
        cut = text.rfind(". ", 0, budget)
        cut = cut + 1 if cut > budget // 2 else budget
        yield SourceText(text[:cut], source.page, source.paragraph, source.document)
        text = text[cut:].lstrip()
    if text:
        yield SourceText(text, source.page, source.paragraph, source.document)


class SummarizeTask:
    name = "summarize"

    def generate(self, task_input: TaskInput, backend: ModelBackend) -> Iterator[str]:
        length = str(task_input.options.get("length", "court"))
        if length not in LENGTHS:
            raise ValueError(f"longueur inconnue « {length} » (choix : {', '.join(LENGTHS)})")
        sources = task_input.sources or (SourceText(task_input.prompt),)
        if getattr(backend, "extractive", False):
            yield from backend.stream(
                GenerationRequest(
                    task="summarize", messages=(), sources=sources, options={"length": length}
                )
            )
            return
        budget = max(1_000, int(backend.context_chars * _CONTEXT_SHARE))
        groups = split_for_context(sources, budget)
        if len(groups) == 1:
            yield from backend.stream(_request(summary_prompt(groups[0], length)))
            return
        partials = [
            backend.complete(_request(summary_prompt(group, "page", part=f"{i}/{len(groups)}")))
            for i, group in enumerate(groups, start=1)
        ]
        # Reduce until the partial summaries fit together in one context.
        while len(reduce_prompt(partials, length)) > budget and len(partials) > 1:
            pairs = [partials[i : i + 2] for i in range(0, len(partials), 2)]
            partials = [backend.complete(_request(reduce_prompt(pair, "page"))) for pair in pairs]
        yield from backend.stream(_request(reduce_prompt(partials, length)))


def _request(prompt: str) -> GenerationRequest:
    return GenerationRequest(
        task="summarize",
        messages=(Message("system", SYSTEM), Message("user", prompt)),
        temperature=0.2,
    )


register_task("summarize")(SummarizeTask)
