"""The draft task: a letter's text goes to a generative model to be polished, its other parts
never do — and the parts survive the whole pipeline (scan, pseudonymisation, restoration)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from egide.assistant import Assistant, AssistantRequest
from egide.config import Settings, load_settings
from egide.documents.letter import LetterPart, marker, split_letter
from egide.guard import Guard
from egide.models.base import GenerationRequest
from egide.store import DraftStore, open_store
from egide.tasks import TaskInput, task_named
from egide.tasks.templates import load_templates


class Polisher:
    """A generative backend that answers « Texte relu. » followed by what it was given to
    polish, and keeps every request it received."""

    name = "relecteur"
    context_chars = 100_000
    extractive = False

    def __init__(self) -> None:
        self.requests: list[GenerationRequest] = []

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        self.requests.append(request)
        given = request.messages[-1].content.split("\n\n", 1)[1]
        answer = "\nTexte relu.\n\n" + given
        for start in range(0, len(answer), 11):
            yield answer[start : start + 11]

    def complete(self, request: GenerationRequest) -> str:
        return "".join(self.stream(request))


def _letter() -> str:
    template = load_templates(None).get("reponse-usager")
    return template.render({**template.example_data(), "sens": "défavorable"})


def test_only_the_text_of_a_letter_is_given_to_the_model() -> None:
    backend = Polisher()
    letter = _letter()
    answer = "".join(task_named("draft").generate(TaskInput(prompt=letter), backend))
    before, after = split_letter(letter), split_letter(answer)
    assert [p.kind for p in after] == [p.kind for p in before]
    for old, new in zip(before, after, strict=True):
        if old.kind is LetterPart.BODY:
            assert new.text == "Texte relu.\n\n" + old.text.strip()
        else:
            assert new.text == old.text  # timbre, address, references, signature: as written
    (request,) = backend.requests
    sent = request.messages[-1].content
    for kept in ("PRÉFECTURE", "GIRARD", "Pessac", "N/Réf.", "LEFÈVRE", marker(LetterPart.HEADER)):
        assert kept not in sent


def test_a_text_without_parts_is_polished_whole() -> None:
    backend = Polisher()
    answer = "".join(task_named("draft").generate(TaskInput(prompt="Note brève."), backend))
    assert answer.endswith("Note brève.") and len(backend.requests) == 1


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("EGIDE_CONFIG", "EGIDE_STORE_KEY", "EGIDE_AUDIT_KEY"):
        monkeypatch.delenv(name, raising=False)
    return load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})


@pytest.mark.parametrize("generative", [False, True])
def test_the_parts_of_a_letter_survive_the_pipeline(settings: Settings, generative: bool) -> None:
    letter = _letter()
    backends = {"local": Polisher()} if generative else None
    with open_store(settings, environ={}) as store:
        assistant = Assistant(settings, guard=Guard(), drafts=DraftStore(store), backends=backends)
        result = assistant.start(
            AssistantRequest(user="cmartin", task="draft", prompt=letter, model="local")
        ).complete()
    parts = {part.kind: part.text for part in split_letter(result.text)}
    assert list(parts) == [p.kind for p in split_letter(letter)]
    # Names and addresses went to the model as placeholders and came back restored.
    assert parts[LetterPart.RECIPIENT].startswith("Monsieur Marc GIRARD")
    assert parts[LetterPart.SIGNATURE].endswith("Paul LEFÈVRE")
    assert "[PERSONNE_" not in result.text
