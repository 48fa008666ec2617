"""Nothing reaches a model that the policy did not allow, and no raw personal value ever does.

A real HTTP server on loopback stands in for the model provider and records every request body.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from egide.assistant import Assistant, AssistantRequest, PolicyRefused
from egide.audit import AuditLog
from egide.config import Settings, load_settings
from egide.documents import read_document, write_docx
from egide.guard import Guard
from egide.models import ModelUnavailable
from tests.support.fake_openai import FakeProvider, Script, fake_openai_server

LETTER = """PRÉFECTURE DE LA HAUTE-GARONNE
Direction des migrations et de l'intégration

Toulouse, le 12 février 2025

Madame Amélie ROUSSEAU
14 bis avenue de la Gloire
31500 Toulouse

Objet : renouvellement de votre titre de séjour
Réf. : votre demande du 3 janvier 2025

Madame,

Vous avez sollicité le renouvellement de votre titre de séjour. Votre dossier indique que vous êtes
née le 14 juillet 1986 à Casablanca. Votre numéro de sécurité sociale est le 2 86 07 99 350 042 43
et vos allocations sont versées sur le compte FR76 3000 6000 0112 3456 7890 189.

Votre employeur, la société dont le SIRET est 732 829 320 00074, a confirmé votre contrat. Vous
avez indiqué être joignable au 05 34 45 34 45 ; vous pouvez aussi écrire à
amelie.rousseau@example.org.

Je vous prie d'agréer, Madame, l'expression de mes salutations distinguées.

Le chef du bureau du séjour,
Philippe GARNIER
"""

CLINICAL = """Compte rendu d'hospitalisation
Patient : M. Karim BENALI, né le 02/05/1971
NIR : 1 71 05 75 114 007 23
Hospitalisé du 3 au 9 mars 2025 pour une pneumopathie. Le Dr Hélène Marchand a assuré le suivi.
Sortie au domicile, 8 rue des Tanneurs, 67000 Strasbourg. Téléphone : 06 12 34 56 78.
"""

RAW_VALUES = [
    "ROUSSEAU", "Amélie", "14 bis avenue de la Gloire", "14 juillet 1986",
    "2 86 07 99 350 042 43", "FR76 3000 6000 0112 3456 7890 189", "732 829 320 00074",
    "05 34 45 34 45", "amelie.rousseau@example.org", "GARNIER",
    "BENALI", "Karim", "02/05/1971", "1 71 05 75 114 007 23", "Marchand",
    "8 rue des Tanneurs", "06 12 34 56 78",
]  # fmt: skip


@dataclass
class MemoryDrafts:
    created: list[dict[str, Any]] = field(default_factory=list)

    def create(self, **fields: Any) -> str:
        self.created.append(fields)
        return f"draft-{len(self.created)}"


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard()


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with fake_openai_server(Script(chunk_size=3)) as fake:
        yield fake


def _settings(tmp_path: Path, base_url: str) -> Settings:
    config = tmp_path / "egide.toml"
    config.write_text(
        f"""
[[models]]
name = "interne-test"
tier = "interne"
backend = "openai"
base_url = "{base_url}"
model = "mistral-small"

