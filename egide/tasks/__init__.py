"""The tasks agents came for: summarise, draft, chat with documents (and batches of them)."""

from egide.tasks.base import (
    Task,
    TaskInput,
    UnknownTask,
    register_task,
    registered_tasks,
    task_named,
)

# Importing registers the built-in tasks.
from egide.tasks import chat, draft, gateway_chat, summarize  # noqa: F401  isort: skip
from egide.tasks import rewrite  # noqa: F401  isort: skip

__all__ = ["Task", "TaskInput", "UnknownTask", "register_task", "registered_tasks", "task_named"]
