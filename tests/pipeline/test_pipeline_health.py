"""Health terms: highlighted in the preview and replaced before a model receives the text.

When a text's level says "données de santé", the words that carry the health data themselves
("diabète", "insuline", "pneumopathie") are found (HEALTH), shown in the preview with the
placeholder the model will receive, and replaced like names — unless an administrator keeps
them in clear for a model (``models[].keep_health_terms``). A real HTTP server on loopback stands
in for the model provider and records every request body.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from egide.assistant import Assistant, AssistantRequest
from egide.config import Settings, load_settings
from egide.documents import read_document
from egide.guard import Guard
from egide.workspace.service import text_previews
from tests.support.fake_openai import FakeProvider, Script, fake_openai_server

NOTE = """Compte rendu de consultation
Patiente : Mme Odile FERRAND, née le 12/09/1951
Mme FERRAND est suivie pour un diabète de type 2 sous insuline et une hypertension artérielle.
Elle a été hospitalisée en mars pour une pneumopathie ; traitement de sortie : Kardegic 75 mg.
"""
HEALTH_WORDS = ["diabète", "insuline", "hypertension artérielle", "pneumopathie", "Kardegic"]
PERSONAL = ["FERRAND", "Odile", "12/09/1951"]


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard()


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with fake_openai_server(Script(chunk_size=3)) as fake:
        yield fake


def _settings(tmp_path: Path, base_url: str, *, keep: bool = False) -> Settings:
    config = tmp_path / "egide.toml"
    config.write_text(
        f"""
[[models]]
name = "interne-test"
tier = "interne"
backend = "openai"
base_url = "{base_url}"
model = "mistral-small"
keep_health_terms = {"true" if keep else "false"}

[[models]]
name = "public-gpt"
tier = "externe"
backend = "openai"
base_url = "{base_url}"
""",
        encoding="utf-8",
    )
    return load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})


def _request(tmp_path: Path, prompt: str = "") -> AssistantRequest:
    note = tmp_path / "consultation.txt"
    note.write_text(NOTE, encoding="utf-8")
    return AssistantRequest(
        user="agent.test", task="summarize", prompt=prompt, documents=[read_document(note)]
    )


def _received(provider: FakeProvider) -> str:
    decoded = "\n".join(json.dumps(b, ensure_ascii=False) for b in provider.recorder.bodies)
    return provider.recorder.all_text() + "\n" + decoded


def test_an_internal_model_receives_placeholders_for_health_terms(
    tmp_path: Path, provider: FakeProvider, guard: Guard
) -> None:
    assistant = Assistant(_settings(tmp_path, provider.base_url), guard=guard)
    run = assistant.start(_request(tmp_path))
    answer = run.complete().text
    assert run.decision.model_name == "interne-test"
    received = _received(provider)
    for word in HEALTH_WORDS + PERSONAL:
        assert word not in received, f"{word!r} reached the model"
    assert "[SANTE_1]" in received and "[PERSONNE_1]" in received
    # The fake model echoes what it received: the answer holds the real words again.
    for word in HEALTH_WORDS:
        assert word in answer
    assert "[SANTE_" not in answer


def test_an_administrator_may_keep_health_terms_in_clear_for_a_model(
    tmp_path: Path, provider: FakeProvider, guard: Guard
) -> None:
    settings = _settings(tmp_path, provider.base_url, keep=True)
    assert settings.model("interne-test").keep_health_terms
    Assistant(settings, guard=guard).start(_request(tmp_path)).complete()
    received = _received(provider)
    for word in HEALTH_WORDS:
        assert word in received
    # Personal data is pseudonymised all the same.
    for value in PERSONAL:
        assert value not in received
    assert "[SANTE_" not in received


def test_the_preview_highlights_health_terms_with_their_placeholders(
    tmp_path: Path, provider: FakeProvider, guard: Guard
) -> None:
    assistant = Assistant(_settings(tmp_path, provider.base_url), guard=guard)
    request = _request(tmp_path)
    preview = assistant.preview(request)
    assert any(r.category == "sante" for r in preview.assessment.reasons)
    [document] = text_previews(request, preview)
    marked = {(p.text, p.label, p.placeholder) for p in document.highlighted.pieces if p.label}
    assert ("diabète", "HEALTH", "[SANTE_1]") in marked
    assert ("Kardegic", "HEALTH", "[SANTE_5]") in marked
    assert ("terme de santé", 5) in document.counts
    assert provider.recorder.bodies == []


def test_health_words_about_nobody_are_left_alone(
    tmp_path: Path, provider: FakeProvider, guard: Guard
) -> None:
    """A public information sheet on a disease names no one: no health data, nothing hidden."""
    assistant = Assistant(_settings(tmp_path, provider.base_url), guard=guard)
    prompt = "Rédige une fiche d'information générale sur le diabète et l'asthme."
    request = AssistantRequest(user="agent.test", task="chat", prompt=prompt)
    preview = assistant.preview(request)
    assert [f for f in preview.prompt_scan.findings if f.label == "HEALTH"] == []
    assistant.start(request).complete()
    assert "diabète" in _received(provider)
