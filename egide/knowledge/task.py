"""The ``kb_answer`` task: answer from numbered passages, citing them as [1], [2].

Its input is what the pipeline hands every task: the question and the passages, pseudonymised,
each passage one source whose first line names its document and page or section. A generative
model is told to answer from them only, with their numbers, and to say when they do not answer.
The built-in extractive engine cannot follow instructions: the answer is then the best passages
themselves, whole, each with its citation — what an agent would have read to answer.
"""

from __future__ import annotations

from collections.abc import Iterator

from egide.models.base import GenerationRequest, Message, ModelBackend
from egide.tasks.base import TaskInput, register_task
from egide.tasks.prompts import SYSTEM

__all__ = ["TASK_NAME", "KbAnswerTask"]

TASK_NAME = "kb_answer"

INSTRUCTIONS = (
    "Tu réponds à la question d'un agent à partir des seuls passages numérotés ci-dessous, "
    "extraits de la base documentaire du ministère. Cite chaque information avec le numéro de "
    "son passage entre crochets, par exemple [1] ou [2][3]. N'utilise aucune autre source. Si "
    "les passages ne permettent pas de répondre, dis-le simplement, sans rien inventer."
)
NOTHING = (
    "Aucun passage de la base documentaire ne répond à cette question. Reformulez-la, ou "
    "interrogez une autre collection."
)


class KbAnswerTask:
    name = TASK_NAME

    def generate(self, task_input: TaskInput, backend: ModelBackend) -> Iterator[str]:
        sources = task_input.sources
        if not sources:
            yield NOTHING
            return
        if getattr(backend, "extractive", False):
            yield "Passages de la base documentaire qui répondent à la question :\n"
            for source in sources:
                header, _, body = source.text.partition("\n")
                yield f"\n{header}\n{body.strip()}\n"
            yield (
                "\n(Réponse extractive du moteur local : ces passages sont cités tels quels ; "
                "vérifiez-les dans leur document.)"
            )
            return
        passages = "\n\n".join(source.text for source in sources)
        messages = [
            Message("system", f"{SYSTEM}\n\n{INSTRUCTIONS}"),
            Message("user", f"Passages :\n\n{passages}\n\nQuestion : {task_input.prompt}"),
        ]
        yield from backend.stream(GenerationRequest(task="chat", messages=messages))


register_task(TASK_NAME)(KbAnswerTask)
