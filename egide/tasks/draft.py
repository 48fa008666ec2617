"""Draft administrative writing: the template is rendered first (egide.tasks.templates), then a
generative model may polish it; the extractive engine returns it as rendered.

A letter's parts are marked (:mod:`egide.documents.letter`). Only its text — from the formule
d'appel to the formule de politesse — is given to the model to polish: the timbre, the date,
the recipient's address, the references and the signature are copied as the template wrote
them, so that a model can neither drop a marker nor reword an address or a signatory.
"""

from __future__ import annotations

from collections.abc import Iterator

from egide.documents.letter import LetterPart, Part, marker, split_letter
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
_POLISH_TEXT = (
    "Voici le texte d'un courrier administratif rédigé à partir d'un modèle, de la formule "
    "d'appel à la formule de politesse. Améliore sa rédaction en respectant les usages de "
    "l'administration française, sans ajouter ni retirer de fait, sans changer la formule "
    "d'appel ni la formule de politesse, sans toucher aux marqueurs entre crochets. Réponds "
    "uniquement par ce texte.\n\n"
)


class DraftTask:
    name = "draft"

    def generate(self, task_input: TaskInput, backend: ModelBackend) -> Iterator[str]:
        rendered = task_input.prompt
        if getattr(backend, "extractive", False) or not task_input.options.get("polish", True):
            request = GenerationRequest(task="draft", messages=(), options={"rendered": rendered})
            yield from backend.stream(request)
            return
        parts = split_letter(rendered)
        if not parts:
            yield from backend.stream(_polish_request(_POLISH + rendered, task_input))
            return
        for index, part in enumerate(parts):
            yield ("\n\n" if index else "") + marker(part.kind) + "\n"
            if part.kind is LetterPart.BODY:
                yield from _polished(part, task_input, backend)
            else:
                yield part.text
        yield "\n"


def _polished(part: Part, task_input: TaskInput, backend: ModelBackend) -> Iterator[str]:
    answer = backend.stream(_polish_request(_POLISH_TEXT + part.text, task_input))
    started = False
    for chunk in answer:
        if not started:  # a model's leading blank lines would open the part with a gap
            chunk = chunk.lstrip("\n")
            started = bool(chunk)
        if chunk:
            yield chunk


def _polish_request(prompt: str, task_input: TaskInput) -> GenerationRequest:
    if task_input.sources:
        prompt += "\n\nDocuments de référence :\n\n" + render_sources(task_input.sources)
    messages = (Message("system", SYSTEM), Message("user", prompt))
    return GenerationRequest(task="draft", messages=messages)


register_task("draft")(DraftTask)
