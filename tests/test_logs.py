"""Logs in text or JSON, and never personal data: requests whose path, query, body and headers
hold a name, an e-mail address and a NIR are answered — well, by a failing model, by a route that
raises — and none of it reaches the logs, in either format, in process or under ``egide serve``."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from egide.config import LoggingSettings, load_settings
from egide.logs import configure_logging, request_id_from
from egide.policy.levels import Level
from egide.store import open_store
from egide.store.applications import ApplicationStore
from egide.web import create_app
from tests.support.fake_openai import fake_openai_server

# Fictitious person; the NIR's check key is valid.
NAME = "Amélie ROUSSEAU"
EMAIL = "amelie.rousseau@example.org"
NIR = "2 86 07 99 350 042 43"
LEAKS = (NAME, "ROUSSEAU", "Amélie", "Amelie", "amelie", EMAIL, "example.org", NIR, "350 042")
MESSAGE = f"Répondez à Mme {NAME} ({EMAIL}), NIR {NIR}, au sujet de son dossier."
PROXY_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


def _closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


class _Broken(BaseHTTPRequestHandler):
    """An upstream whose stream is malformed in a way the backend does not expect."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()
        self.wfile.write(b'data: {"choices": "pas une liste"}\n\n')


@pytest.fixture
def broken_upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def _config(echo: str, broken: str, fmt: str) -> str:
    models = ""
    named = (("interne-echo", echo), ("interne-panne", _closed_url()), ("interne-casse", broken))
    for name, url in named:
        models += (
            f'[[models]]\nname = "{name}"\ntier = "interne"\nbackend = "openai"\n'
            f'base_url = "{url}"\nmax_retries = 0\ntimeout_s = 10\n\n'
        )
    return f'[logging]\nformat = "{fmt}"\n\n' + models


def _requests(client: httpx.Client | TestClient, token: str) -> dict[str, Any]:
    auth = {"authorization": f"Bearer {token}"}
    body = {"messages": [{"role": "user", "content": MESSAGE}]}
    query = f"?nom={quote(NAME)}&courriel={quote(EMAIL)}&nir={quote(NIR)}"
    return {
        "echo": client.post(
            "/v1/chat/completions" + query,
            json={**body, "model": "interne-echo"},
            headers={**auth, "x-request-id": EMAIL},
        ),
        "panne": client.post(
            "/v1/chat/completions",
            json={**body, "model": "interne-panne"},
            headers={**auth, "x-request-id": PROXY_ID},
        ),
        "casse": client.post(
            "/v1/chat/completions", json={**body, "model": "interne-casse"}, headers=auth
        ),
        "modele": client.get(f"/v1/models/{quote(NAME)}" + query, headers=auth),
        "lot": client.get(f"/espace/lots/{quote(EMAIL)}" + query, follow_redirects=False),
        "inconnue": client.get(f"/dossiers/{quote(NAME)}/{quote(NIR)}.pdf"),
        "connexion": client.post("/connexion", data={"login": EMAIL, "password": NIR}),
    }


def _check_answers(answers: dict[str, Any]) -> None:
    assert answers["echo"].status_code == 200
    assert answers["panne"].status_code == 502
    assert answers["casse"].status_code == 500
    # An id that is not a safe token is replaced; a proxy's UUID is kept and echoed.
    assert answers["echo"].headers["x-request-id"] != EMAIL
    assert (
        request_id_from(answers["echo"].headers["x-request-id"])
        == (answers["echo"].headers["x-request-id"])
    )
    assert answers["panne"].headers["x-request-id"] == PROXY_ID
    assert all(answer.headers.get("x-request-id") for answer in answers.values())


def _assert_no_leak(logs: str) -> None:
    leaked = [value for value in LEAKS if value.lower() in logs.lower()]
    assert not leaked, f"personal data in the logs: {leaked}\n{logs}"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    # The test's own HTTP client logs the URLs it requests (the service's side is what counts).
    client_log = logging.getLogger("httpx2")
    client_level = client_log.level
    client_log.setLevel(logging.WARNING)
    yield stream
    root.handlers[:] = before[0]
    root.setLevel(before[1])
    client_log.setLevel(client_level)


