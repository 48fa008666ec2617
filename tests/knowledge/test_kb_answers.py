"""Cited answers through the pipeline: what each model receives, pseudonymised and within
what the charter lets it receive; nothing relevant, nothing sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.assistant import Assistant
from egide.config import load_settings
from egide.knowledge.answers import ask
from egide.policy.levels import Level
from egide.store.drafts import DraftStore
from tests.knowledge.conftest import COLLECTION, KbHome, open_home
from tests.support.fake_openai import FakeProvider, Script, fake_openai_server

CASE = """Dossier de passeport

Mme Amélie ROUSSEAU, née le 14 juillet 1986, demande le renouvellement de son passeport perdu.
La mairie de Lyon a transmis sa demande de passeport ; le renouvellement du passeport perdu
exige une déclaration de perte et un timbre fiscal.
"""
QUESTION = "que faut il pour renouveler un passeport perdu, déclaration de perte et timbre ?"


def _with_models(home: KbHome, provider: FakeProvider, tmp_path: Path) -> KbHome:
    config = tmp_path / "egide.toml"
    config.write_text(
        f"""
[[models]]
name = "interne-ia"
tier = "interne"
backend = "openai"
base_url = "{provider.base_url}"
model = "fake"
max_retries = 0

[[models]]
name = "public-ia"
tier = "externe"
backend = "openai"
base_url = "{provider.base_url}"
model = "fake"
max_retries = 0
""",
        encoding="utf-8",
    )
    home.store.close()
    settings = load_settings(config, environ={"EGIDE_HOME": str(home.settings.home)})
    opened = open_home(home.settings.home)
    opened.kb.settings = settings
    return opened


def _assistant(home: KbHome) -> Assistant:
    return Assistant(home.kb.settings, audit=home.audit, drafts=DraftStore(home.store))


@pytest.fixture
def provider() -> FakeProvider:
    with fake_openai_server(Script(answer="Il faut une déclaration de perte [1].")) as fake:
        yield fake


def test_the_local_engine_answers_with_the_best_passages_cited(home: KbHome) -> None:
    collection = home.kb.collection(COLLECTION)
    answer = ask(
        home.kb, collection, "mon passeport expire bientôt, où le refaire ?", user="agent",
        model="local", assistant=_assistant(home),
    )  # fmt: skip
    assert answer.result is not None and answer.result.draft_id
    assert answer.text.count("[1] « ") == 1 and answer.sources
    assert any(p.document_key == "spf-F21091" for p in answer.sources)
    actions = [e.action for e in home.audit.events()][-3:]
    assert actions == ["kb_search", "kb_answer", "draft_saved"]


def test_each_model_receives_only_what_the_charter_allows_pseudonymised(
    home: KbHome, provider: FakeProvider, tmp_path: Path
) -> None:
    opened = _with_models(home, provider, tmp_path)
    collection = opened.kb.collection(COLLECTION)
    opened.kb.ingest_bytes(collection, "dossier-passeport.txt", CASE.encode(), user="t")
    opened.kb.embed_pending(collection)

    answer = ask(opened.kb, collection, QUESTION, user="agent", model="public-ia",
                 assistant=_assistant(opened))  # fmt: skip
    sent = provider.recorder.all_text()
    assert "ROUSSEAU" not in sent and "Amélie" not in sent and "14 juillet" not in sent
    assert all(p.level <= Level.INTERNE for p in answer.sources)
    assert "dossier-passeport" not in [p.document_key for p in answer.sources]
    assert any("n'ont pas été transmis" in note for note in answer.notes)

    provider.recorder.raw.clear()
    answer = ask(opened.kb, collection, QUESTION, user="agent", model="interne-ia",
                 assistant=_assistant(opened))  # fmt: skip
    assert "dossier-passeport" in [p.document_key for p in answer.sources]
    sent = provider.recorder.all_text()
    assert "ROUSSEAU" not in sent and "[PERSONNE_" in sent  # pseudonymised on the way out
    assert "passeport" in sent.lower() and "[1]" in sent
    assert answer.text == "Il faut une déclaration de perte [1]."


def test_nothing_relevant_sends_nothing_and_says_so(
    home: KbHome, provider: FakeProvider, tmp_path: Path
) -> None:
    opened = _with_models(home, provider, tmp_path)
    collection = opened.kb.collection(COLLECTION)
    answer = ask(opened.kb, collection, "recette de la tarte tatin aux pommes caramélisées",
                 user="agent", model="interne-ia", assistant=_assistant(opened))  # fmt: skip
    assert answer.result is None and answer.sources == ()
    assert "aucun passage" in answer.text
    assert provider.recorder.raw == []
