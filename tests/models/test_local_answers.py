"""Answers of the built-in engine: whole passages (a list with its lead-in), each cited with its
document's name and page; a question without documents says so and makes no draft. Document
names are content: they go through the guard before any model sees them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from egide.assistant import Assistant, AssistantRequest, PolicyRefused
from egide.audit import AuditLog
from egide.config import load_settings
from egide.documents import Document, DocumentFormat, Section
from egide.guard import Guard
from egide.models import GenerationRequest, Message
from egide.models.base import SourceText
from egide.models.local import LocalBackend
from egide.models.local.answer import NO_DOCUMENT, NoDocument, answer_question, best_passages
from tests.models.letters import SCANNED_CIRCULAR_PAGES, pages
from tests.support.fake_openai import FakeProvider, Script, fake_openai_server

CIRCULAR = pages(SCANNED_CIRCULAR_PAGES, "circulaire-travaux.pdf")
NOTE = [
    SourceText(
        "Le bâtiment A accueille le public de 8 h 30 à 16 h. Les titres de séjour sont remis "
        "sur rendez-vous uniquement.",
        paragraph=1,
        document="note-accueil.docx",
    )
]


def test_a_question_about_a_list_gets_the_list_with_its_lead_in_and_its_citation() -> None:
    (best, *_) = best_passages("Que faut-il privilégier pour l'accueil ?", CIRCULAR)
    assert best.text == (
        "À ce titre, les services sont invités à privilégier par ordre de préférence :\n"
        "  - la prise de rendez-vous en ligne ;\n"
        "  - l'accueil téléphonique ;\n"
        "  - le guichet, pour les seules démarches qui l'exigent."
    )
    assert (best.document, best.page, best.citation) == (
        "circulaire-travaux.pdf",
        1,
        "« circulaire-travaux.pdf », p. 1",
    )


def test_every_passage_of_an_answer_names_its_document_and_page() -> None:
    answer = answer_question("Quand les travaux commencent-ils ?", [*CIRCULAR, *NOTE])
    lines = answer.splitlines()
    assert lines[0] == "Passages des documents qui répondent à la question :"
    assert lines[1] == (
        "- Les travaux de rénovation du batiment B commenceront le 2 juin 2025 et dureront "
        "quatre mois. (« circulaire-travaux.pdf », p. 1)"
    )
    quoted = [line for line in lines if line.startswith("- ")]
    assert all(line.endswith(("p. 1)", "p. 2)", "§ 1)")) and "« " in line for line in quoted)
    assert "sans IA générative" in lines[-1]


def test_passages_far_behind_the_best_one_are_left_out() -> None:
    answer = answer_question("Quel est le coût des travaux ?", [*CIRCULAR, *NOTE])
    assert "1,2 million d'euros" in answer
    assert "note-accueil.docx" not in answer  # shares no word worth quoting
    assert answer.count("\n- ") == 1


def test_a_question_the_documents_do_not_answer_says_so() -> None:
    answer = answer_question("Quelle est la météo à Brest ?", CIRCULAR)
    assert answer.startswith("Aucun passage des documents fournis ne répond à la question")


def test_without_any_document_the_engine_refuses_instead_of_inventing() -> None:
    with pytest.raises(NoDocument, match="^aucun document fourni : "):
        LocalBackend().complete(
            GenerationRequest(task="chat", messages=(Message("user", "Quel délai ?"),))
        )


@dataclass
class _Drafts:
    created: list[dict[str, Any]] = field(default_factory=list)

    def create(self, **fields: Any) -> str:
        self.created.append(fields)
        return f"brouillon-{len(self.created)}"


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard()


def _document(text: str, name: str) -> Document:
    return Document(text, (Section(0, len(text), paragraph=1),), name, DocumentFormat.TXT)


def test_a_question_without_documents_through_the_pipeline_makes_no_draft(
    tmp_path: Path, guard: Guard
) -> None:
    settings = load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})
    drafts = _Drafts()
    assistant = Assistant(settings, guard=guard, drafts=drafts)
    run = assistant.start(AssistantRequest(user="agent", task="chat", prompt="Quel délai ?"))
    with pytest.raises(NoDocument) as caught:
        run.complete()
    assert str(caught.value) == NO_DOCUMENT
    assert drafts.created == [] and run.result is None
    actions = [event.action for event in AuditLog.open(settings).events()]
    assert actions[-1] == "chat"  # the request is on record; no draft_saved follows it


def test_citations_carry_the_document_name_restored_from_its_placeholder(
    tmp_path: Path, guard: Guard
) -> None:
    settings = load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})
    assistant = Assistant(settings, guard=guard, drafts=_Drafts())
    name = "Recours de Jean DUPONT.txt"
    document = _document("Le délai de recours est de deux mois à compter de la notification.", name)
    run = assistant.start(
        AssistantRequest(
            user="agent", task="chat", prompt="Quel est le délai ?", documents=[document]
        )
    )
    (source,) = run.task_input.sources
    assert source.document is not None and "DUPONT" not in source.document
    assert source.document.startswith("Recours de [PERSONNE_")
    answer = run.complete().text
    assert f"(« {name} », § 1)" in answer  # restored for the agent


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with fake_openai_server(Script(answer="Réponse.")) as fake:
        yield fake


def _two_models(tmp_path: Path, base_url: str) -> Any:
    config = tmp_path / "egide.toml"
    config.write_text(
        f"""
[[models]]
name = "interne-test"
tier = "interne"
backend = "openai"
base_url = "{base_url}"

[[models]]
name = "externe-test"
tier = "externe"
backend = "openai"
base_url = "{base_url}"
""",
        encoding="utf-8",
    )
    return load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})


def test_a_file_name_is_judged_and_pseudonymised_like_the_text(
    tmp_path: Path, guard: Guard, provider: FakeProvider
) -> None:
    settings = _two_models(tmp_path, provider.base_url)
    assistant = Assistant(settings, guard=guard, drafts=_Drafts())
    harmless = "Le dossier est complet et sera examiné en commission le 4 avril."
    documents = [
        _document(harmless, "Recours de Jean DUPONT.txt"),
        _document("Ordre du jour de la commission.", "ordre-du-jour.txt"),
    ]
    request = AssistantRequest(
        user="agent", task="chat", prompt="Quand le dossier sera-t-il examiné ?",
        documents=documents, model="externe-test",
    )  # fmt: skip
    preview = assistant.preview(request)
    assert preview.assessment.level.key == "personnel"  # from the name alone
    assert preview.counts == {"PERSON": 1}
    with pytest.raises(PolicyRefused):
        assistant.start(request)
    assert provider.recorder.bodies == []  # the external model received nothing
    run = assistant.start(AssistantRequest(**{**request.__dict__, "model": "interne-test"}))
    run.complete()
    received = provider.recorder.all_text()
    assert "DUPONT" not in received and "Jean" not in received
    assert (
        "[« Recours de [PERSONNE_1] », § 1]"
        in provider.recorder.bodies[0]["messages"][1]["content"]
    )
