"""Summaries by a generative model: one call when the document fits, map-reduce when it doesn't."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from egide.models import GenerationRequest
from egide.models.base import SourceText
from egide.tasks import TaskInput, task_named
from egide.tasks.summarize import split_for_context


class RecordingModel:
    """A generative backend (the real interface) that answers with a numbered partial summary."""

    name = "fake"

    def __init__(self, context_chars: int) -> None:
        self.context_chars = context_chars
        self.prompts: list[str] = []

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        prompt = request.messages[-1].content
        self.prompts.append(prompt)
        assert len(prompt) <= self.context_chars, "a request exceeded the model's context"
        yield f"résumé {len(self.prompts)} (p. {len(self.prompts)})"

    def complete(self, request: GenerationRequest) -> str:
        return "".join(self.stream(request))


def pages(count: int, chars: int = 900) -> tuple[SourceText, ...]:
    sentence = "Le service a instruit les dossiers de la période et consigné ses observations. "
    return tuple(
        SourceText((sentence * (chars // len(sentence) + 1))[:chars], page=i)
        for i in range(1, count + 1)
    )


def test_a_document_that_fits_takes_one_call_with_page_markers() -> None:
    model = RecordingModel(context_chars=20_000)
    task_input = TaskInput(prompt="", sources=pages(3), options={"length": "court"})
    answer = "".join(task_named("summarize").generate(task_input, model))
    assert answer == "résumé 1 (p. 1)"
    assert len(model.prompts) == 1
    assert "[p. 1]" in model.prompts[0] and "[p. 3]" in model.prompts[0]
    assert "cinq phrases" in model.prompts[0]


def test_a_long_document_is_mapped_then_reduced_within_the_context() -> None:
    model = RecordingModel(context_chars=4_000)
    task_input = TaskInput(prompt="", sources=pages(40), options={"length": "page"})
    answer = "".join(task_named("summarize").generate(task_input, model))
    budget = int(4_000 * 0.6)
    groups = split_for_context(pages(40), budget)
    assert len(groups) > 5
    assert len(model.prompts) >= len(groups) + 1  # every part, then the whole
    assert "[p. 40]" in "".join(model.prompts)  # no page left out
    assert model.prompts[-1].startswith("Voici les résumés successifs")
    assert answer.startswith("résumé")


def test_a_passage_longer_than_the_context_is_cut_at_sentence_ends() -> None:
    long_page = pages(1, chars=10_000)
    groups = split_for_context(long_page, 2_000)
    assert all(sum(len(s.text) for s in group) <= 2_000 for group in groups)
    assert all(s.page == 1 for group in groups for s in group)
    assert "".join(s.text for g in groups for s in g).replace(" ", "") == long_page[0].text.replace(
        " ", ""
    )


def test_unknown_length_is_a_french_error() -> None:
    task_input = TaskInput(prompt="", sources=pages(1), options={"length": "immense"})
    with pytest.raises(ValueError, match="longueur inconnue"):
        list(task_named("summarize").generate(task_input, RecordingModel(10_000)))
