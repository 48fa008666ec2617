"""``egide serve`` processes on one PostgreSQL database behave as one service.

Two machines, each with its own ``EGIDE_HOME`` (nothing shared but the database and the keys,
given through the environment): one runs ``egide serve``, the other ``egide serve --workers 2``
(two processes on one port). A lockout counted on one is enforced on the others; an application's per-minute window and daily quota are global; the audit
chain appended concurrently by both verifies from either machine.

The backend-independent tests of the shared counters and of the database audit chain are bound
here too, on PostgreSQL.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import secrets
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine

from egide.config import Settings, load_settings
from egide.store import Store, open_store
from egide.store.db import upgrade
from tests.audit import test_audit_database_chain as chain_tests
from tests.e2e.server import EGIDE, EgideServer
from tests.store import test_shared_counters as counter_tests
from tests.support.postgres import PostgresServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


class Machine(EgideServer):
    """``egide serve [--workers N]`` on one machine, waited for through ``/readyz`` (and for
    its N processes): on two loaded cores, a start can take more than half a minute."""

    def __init__(self, home: Path, *, config: Path, workers: int = 1) -> None:
        super().__init__(home, config=config)
        self.workers = workers

    def start(self) -> None:
        process = self._launch(
            [str(EGIDE), "serve", "--port", str(self.port), "--workers", str(self.workers)]
        )
        self._process = process
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"egide serve s'est arrêté au démarrage :\n{self.output()}")
            with contextlib.suppress(httpx.TransportError):
                ready = httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200
                if ready and (self.workers == 1 or len(self.web_processes()) == self.workers):
                    return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("egide serve n'est pas prêt après 120 s")

    def web_processes(self) -> list[int]:
        """The web processes uvicorn spawned (not multiprocessing's resource tracker)."""
        assert self._process is not None
        found: list[int] = []
        for task in Path(f"/proc/{self._process.pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                with contextlib.suppress(FileNotFoundError):
                    if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                        found.append(int(child))
        return found


@dataclass
class Deployment:
    config: Path
    env: dict[str, str]
    servers: tuple[EgideServer, EgideServer]

    def egide(self, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(EGIDE), *args],
            env={**self.env, "EGIDE_HOME": str(home)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


@pytest.fixture(scope="module")
def deployment(
    postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("deux-machines")
    database = postgres.new_database("egide_deux")
    config = root / "egide.toml"
    config.write_text(
        f'[storage]\nurl = "{postgres.url(database)}"\n\n'
        # Two failures lock an account (one second of delay after the first); addresses are
        # never locked here, every request coming from 127.0.0.1.
        "[portal]\nlockout_failures = 2\nip_lockout_failures = 10000\n",
        encoding="utf-8",
    )
    keys = {
        "EGIDE_STORE_KEY": _key(),
        "EGIDE_AUDIT_KEY": _key(),
        "EGIDE_VAULT_KEY": _key(),
    }
    servers = (
        Machine(root / "machine-a", config=config),
        Machine(root / "machine-b", config=config, workers=2),
    )
    for server in servers:
        server.env.update(keys)
    env = {**servers[0].env}
    env.pop("EGIDE_HOME")
    started: list[EgideServer] = []
    try:
        # One after the other: on two loaded cores, two starts at once can exceed the wait.
        for server in servers:
            server.start()
            started.append(server)
        yield Deployment(config, env, servers)
    finally:
        for server in started:
            server.stop()
        postgres.drop_database(database)


def _sign_in(client: httpx.Client, login: str, password: str) -> str:
    form = client.get("/connexion")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    answer = client.post(
        "/connexion",
        data={"login": login, "password": password, "csrf_token": token.group(1)},
    )
    return answer.text


def test_a_lockout_counted_on_one_process_is_enforced_on_the_other(
    deployment: Deployment,
) -> None:
    first, second = deployment.servers
    with (
        httpx.Client(base_url=first.base_url, timeout=30) as a,
        httpx.Client(base_url=second.base_url, timeout=30) as b,
    ):
        assert "incorrect" in _sign_in(a, "cmartin", "pas le bon mot de passe")
        # On another process, the next attempt is held back by the delay the first failure
        # brought (within its second), or is the second failure, which locks the account:
        # never a first failure there.
        for _ in range(5):
            page = _sign_in(b, "cmartin", "pas le bon mot de passe")
            assert "incorrect" not in page
            if "bloquée" in page:
                break
            assert "patientez" in page
            threading.Event().wait(1.2)
        assert "bloquée" in page
        assert "bloquée" in _sign_in(a, "cmartin", "pas le bon mot de passe")
        # Another account is not concerned.
        assert "incorrect" in _sign_in(a, "lbernard", "pas le bon mot de passe")


def test_an_application_window_and_daily_quota_are_global(deployment: Deployment) -> None:
    first, second = deployment.servers
    added = deployment.egide(
        first.home, "apps", "add", "courrier-deux", "--models", "local",
        "--max-level", "interne", "--rpm", "5", "--daily", "2",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    chat = {
        "model": "local",
        "messages": [
            {"role": "system", "content": "Le guichet est ouvert de 9 h à 12 h."},
            {"role": "user", "content": "Horaires du guichet ?"},
        ],
    }
    with (
        httpx.Client(base_url=first.base_url, timeout=120, headers=headers) as a,
        httpx.Client(base_url=second.base_url, timeout=120, headers=headers) as b,
    ):
        # The daily quota: one request on each process, then the third is refused by either.
        assert a.post("/v1/chat/completions", json=chat).status_code == 200
        assert b.post("/v1/chat/completions", json=chat).status_code == 200
        refused = a.post("/v1/chat/completions", json=chat)
        assert refused.status_code == 429
        assert "requêtes" in refused.json()["error"]["message"]
        # The per-minute window: five requests in all (three above), wherever they land.
        assert b.get("/v1/models").status_code == 200
        assert a.get("/v1/models").status_code == 200
        for client in (a, b):
            answer = client.get("/v1/models")
            assert answer.status_code == 429
            assert int(answer.headers["retry-after"]) >= 1
            assert answer.headers["x-ratelimit-remaining-requests"] == "0"


def test_the_audit_chain_verifies_after_concurrent_appends_from_both(
    deployment: Deployment,
) -> None:
    errors: list[BaseException] = []

    def fail_sign_ins(server: EgideServer, who: str) -> None:
        try:
            with httpx.Client(base_url=server.base_url, timeout=60) as client:
                for n in range(12):
                    _sign_in(client, f"{who}{n}", "pas le bon mot de passe")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=fail_sign_ins, args=(server, f"agent{i}x{j}"))
        for i, server in enumerate(deployment.servers)
        for j in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    counts = []
    for server in deployment.servers:
        verified = deployment.egide(server.home, "audit", "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        counts.append(int(re.sub(r"\D", "", verified.stdout.split(":")[1])))
        # Each machine keeps its own witness of the last event it appended, nothing else.
        witness = json.loads((server.home / "audit" / "audit.head").read_bytes())
        assert witness["db"] is True and witness["seq"] <= counts[-1]
        assert not (server.home / "audit" / "audit.jsonl").exists()
    assert counts[0] == counts[1] >= 72  # 72 failures, each recorded once, in one chain


# --- the shared counters and the database audit chain, on PostgreSQL ---------------------------


@pytest.fixture
def database_url(postgres: PostgresServer) -> Iterator[str]:
    name = postgres.new_database("egide_partage")
    yield postgres.url(name)
    postgres.drop_database(name)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    created = create_engine(database_url)
    upgrade(created)
    yield created
    created.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("EGIDE_STORE_KEY", raising=False)
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    config = tmp_path / "egide.toml"
    config.write_text(f'[storage]\nurl = "{database_url}"\n', encoding="utf-8")
    return load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with open_store(settings, environ={}) as opened:
        yield opened


other_store = counter_tests.other_store
limiter_factory = counter_tests.limiter_factory

test_the_window_counts_the_last_minute_only = (
    counter_tests.test_the_window_counts_the_last_minute_only
)
test_a_lowered_limit_applies_at_once = counter_tests.test_a_lowered_limit_applies_at_once
test_two_processes_share_one_window_and_never_overshoot = (
    counter_tests.test_two_processes_share_one_window_and_never_overshoot
)
test_requests_that_left_their_window_are_purged = (
    counter_tests.test_requests_that_left_their_window_are_purged
)
test_failures_on_two_processes_add_up_to_one_lockout = (
    counter_tests.test_failures_on_two_processes_add_up_to_one_lockout
)
test_two_machines_append_to_one_chain_that_verifies_from_either = (
    chain_tests.test_two_machines_append_to_one_chain_that_verifies_from_either
)
test_concurrent_appends_from_many_threads_and_logs_never_fork = (
    chain_tests.test_concurrent_appends_from_many_threads_and_logs_never_fork
)
test_deleting_the_last_events_and_putting_back_an_older_head_is_caught = (
    chain_tests.test_deleting_the_last_events_and_putting_back_an_older_head_is_caught
)
test_an_edited_event_breaks_verification = chain_tests.test_an_edited_event_breaks_verification
test_a_deleted_head_copy_stops_every_append = (
    chain_tests.test_a_deleted_head_copy_stops_every_append
)
test_a_chain_sealed_with_another_key_is_refused = (
    chain_tests.test_a_chain_sealed_with_another_key_is_refused
)
test_a_file_log_is_taken_over_by_an_empty_database_chain = (
    chain_tests.test_a_file_log_is_taken_over_by_an_empty_database_chain
)
test_reanchoring_records_where_the_heads_stood = (
    chain_tests.test_reanchoring_records_where_the_heads_stood
)
