"""Chat with context documents: the most relevant passages go to the model with the question."""

from __future__ import annotations

from collections.abc import Iterator

from egide.models.base import GenerationRequest, Message, ModelBackend
from egide.models.local.answer import rank_passages
from egide.tasks.base import TaskInput, register_task
from egide.tasks.prompts import SYSTEM, render_sources

__all__ = ["ChatTask"]


class ChatTask:
    name = "chat"

    def generate(self, task_input: TaskInput, backend: ModelBackend) -> Iterator[str]:
        question = task_input.prompt
        sources = list(task_input.sources)
        if getattr(backend, "extractive", False):
            request = GenerationRequest(
                task="chat", messages=(Message("user", question),), sources=sources
            )
            yield from backend.stream(request)
            return
        budget = int(backend.context_chars * 0.6) - len(question)
        if sum(len(s.text) for s in sources) > budget:
            ranked = rank_passages(question, [s.text for s in sources], limit=len(sources))
            kept, used = [], 0
            for index, _ in ranked:
                if used + len(sources[index].text) > budget:
                    break
                kept.append(index)
                used += len(sources[index].text)
            sources = [sources[i] for i in sorted(kept)]
        messages = [Message("system", SYSTEM)]
        if sources:
            messages.append(
                Message(
                    "user",
                    "Documents de référence (cite le document et la page ou le paragraphe "
                    "d'où vient chaque information) :\n\n" + render_sources(sources),
                )
            )
        # Earlier turns of the conversation (the portal's follow-up questions), then this one.
        messages.extend(m for m in task_input.messages if m.role in ("user", "assistant"))
        messages.append(Message("user", question))
        yield from backend.stream(GenerationRequest(task="chat", messages=messages))


register_task("chat")(ChatTask)
