"""The API gateway's task: forward a whole (pseudonymised) conversation to the model as it is.

Business applications bring their own system prompt and history: Égide adds no instruction of
its own, and only passes the generation settings it understands (``max_tokens``,
``temperature``). The extractive ``local`` engine, which cannot follow a conversation, answers
the last user message with the earlier messages as sources.
"""

from __future__ import annotations

from collections.abc import Iterator

from egide.models.base import GenerationRequest, Message, ModelBackend, SourceText
from egide.tasks.base import TaskInput, register_task

__all__ = ["GatewayChatTask"]


class GatewayChatTask:
    name = "gateway_chat"

    def generate(self, task_input: TaskInput, backend: ModelBackend) -> Iterator[str]:
        messages = task_input.messages or (Message("user", task_input.prompt),)
        options = task_input.options
        max_tokens = options.get("max_tokens")
        temperature = options.get("temperature")
        if getattr(backend, "extractive", False):
            users = [i for i, m in enumerate(messages) if m.role == "user"]
            last = users[-1] if users else len(messages) - 1
            sources = [SourceText(m.content) for i, m in enumerate(messages) if i != last]
            request = GenerationRequest(
                task="chat", messages=(Message("user", messages[last].content),), sources=sources
            )
            yield from backend.stream(request)
            return
        yield from backend.stream(
            GenerationRequest(
                task="chat",
                messages=messages,
                max_tokens=int(max_tokens) if max_tokens is not None else None,
                temperature=float(temperature) if temperature is not None else None,
            )
        )


register_task("gateway_chat")(GatewayChatTask)
