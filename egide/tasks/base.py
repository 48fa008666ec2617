"""What a task receives (already pseudonymised) and the registry tasks join."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from egide.models.base import Message, ModelBackend, SourceText

__all__ = ["Task", "TaskInput", "register_task", "task_named", "registered_tasks", "UnknownTask"]


@dataclass(frozen=True)
class TaskInput:
    """The request as a model may see it: every personal value is a placeholder already."""

    prompt: str
    sources: tuple[SourceText, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    messages: tuple[Message, ...] = ()  # a whole conversation, for the API gateway


class Task(Protocol):
    name: str

    def generate(self, task_input: TaskInput, backend: ModelBackend) -> Iterator[str]:
        """Stream the answer; may call the backend several times (map-reduce)."""
        ...


class UnknownTask(ValueError):
    pass


_TASKS: dict[str, Task] = {}
T = TypeVar("T", bound=Callable[[], Task])


def register_task(name: str) -> Callable[[T], T]:
    def decorator(factory: T) -> T:
        _TASKS[name] = factory()
        return factory

    return decorator


def registered_tasks() -> dict[str, Task]:
    return dict(_TASKS)


def task_named(name: str) -> Task:
    try:
        return _TASKS[name]
    except KeyError:
        known = ", ".join(sorted(_TASKS))
        raise UnknownTask(f"tâche inconnue « {name} » (tâches disponibles : {known})") from None
