"""``egide models check`` and ``egide models list`` against a real HTTP server on loopback (the
recording fake upstream): a model that answers and streams, one that is down, slow, refuses the
key, answers garbage or in one block — and what the charter lets each receive."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from egide.cli import main
from egide.config import ModelSettings
from egide.models.check import PROBE, check_model
from egide.policy.levels import Level
from tests.support.fake_openai import Script, fake_openai_server


def _settings(base_url: str, **extra: object) -> ModelSettings:
    values: dict[str, object] = {
        "name": "interne-test",
        "tier": "interne",
        "backend": "openai",
        "base_url": base_url,
        "model": "fake",
    }
    values.update(extra)
    return ModelSettings.model_validate(values)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_model_that_answers_and_streams_receives_only_the_fixed_probe() -> None:
    with fake_openai_server(Script(answer="Bonjour.", chunk_size=2)) as provider:
        report = check_model(_settings(provider.base_url), timeout_s=5)
    assert report.ok and report.answers and report.streams
    assert report.chunks == 4 and report.excerpt == "Bonjour."
    assert report.first_chunk_s is not None and report.total_s is not None
    assert report.first_chunk_s <= report.total_s < 5
    (body,) = provider.recorder.bodies
    assert body["messages"] == [{"role": "user", "content": PROBE}]
    assert body["stream"] is True and body["max_tokens"] == 16


def test_a_server_that_is_down_is_reported_without_retrying() -> None:
    report = check_model(_settings(f"http://127.0.0.1:{_closed_port()}/v1"), timeout_s=2)
    assert not report.ok and not report.answers
    assert "est injoignable" in report.problems[0]
    assert "Votre texte est conservé" not in report.problems[0]  # a probe keeps nothing
    assert report.notes == []  # the listing failed for the same reason: said once


def test_a_slow_server_is_reported_at_the_check_timeout() -> None:
    with fake_openai_server(Script(delay_s=2.0)) as provider:
        report = check_model(_settings(provider.base_url, timeout_s=120), timeout_s=0.5)
    assert not report.ok
    assert "n'a pas répondu dans le délai de 0.5 s" in report.problems[0]
    assert len(provider.recorder.bodies) == 1  # max_retries = 0 for a check


def test_a_refused_key_names_the_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EGIDE_TEST_ABSENT_KEY", raising=False)
    with fake_openai_server(Script(fail_status=[401, 401])) as provider:
        report = check_model(
            _settings(provider.base_url, api_key_env="EGIDE_TEST_ABSENT_KEY"), timeout_s=5
        )
    assert not report.ok
    assert report.problems == [
        "le modèle « interne-test » refuse l'accès : clé d'API absente ou invalide (variable "
        "d'environnement EGIDE_TEST_ABSENT_KEY)."
    ]
    assert any("EGIDE_TEST_ABSENT_KEY (clé d'API) n'est pas définie" in n for n in report.notes)


def test_a_server_answering_garbage_is_not_taken_for_a_model() -> None:
    with fake_openai_server(Script(garbage=b"<html>Proxy error</html>")) as provider:
        report = check_model(_settings(provider.base_url), timeout_s=5)
    assert not report.ok and not report.answers
    assert "a renvoyé une réponse illisible" in report.problems[0]


def test_a_server_that_ignores_streaming_answers_but_is_flagged() -> None:
    with fake_openai_server(Script(answer="Bonjour.", stream=False)) as provider:
        report = check_model(_settings(provider.base_url), timeout_s=5)
    assert report.ok and report.answers and not report.streams and report.chunks == 1


def test_a_model_the_server_does_not_declare_is_pointed_out() -> None:
    with fake_openai_server(Script(answer="Bonjour.", models=["mistral-small"])) as provider:
        report = check_model(_settings(provider.base_url, model="mistral-large"), timeout_s=5)
    assert any(
        "ne déclare pas le modèle « mistral-large » (il sert : mistral-small)" in note
        for note in report.notes
    )


def test_the_charter_part_says_what_each_tier_may_receive() -> None:
    external = check_model(
        ModelSettings(name="externe", tier="externe", backend="local"), timeout_s=5
    )
    assert external.accepts == (Level.PUBLIC, Level.INTERNE)
    assert Level.PERSONNEL in external.refuses
    restricted = _settings("http://127.0.0.1:9/v1", max_sensitivity="personnel")
    assert check_model(restricted, timeout_s=1).accepts == (
        Level.PUBLIC,
        Level.INTERNE,
        Level.PERSONNEL,
    )


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "egide.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_command_reports_each_model_in_french_and_fails_when_one_is_down(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    with fake_openai_server(Script(answer="Bonjour.", chunk_size=3)) as provider:
        config = _config(
            tmp_path,
            f"""
[[models]]
name = "interne-vllm"
tier = "interne"
backend = "openai"
base_url = "{provider.base_url}"
model = "fake"

[[models]]
name = "externe-hs"
tier = "externe"
backend = "openai"
base_url = "http://127.0.0.1:{_closed_port()}/v1"

[[models]]
name = "local"
tier = "interne"
backend = "local"
""",
        )
        code = main(["--config", str(config), "models", "check", "--timeout", "3"])
    out, err = capsys.readouterr()
    assert code == 1
    assert f"Texte d'essai envoyé à chacun, fixe et sans aucune donnée : « {PROBE} »" in out
    assert "« interne-vllm » — modèle interne du ministère" in out
    assert "✓ répond : « Bonjour. »" in out
    assert "✓ diffuse sa réponse en flux (3 morceaux)" in out
    assert "« externe-hs » — service d'IA externe" in out
    assert "✗ ne répond pas : le modèle « externe-hs » est injoignable" in out
    assert (
        "la charte lui permet de recevoir : public, interne ; jamais : données personnelles" in out
    )
    assert "« local » — extraits du document, moteur intégré sans IA générative" in out
    assert "Bilan : 2 modèles sur 3 répondent sans erreur." in out
    assert "corrigez sa configuration ou son serveur" in err


def test_the_command_checks_one_model_by_name_and_speaks_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    assert main(["models", "check", "local", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["nom"] == "local" and entry["ok"] is True and entry["generatif"] is False
    assert main(["models", "check", "chatgpt"]) == 1
    assert "modèle inconnu : chatgpt (modèles configurés : local)" in capsys.readouterr().err


def test_list_shows_what_the_charter_lets_each_model_receive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    assert main(["models", "list", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["nature"] == "extraits du document, moteur intégré sans IA générative"
    assert entry["peut_recevoir"] == [
        "public", "interne", "personnel", "sensible", "diffusion_restreinte",
    ]  # fmt: skip
