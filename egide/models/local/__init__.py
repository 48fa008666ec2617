"""The embedded ``local`` engine: useful without any generative model, and never taken for one.

It writes nothing of its own: a summary is a fiche de synthèse made of the document's sentences
(:mod:`~egide.models.local.synthesis`), an answer is the passages that match the question, cited
with their document and page (:mod:`~egide.models.local.answer`), a draft is the filled template
as it is. Agents see it as « extraits du document » (:data:`LABEL_FR`). Nothing leaves the
machine.
"""

from __future__ import annotations

from collections.abc import Iterator

from egide.config import ModelSettings
from egide.models.base import GenerationRequest, ModelError
from egide.models.local.answer import answer_question
from egide.models.local.synthesis import synthesis
from egide.models.registry import register_backend

__all__ = ["LABEL_FR", "LocalBackend"]

# What agents are told this engine is, wherever they choose or meet a model.
LABEL_FR = "extraits du document, moteur intégré sans IA générative"


class LocalBackend:
    extractive = True  # reads structured sources instead of following instructions
    # The extractive engine has no context window: it reads any length in sections.
    context_chars = 10**9

    def __init__(self, name: str = "local") -> None:
        self.name = name

    def complete(self, request: GenerationRequest) -> str:
        if request.task in ("summarize", "reduce"):
            length = str(request.options.get("length", "court"))
            return synthesis(request.sources, length=length)
        if request.task == "draft":
            rendered = request.options.get("rendered")
            if not isinstance(rendered, str):
                raise ModelError(
                    "le moteur intégré rédige seulement à partir d'un modèle de document rempli"
                )
            return rendered
        if request.task == "chat":
            question = next((m.content for m in reversed(request.messages) if m.role == "user"), "")
            return answer_question(question, request.sources)
        raise ModelError(
            f"le moteur intégré (extraits du document) ne sait pas traiter la tâche "
            f"« {request.task} » : choisissez un modèle génératif"
        )

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        # The answer is computed at once; stream it by lines so that every surface behaves alike.
        text = self.complete(request)
        yield from text.splitlines(keepends=True)


@register_backend("local", generative=False, label_fr=LABEL_FR)
def _factory(settings: ModelSettings) -> LocalBackend:
    return LocalBackend(settings.name)