@pytest.mark.parametrize("fmt", ["texte", "json"])
def test_no_personal_data_reaches_the_logs_in_process(
    fmt: str,
    tmp_path: Path,
    captured: io.StringIO,
    broken_upstream: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    with fake_openai_server() as echo:
        config = tmp_path / "egide.toml"
        config.write_text(_config(echo.base_url, broken_upstream, fmt), encoding="utf-8")
        settings = load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})
        configure_logging(settings.logging, stream=captured)
        app = create_app(settings)
        record, token = ApplicationStore(app.state.runtime.store).add(
            "crm",
            models=["interne-echo", "interne-panne", "interne-casse"],
            max_level=Level.SENSIBLE,
        )
        with TestClient(app, raise_server_exceptions=False) as client:
            answers = _requests(client, token)
        assert NAME not in echo.recorder.all_text()  # pseudonymised before it left
    _check_answers(answers)
    logs = captured.getvalue()
    _assert_no_leak(logs)
    lines = [line for line in logs.splitlines() if "egide.access" in line]
    assert len(lines) == len(answers)
    if fmt == "json":
        entries = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
        access = [e for e in entries if e["logger"] == "egide.access"]
        assert {e["route"] for e in access} >= {
            "/v1/chat/completions",
            "/v1/models/{model_id:path}",
            "/espace/lots/{job_id}",
            "autre",
        }
        echoed = next(
            e for e in access if e["request_id"] == answers["echo"].headers["x-request-id"]
        )
        assert echoed["status"] == 200 and echoed["app_id"] == record.id
        assert echoed["duration_ms"] >= 0 and echoed["method"] == "POST"
        (failed,) = [e for e in entries if "erreur interne de la passerelle" in e["message"]]
        assert "(AttributeError)" in failed["message"] and failed["level"] == "ERROR"
        assert failed["request_id"]  # logged on the gateway's thread, within the request
        assert all(e["level"] in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"} for e in entries)
    else:
        assert f"request_id={PROXY_ID}" in logs
        assert "POST /v1/chat/completions 502" in logs


@pytest.mark.parametrize("fmt", ["texte", "json"])
def test_an_exception_message_is_never_logged(fmt: str, captured: io.StringIO) -> None:
    configure_logging(LoggingSettings.model_validate({"format": fmt}), stream=captured)
    try:
        known: dict[str, int] = {}
        known[EMAIL]
    except KeyError:
        logging.getLogger("egide.essai").exception("recherche impossible")
    logs = captured.getvalue()
    _assert_no_leak(logs)
    assert "builtins.KeyError" in logs and "test_an_exception_message_is_never_logged" in logs


def test_extra_fields_outside_the_safe_list_are_left_out(captured: io.StringIO) -> None:
    configure_logging(LoggingSettings(format="json"), stream=captured)
    logging.getLogger("egide.essai").info("fait", extra={"texte": MESSAGE, "status": 200})
    (entry,) = [json.loads(line) for line in captured.getvalue().splitlines()]
    assert entry["status"] == 200 and "texte" not in entry
    _assert_no_leak(captured.getvalue())


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (PROXY_ID, True),
        ("4f9a1c2b8d7e6f5a4b3c2d1e0f9a8b7c", True),  # nginx's $request_id
        (NAME, False),
        ("amelie-rousseau", False),
        ("abc", False),
        ("0" * 65, False),
        (None, False),
    ],
)
def test_a_request_id_is_kept_only_when_it_is_a_safe_token(given: str | None, kept: bool) -> None:
    assert (request_id_from(given) == given) is kept


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_egide_serve_writes_one_json_object_per_line_without_personal_data(
    tmp_path: Path, broken_upstream: str
) -> None:
    with fake_openai_server() as echo:
        config = tmp_path / "egide.toml"
        config.write_text(_config(echo.base_url, broken_upstream, "json"), encoding="utf-8")
        env = {**os.environ, "EGIDE_HOME": str(tmp_path / "var"), "EGIDE_CONFIG": str(config)}
        settings = load_settings(config, environ=env)
        _, token = ApplicationStore(open_store(settings, environ=env)).add(
            "crm",
            models=["interne-echo", "interne-panne", "interne-casse"],
            max_level=Level.SENSIBLE,
        )
        port = _free_port()
        stderr = tmp_path / "stderr.log"
        with stderr.open("wb") as errors:
            process = subprocess.Popen(
                [sys.executable, "-m", "egide.cli", "serve", "--port", str(port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(base_url + "/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(stderr.read_text(encoding="utf-8")) from None
                    time.sleep(0.1)
            with httpx.Client(base_url=base_url, timeout=30) as client:
                answers = _requests(client, token)
        finally:
            process.terminate()
            process.wait(timeout=30)
    _check_answers(answers)
    logs = stderr.read_text(encoding="utf-8")
    _assert_no_leak(logs)
    entries = [json.loads(line) for line in logs.splitlines() if line.strip()]  # all JSON
    access = [e for e in entries if e["logger"] == "egide.access"]
    assert len(access) >= len(answers)  # and /healthz
    assert {e["request_id"] for e in access} >= {
        a.headers["x-request-id"] for a in answers.values()
    }
    assert not any(e["logger"] == "uvicorn.access" for e in entries)
