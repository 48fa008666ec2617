"""Rewrite an answer the agent already has: shorter, more formal, simpler (FALC), or translated.

The text to rewrite is the task's prompt, so that the pipeline scans and pseudonymises it like
any question; the instruction comes from the option chosen in the portal, never from the text.
The extractive engine cannot follow instructions: it shortens by extraction and says plainly
that it does not reformulate or translate.
"""

from __future__ import annotations

from collections.abc import Iterator

from egide.models.base import GenerationRequest, Message, ModelBackend, ModelError, SourceText
from egide.tasks.base import TaskInput, register_task
from egide.tasks.prompts import SYSTEM

__all__ = ["LANGUAGES", "STYLES", "ReformulateTask", "TranslateTask"]

# option value -> (what the agent reads, the instruction the model receives)
STYLES: dict[str, tuple[str, str]] = {
    "court": (
        "Plus court",
        "Réécris le texte ci-dessous de façon nettement plus courte, en gardant l'essentiel "
        "et tous les faits, dates, montants et références utiles.",
    ),
    "formel": (
        "Plus formel",
        "Réécris le texte ci-dessous dans un registre administratif plus soutenu et plus "
        "formel, sans ajouter ni retirer de fait.",
    ),
    "simple": (
        "Plus simple (FALC)",
        "Réécris le texte ci-dessous en « facile à lire et à comprendre » (FALC) : phrases "
        "courtes, une idée par phrase, mots du quotidien, pas d'abréviation ni de sigle non "
        "expliqué, voix active, en gardant tous les faits, dates et démarches à faire.",
    ),
}
LANGUAGES: dict[str, str] = {
    "anglais": "anglais",
    "espagnol": "espagnol",
    "allemand": "allemand",
    "italien": "italien",
    "portugais": "portugais",
    "arabe": "arabe",
}
_KEEP = (
    "Recopie exactement les marqueurs entre crochets comme [PERSONNE_1]. Réponds uniquement "
    "par le texte réécrit.\n\n"
)


def _cannot(backend: ModelBackend, what: str) -> ModelError:
    return ModelError(
        f"le modèle « {backend.name} » extrait des passages de vos documents : il ne sait pas "
        f"{what}. Choisissez un modèle génératif autorisé pour cette demande"
    )


def _generate(backend: ModelBackend, instruction: str, text: str) -> Iterator[str]:
    messages = (Message("system", SYSTEM), Message("user", instruction + " " + _KEEP + text))
    yield from backend.stream(GenerationRequest(task="chat", messages=messages))


class ReformulateTask:
    name = "reformulate"

    def generate(self, task_input: TaskInput, backend: ModelBackend) -> Iterator[str]:
        style = str(task_input.options.get("style", "court"))
        if style not in STYLES:
            raise ModelError(f"reformulation inconnue « {style} »")
        if getattr(backend, "extractive", False):
            if style != "court":
                raise _cannot(backend, "reformuler un texte")
            # Shortening is what extraction can do: the text's own most central sentences.
            sources = [SourceText(part) for part in task_input.prompt.split("\n\n") if part]
            request = GenerationRequest(
                task="summarize", messages=(), sources=sources, options={"length": "court"}
            )
            yield from backend.stream(request)
            return
        yield from _generate(backend, STYLES[style][1], task_input.prompt)


class TranslateTask:
    name = "translate"

    def generate(self, task_input: TaskInput, backend: ModelBackend) -> Iterator[str]:
        language = str(task_input.options.get("langue", ""))
        if language not in LANGUAGES:
            raise ModelError(f"langue non proposée « {language} »")
        if getattr(backend, "extractive", False):
            raise _cannot(backend, "traduire")
        instruction = (
            f"Traduis le texte ci-dessous en {LANGUAGES[language]}, fidèlement, dans un "
            "registre adapté à un courrier de l'administration."
        )
        yield from _generate(backend, instruction, task_input.prompt)


register_task("reformulate")(ReformulateTask)
register_task("translate")(TranslateTask)