[[models]]
name = "public-gpt"
tier = "externe"
backend = "openai"
base_url = "{base_url}"
""",
        encoding="utf-8",
    )
    return load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})


@pytest.fixture
def documents(tmp_path: Path) -> list[Any]:
    letter = tmp_path / "courrier.docx"
    write_docx(letter, title="Courrier", body=LETTER.split("\n\n"))
    note = tmp_path / "compte-rendu.txt"
    note.write_text(CLINICAL, encoding="utf-8")
    return [read_document(letter), read_document(note)]


def _assistant(
    tmp_path: Path, provider: FakeProvider, guard: Guard
) -> tuple[Assistant, MemoryDrafts]:
    drafts = MemoryDrafts()
    settings = _settings(tmp_path, provider.base_url)
    return Assistant(settings, guard=guard, drafts=drafts), drafts


def _assert_nothing_raw(provider: FakeProvider) -> None:
    received = provider.recorder.all_text()
    # JSON escapes non-ASCII characters: compare on the decoded bodies as well.
    decoded = "\n".join(str(body) for body in provider.recorder.bodies)
    for value in RAW_VALUES:
        assert value not in received and value not in decoded, f"{value!r} reached the model"


def test_summary_through_an_internal_model_sends_only_placeholders(
    tmp_path: Path, provider: FakeProvider, guard: Guard, documents: list[Any]
) -> None:
    assistant, drafts = _assistant(tmp_path, provider, guard)
    request = AssistantRequest(user="agent.test", task="summarize", documents=documents)
    run = assistant.start(request)
    streamed = list(run.chunks())
    assert run.decision.model_name == "interne-test"  # auto: the internal model, not the public one
    assert provider.recorder.bodies, "the model was called"
    _assert_nothing_raw(provider)
    assert "[PERSONNE_" in provider.recorder.all_text() and "[NIR_" in provider.recorder.all_text()
    # The fake model echoes what it received: the restored answer holds the real values again,
    # even though placeholders arrived cut across 3-character chunks.
    answer = "".join(streamed)
    assert "2 86 07 99 350 042 43" in answer and "ROUSSEAU" in answer
    assert "[NIR_" not in answer and "[PERSONNE_" not in answer
    assert run.result is not None and run.result.draft_id == "draft-1"
    assert drafts.created[0]["content"] == answer
    assert drafts.created[0]["level"] == "sensible"


def test_question_with_a_name_is_pseudonymised_too(
    tmp_path: Path, provider: FakeProvider, guard: Guard, documents: list[Any]
) -> None:
    assistant, _ = _assistant(tmp_path, provider, guard)
    request = AssistantRequest(
        user="agent.test",
        task="chat",
        prompt="Quel est le diagnostic de M. Karim BENALI ?",
        documents=documents[1:],
        model="interne-test",
    )
    answer = assistant.start(request).complete().text
    _assert_nothing_raw(provider)
    assert "Karim BENALI" in answer


def test_external_model_never_receives_personal_data(
    tmp_path: Path, provider: FakeProvider, guard: Guard, documents: list[Any]
) -> None:
    assistant, drafts = _assistant(tmp_path, provider, guard)
    request = AssistantRequest(
        user="agent.test", task="summarize", documents=documents, model="public-gpt"
    )
    with pytest.raises(PolicyRefused) as refusal:
        assistant.start(request)
    assert provider.recorder.bodies == []
    message = str(refusal.value)
    assert "public-gpt" in message and "interne-test" in message
    assert "sécurité sociale" in message
    for value in RAW_VALUES:
        assert value not in message
    assert drafts.created == []


def test_external_model_may_receive_a_text_without_personal_data(
    tmp_path: Path, provider: FakeProvider, guard: Guard
) -> None:
    assistant, _ = _assistant(tmp_path, provider, guard)
    request = AssistantRequest(
        user="agent.test",
        task="chat",
        prompt="Rédige une phrase d'accueil pour la page du service des cartes grises.",
        model="public-gpt",
    )
    assistant.start(request).complete()
    assert len(provider.recorder.bodies) == 1


def test_classified_document_is_refused_for_every_model(
    tmp_path: Path, provider: FakeProvider, guard: Guard
) -> None:
    assistant, _ = _assistant(tmp_path, provider, guard)
    request = AssistantRequest(
        user="agent.test", task="chat", prompt="SECRET\n\nPlan de déploiement des unités."
    )
    with pytest.raises(PolicyRefused) as refusal:
        assistant.start(request)
    assert refusal.value.decision.code == "refused_classified"
    assert provider.recorder.bodies == []


def test_audit_trail_records_counts_never_values(
    tmp_path: Path, provider: FakeProvider, guard: Guard, documents: list[Any]
) -> None:
    assistant, _ = _assistant(tmp_path, provider, guard)
    assistant.start(
        AssistantRequest(user="agent.test", task="summarize", documents=documents)
    ).complete()
    with pytest.raises(PolicyRefused):
        assistant.start(
            AssistantRequest(
                user="agent.test", task="summarize", documents=documents, model="public-gpt"
            )
        )
    log = AuditLog.open(tmp_path / "home")
    assert log.verify().ok
    events = list(log.events())
    assert [e.action for e in events] == ["summarize", "draft_saved", "refusal"]
    assert events[0].counts.get("NIR") == 2 and events[0].level == "sensible"
    raw = log.path.read_text(encoding="utf-8")
    for value in RAW_VALUES:
        assert value not in raw


def test_model_down_is_a_clear_error_and_no_draft(tmp_path: Path, guard: Guard) -> None:
    with fake_openai_server(Script(fail_status=[503, 503, 503])) as down:
        assistant, drafts = _assistant(tmp_path, down, guard)
        run = assistant.start(AssistantRequest(user="agent.test", task="chat", prompt="Bonjour"))
        with pytest.raises(ModelUnavailable, match="Votre texte est conservé"):
            run.complete()
    assert drafts.created == []
