"""Draft administrative writing: the template is rendered first (egide.tasks.templates), then a
generative model may polish it; the extractive engine returns it as rendered."""

from __future__ import annotations

from collections.abc import Iterator

from egide.models.base import GenerationRequest, Message, ModelBackend
from egide.tasks.base import TaskInput, register_task
from egide.tasks.prompts import SYSTEM, render_sources

__all__ = ["DraftTask"]

_POLISH = (
    "Voici un projet de document administratif rédigé à partir d'un modèle. Améliore sa "
    "rédaction en respectant les usages de l'administration française (en-tête, objet, "
    "références, formule d'appel, formule de politesse adaptée au destinataire, signature), "
    "sans ajouter ni retirer de fait, sans toucher aux marqueurs entre crochets. Réponds "
    "uniquement par le document.\n\n"
)


class DraftTask:
    name = "draft"

    def generate(self, task_input: TaskInput, backend: ModelBackend) -> Iterator[str]:
        rendered = task_input.prompt
        if getattr(backend, "extractive", False) or not task_input.options.get("polish", True):
            request = GenerationRequest(task="draft", messages=(), options={"rendered": rendered})
            yield from backend.stream(request)
            return
        prompt = _POLISH + rendered
        if task_input.sources:
            prompt += "\n\nDocuments de référence :\n\n" + render_sources(task_input.sources)
        messages = (Message("system", SYSTEM), Message("user", prompt))
        yield from backend.stream(GenerationRequest(task="draft", messages=messages))


register_task("draft")(DraftTask)
