"""Gateway and portal throughput with 1, 2 and 4 web processes (``egide serve --workers N``
on one PostgreSQL database), against the same requests sent directly to the upstream, in one run.

    .venv/bin/python benchmarks/scale.py [--requests 300] [--concurrency 32] [--workers 1,2,4]
        [--portal-actions 80] [--agents 8] [--out benchmarks/results/scale.json]

Processes: a throw-away PostgreSQL cluster (Debian's binaries, started as the integration tests
start it, but durable here: ``fsync`` and ``synchronous_commit`` on), the fast asyncio upstream
of ``benchmarks/gateway.py``, ``egide serve --workers N`` and this client. For each N:

- reference: streamed chat completions sent directly to the upstream;
- gateway: the same requests through ``/v1/chat/completions`` (token, guard, policy,
  pseudonymisation, restore, output scan, audit in the database);
- portal: agents signed in (password, TOTP, charter) ask a question on a pasted text — POST
  ``/espace/discuter``, the preview page (the guard's scan), POST ``…/envoyer`` streamed as
  NDJSON to its end (pipeline, upstream, answer kept in the conversation, audit).

Reported per level: requests (or actions) per second, p50 and p95, the scaling ratio N / 1, and
the CPU time each party spent per request (the web processes and their file readers,
PostgreSQL, the upstream, this client), read from ``/proc`` through psutil. At the first level
it also counts what the database writes per request (``pg_stat_database`` deltas once the
backends have flushed their statistics, and WAL bytes). Everything runs on this machine: the
client, the upstream and the database take cores from the web processes, which the CPU times
make visible. ``os.cpu_count()``, the affinity and the load average are in the result.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import pyotp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.gateway import (  # noqa: E402
    free_port,
    guard_time,
    percentile,
    start_upstream,
    stream_level,
)
from tests.support.portal import NEW_PASSWORD, csrf_of, manual_key_of  # noqa: E402
from tests.support.postgres import PostgresServer, running_postgres  # noqa: E402

MODEL = "interne-bench"
EGIDE = Path(sys.executable).parent / "egide"
# Durable, like a real deployment (the tests' cluster turns durability off), and enough
# connections for four processes, each with its store and audit pools.
PG_SETTINGS = {
    "fsync": "on",
    "full_page_writes": "on",
    "synchronous_commit": "on",
    "max_connections": "300",
    "shared_buffers": "128MB",
}
QUESTION = "Pouvez-vous rédiger une réponse courtoise à ce courrier, en rappelant les pièces ?"
PASTED = textwrap.dedent("""\
    Objet : renouvellement de titre de séjour

    Madame, Monsieur,

    Je soussignée Amélie ROUSSEAU, née le 14 mars 1986 à Toulouse, demeurant 12 rue des Lilas,
    31000 Toulouse, joignable au 05 34 45 34 45 ou à amelie.rousseau@example.org, sollicite le
    renouvellement de mon titre de séjour, qui expire le 3 février 2026. Mon dossier a été
    déposé le 3 janvier 2025 à la préfecture de la Haute-Garonne. Je vous prie de bien vouloir
    m'indiquer les pièces qui manquent encore.

    Veuillez agréer, Madame, Monsieur, l'expression de mes salutations distinguées.
    """)  # fmt: skip
STATS = ("xact_commit", "tup_inserted", "tup_updated", "tup_deleted")
# Idle backends flush their statistics at most this long after their last transaction
# (PGSTAT_IDLE_INTERVAL, 10 s): the counts are read once it has passed.
STATS_FLUSH_S = 11.0


# --- CPU time of process trees, read from /proc


def tree_cpu_s(pid: int) -> float:
    """User and system time of a process, its descendants and the children they reaped."""
    try:
        root = psutil.Process(pid)
        family = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    return total


def tree_rss_mib(pid: int) -> dict[str, float]:
    """Resident memory of a process tree: the largest process and the whole tree."""
    try:
        root = psutil.Process(pid)
        family = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return {}
    sizes = []
    for process in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            sizes.append(process.memory_info().rss / 2**20)
    return {"largest_process_mib": round(max(sizes)), "tree_mib": round(sum(sizes))}


def postmaster_pid(server: PostgresServer) -> int:
    data = str(server.data_dir)
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if data in cmdline and "-D" in cmdline:
            return int(process.pid)
    raise RuntimeError("processus principal de PostgreSQL introuvable")


def machine_busy_s() -> float:
    """CPU seconds the whole machine spent (every process, ours and others')."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


@dataclass
class Parties:
    """Who spends CPU during a phase: process ids of each tree (None: this process)."""

    pids: dict[str, int | None]

    def snapshot(self) -> dict[str, float]:
        spent = {
            name: (time.process_time() if pid is None else tree_cpu_s(pid))
            for name, pid in self.pids.items()
        }
        return {**spent, "machine": machine_busy_s()}


@dataclass
class Tally:
    """One kind of request at one level, pooled over the rounds."""

    done: int = 0
    wall_s: float = 0.0
    errors: int = 0
    error_samples: set[str] = field(default_factory=set)
    latencies: list[float] = field(default_factory=list)
    cpu_s: dict[str, float] = field(default_factory=dict)

    def run(self, parties: Parties, phase: Callable[[list[float]], dict[str, Any]]) -> None:
        before, started = parties.snapshot(), time.perf_counter()
        row = phase(self.latencies)
        self.wall_s += time.perf_counter() - started
        after = parties.snapshot()
        for name in before:
            self.cpu_s[name] = self.cpu_s.get(name, 0.0) + after[name] - before[name]
        self.errors += row["errors"]
        self.error_samples.update(row["error_samples"])
        self.done = len(self.latencies)

    def summary(self) -> dict[str, Any]:
        """Throughput, p50 and p95; the CPU milliseconds each party spent per request; the
        cores they kept busy, and those the rest of the machine (other people's work) took."""
        done, cores = max(1, self.done), len(os.sched_getaffinity(0))
        machine = self.cpu_s.get("machine", 0.0)
        ours = {name: s for name, s in self.cpu_s.items() if name != "machine"}
        per_request = {name: round(1000 * s / done, 2) for name, s in ours.items()}
        per_request["total"] = total_ms = round(1000 * sum(ours.values()) / done, 2)
        egide_ms = per_request.get("egide", 0.0)
        return {
            "requests": self.done,
            "errors": self.errors,
            "error_samples": sorted(self.error_samples)[:5],
            "throughput_rps": round(self.done / self.wall_s, 1) if self.wall_s else None,
            "p50_ms": round(1000 * statistics.median(self.latencies), 1) if self.latencies else None,
            "p95_ms": round(1000 * percentile(self.latencies, 0.95), 1) if self.latencies else None,
            "cpu_ms_per_request": per_request,
            "cores_busy_ours": round(sum(ours.values()) / self.wall_s, 2),
            "cores_busy_others": round(max(0.0, machine - sum(ours.values())) / self.wall_s, 2),
            # What the cores would allow if they did nothing else: every party on this
            # machine, and the web processes alone (requests per second for one core).
            "cpu_ceiling_rps": round(1000 * cores / total_ms, 1) if total_ms else None,
            "egide_rps_per_core": round(1000 / egide_ms, 1) if egide_ms else None,
        }  # fmt: skip


def guard_cpu_per_kchar(chars: int = 20_000, runs: int = 3) -> dict[str, float]:
    """CPU time of the guard's scan per thousand characters of a document (devset documents,
    other ones at each run: words its caches have not seen), for requests with files."""
    from benchmarks.pipeline import corpus
    from egide.guard import Guard

    guard = Guard()
    guard.scan(corpus(2_000, start=200))
    spent = []
    for run in range(runs):
        text = corpus(chars, start=37 * run)
        started = time.process_time()
        guard.scan(text)
        spent.append(1000 * (time.process_time() - started) / (len(text) / 1000))
    return {"chars": chars, "runs": runs, "cpu_ms_per_kchar": round(statistics.median(spent), 2)}


# --- the database's own counters


def database_counters(server: PostgresServer, database: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(server.dsn(database), autocommit=True) as connection:
        row = connection.execute(
            f"SELECT {', '.join(STATS)}, pg_current_wal_lsn() - '0/0'::pg_lsn, "
            "(SELECT count(*) FROM audit_events) "
            "FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    counts = dict(zip(STATS, map(int, row[:-2]), strict=True))
    return {**counts, "wal_bytes": int(row[-2]), "audit_events": int(row[-1])}


def writes_per_request(
    before: dict[str, int], after: dict[str, int], count: int
) -> dict[str, float]:
    # The reading connection's own transactions (one per read) are taken out.
    delta = {key: after[key] - before[key] for key in before}
    delta["xact_commit"] -= 1
    return {key: round(value / count, 2) for key, value in delta.items()}


def _append_events(env: dict[str, str], count: int) -> float:
    """In a process of its own: ``count`` audit events appended one after the other."""
    from egide.audit import AuditLog
    from egide.config import load_settings

    log = AuditLog.open(load_settings(environ=env), environ=env)
    log.append(user="mesure", action="scale_mesure")  # opens the pool, reads the keys
    started = time.perf_counter()
    for _ in range(count):
        log.append(user="mesure", action="scale_mesure")
    return time.perf_counter() - started


def audit_append_rate(env: dict[str, str], processes: int, count: int) -> dict[str, float]:
    """Appends per second to the one audit chain, from ``processes`` processes at once: every
    append takes the same database lock, whichever process or machine makes it."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(processes) as pool:
        started = time.perf_counter()
        walls = list(pool.map(_append_events, [env] * processes, [count] * processes))
        wall = time.perf_counter() - started
    return {
        "processes": processes,
        "appends": processes * count,
        "appends_per_s": round(processes * count / max(walls), 1),
        "ms_per_append_one_process": round(1000 * walls[0] / count, 2),
        "wall_s": round(wall, 1),
    }


# --- the portal: agents signed in through the real forms


def sign_in_agent(base_url: str, login: str, password: str) -> httpx.Cookies:
    """First sign-in: temporary password, new password, TOTP enrolment, charter."""
    with httpx.Client(base_url=base_url, follow_redirects=True, timeout=60) as client:
        form = client.get("/connexion")
        page = client.post("/connexion", data={"login": login, "password": password,
                                               "csrf_token": csrf_of(form)})  # fmt: skip
        page = client.post("/connexion/mot-de-passe", data={
            "new_password": NEW_PASSWORD, "confirmation": NEW_PASSWORD,
            "csrf_token": csrf_of(page)})  # fmt: skip
        secret = manual_key_of(page)
        client.post("/connexion/enrolement", data={"code": pyotp.TOTP(secret).now(),
                                                   "csrf_token": csrf_of(page)})  # fmt: skip
        page = client.get("/connexion/suite")
        if page.url.path == "/connexion/changements":
            page = client.post("/connexion/changements", data={"csrf_token": csrf_of(page)})
        page = client.post("/charte", data={"accept": "oui", "csrf_token": csrf_of(page)})
        if page.url.path != "/espace":
            raise RuntimeError(f"connexion de {login} inachevée : {page.url.path}")
        return client.cookies


async def _ask(client: httpx.AsyncClient, csrf: str) -> float:
    started = time.perf_counter()
    preview = await client.post(
        "/espace/discuter", data={"question": QUESTION, "texte": PASTED, "csrf_token": csrf}
    )
    if not preview.url.path.startswith("/espace/demandes/") or preview.status_code != 200:
        raise RuntimeError(f"aperçu : HTTP {preview.status_code} {preview.url.path}")
    last = ""
    async with client.stream(
        "POST",
        preview.url.path + "/envoyer",
        data={"modele": MODEL},
        headers={"Accept": "application/x-ndjson", "X-CSRF-Token": csrf},
    ) as answer:
        async for line in answer.aiter_lines():
            last = line or last
    event = json.loads(last) if last else {}
    if event.get("type") != "done":
        raise RuntimeError(f"envoi : {str(event)[:80]}")
    return time.perf_counter() - started


async def portal_level(
    base_url: str,
    sessions: list[tuple[httpx.Cookies, str]],
    concurrency: int,
    total: int,
    *,
    sink: list[float] | None = None,
) -> dict[str, Any]:
    """``total`` questions asked by the signed-in agents, ``concurrency`` at a time."""
    latencies: list[float] = [] if sink is None else sink
    errors: list[str] = []
    remaining = total
    clients = [
        httpx.AsyncClient(base_url=base_url, cookies=cookies, follow_redirects=True,
                          timeout=120, trust_env=False)
        for cookies, _ in sessions
    ]  # fmt: skip

    async def worker(index: int) -> None:
        nonlocal remaining
        client, csrf = clients[index % len(clients)], sessions[index % len(sessions)][1]
        while remaining > 0:
            remaining -= 1
            try:
                latencies.append(await _ask(client, csrf))
            except Exception as exc:  # every failure is counted, none stops the run
                errors.append(type(exc).__name__ + ": " + str(exc)[:80])

    try:
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
    finally:
        for client in clients:
            await client.aclose()
    return {"errors": len(errors), "error_samples": sorted(set(errors))[:5]}


# --- egide serve --workers N


def _key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


@contextlib.contextmanager
def serving(
    env: dict[str, str], workers: int, log: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``egide serve --workers N`` until every process answers; its output goes to ``log``
    (a pipe nobody reads would stall the service once full: it logs every request)."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(EGIDE), "serve", "--port", str(port), "--workers", str(workers)],
            env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"egide serve s'est arrêté au démarrage :\n{tail}")
            with contextlib.suppress(httpx.TransportError):
                ready = httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200
                spawned = [c for c in psutil.Process(process.pid).children()
                           if "spawn_main" in " ".join(c.cmdline())]  # fmt: skip
                if ready and (workers == 1 or len(spawned) == workers):
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("egide serve n'est pas prêt après 180 s")
            time.sleep(0.2)
        yield base_url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _setup(root: Path, server: PostgresServer, upstream_port: int, agents: int) -> dict[str, Any]:
    """The database, the settings, the keys (shared by every process through the
    environment), an application token and the agents' accounts."""
    from egide.auth import Role
    from egide.auth.users import UserStore
    from egide.config import load_settings
    from egide.policy.levels import Level
    from egide.store import open_store
    from egide.store.applications import ApplicationStore

    database = server.new_database("egide_scale")
    config = root / "egide.toml"
    config.write_text(textwrap.dedent(f"""
        [storage]
        url = "{server.url(database)}"

        [[models]]
        name = "{MODEL}"
        tier = "interne"
        backend = "openai"
        base_url = "http://127.0.0.1:{upstream_port}/v1"
        model = "bench"
        max_retries = 0
        """), encoding="utf-8")  # fmt: skip
    env = {key: value for key, value in os.environ.items() if not key.startswith("EGIDE_")}
    env.update({
        "EGIDE_HOME": str(root / "home"), "EGIDE_CONFIG": str(config),
        "EGIDE_STORE_KEY": _key(), "EGIDE_AUDIT_KEY": _key(), "EGIDE_VAULT_KEY": _key(),
    })  # fmt: skip
    settings = load_settings(config, environ=env)
    with open_store(settings, environ=env) as store:
        _, token = ApplicationStore(store).add(
            "bench", models=[MODEL], max_level=Level.DIFFUSION_RESTREINTE
        )
        users = UserStore(store)
        accounts = [(f"agent{i}", users.add(f"agent{i}", Role.AGENT)[1]) for i in range(agents)]
    return {"database": database, "env": env, "token": token, "accounts": accounts, "root": root}


@dataclass
class Level:
    """One ``egide serve --workers N`` and its three tallies."""

    workers: int
    base_url: str
    process: subprocess.Popen[bytes]
    start_s: float
    tallies: dict[str, Tally] = field(default_factory=lambda: _tallies())


def _tallies() -> dict[str, Tally]:
    return {"direct": Tally(), "gateway": Tally(), "portal": Tally()}


class Bench:
    """The deployment under measure: database, upstream, settings, agents' sessions."""

    def __init__(
        self, server: PostgresServer, upstream: subprocess.Popen[bytes], upstream_port: int,
        setup: dict[str, Any], args: argparse.Namespace,
    ) -> None:  # fmt: skip
        self.server, self.setup, self.args = server, setup, args
        self.direct = (f"http://127.0.0.1:{upstream_port}/v1/chat/completions", {}, "bench")
        self.upstream_pid = upstream.pid
        self.sessions: list[tuple[httpx.Cookies, str]] = []

    def through(self, level: Level) -> tuple[str, dict[str, str], str]:
        headers = {"authorization": f"Bearer {self.setup['token']}"}
        return f"{level.base_url}/v1/chat/completions", headers, MODEL

    def parties(self, level: Level) -> Parties:
        return Parties({"egide": level.process.pid, "postgres": postmaster_pid(self.server),
                        "upstream": self.upstream_pid, "client": None})  # fmt: skip

    def start(self, stack: contextlib.ExitStack, workers: int) -> Level:
        started = time.perf_counter()
        log = self.setup["root"] / f"serve-{workers}.log"
        base_url, process = stack.enter_context(serving(self.setup["env"], workers, log))
        level = Level(workers, base_url, process, round(time.perf_counter() - started, 1))
        if not self.sessions:  # sessions live in the database: every process knows them
            for login, password in self.setup["accounts"]:
                cookies = sign_in_agent(base_url, login, password)
                with httpx.Client(base_url=base_url, cookies=cookies, timeout=60) as client:
                    self.sessions.append((cookies, csrf_of(client.get("/espace/discuter"))))
        # Warm-up: every process loads its guard, opens its pools and its file readers.
        asyncio.run(stream_level(*self.through(level), 2 * workers, 10 * workers))
        asyncio.run(portal_level(base_url, self.sessions, 2 * workers, 3 * workers))
        return level

    def phase(self, level: Level, kind: str, count: int) -> None:
        c = self.args.concurrency

        def run(sink: list[float]) -> dict[str, Any]:
            if kind == "portal":
                return asyncio.run(portal_level(level.base_url, self.sessions, c, count,
                                                sink=sink))  # fmt: skip
            target = self.direct if kind == "direct" else self.through(level)
            return asyncio.run(stream_level(*target, c, count, sink=sink))

        level.tallies[kind].run(self.parties(level), run)

    def database_writes(self, level: Level) -> dict[str, Any]:
        """What one gateway request and one portal question write to the database."""
        database, counts = self.setup["database"], {}
        time.sleep(STATS_FLUSH_S)
        before = database_counters(self.server, database)
        for kind, count in (("gateway", 100), ("portal", 30)):
            self.phase(level, kind, count)
            time.sleep(STATS_FLUSH_S)
            after = database_counters(self.server, database)
            counts[kind] = writes_per_request(before, after, count)
            before = after
        level.tallies = _tallies()  # the throughput is measured in the rounds only
        return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300,
                        help="requêtes par niveau, amont direct et passerelle")  # fmt: skip
    parser.add_argument("--concurrency", type=int, default=32, help="requêtes simultanées")
    parser.add_argument(
        "--workers", type=lambda v: [int(x) for x in v.split(",")], default=[1, 2, 4],
        help="processus web à mesurer (défaut : 1,2,4 ; le premier sert de base au rapport)",
    )  # fmt: skip
    parser.add_argument("--portal-actions", type=int, default=80,
                        help="questions posées par le portail par niveau")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=2,
                        help="tours : les niveaux alternent dans chaque tour")  # fmt: skip
    parser.add_argument("--agents", type=int, default=8, help="agents connectés au portail")
    parser.add_argument("--skip-db-counts", action="store_true",
                        help="sans le décompte des écritures en base (gagne 33 s)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/scale.json")
    args = parser.parse_args()

    machine: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "sched_getaffinity": sorted(os.sched_getaffinity(0)),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
    }
    print(f"cœurs : {machine['cpu_count']} (affinité {machine['sched_getaffinity']}), "
          f"charge moyenne {machine['load_average_before']}", flush=True)  # fmt: skip
    guard = {**guard_time(100), "document": guard_cpu_per_kchar()}
    upstream_port = free_port()
    upstream = start_upstream(upstream_port)
    try:
        with (
            running_postgres(settings=PG_SETTINGS) as server,
            tempfile.TemporaryDirectory(prefix="egide-scale-") as root,
            contextlib.ExitStack() as stack,
        ):
            setup = _setup(Path(root), server, upstream_port, args.agents)
            bench = Bench(server, upstream, upstream_port, setup, args)
            # Every level is started first and stays up (idle when not measured); the rounds
            # then alternate the levels, so that each sees the same load of the machine.
            levels = [bench.start(stack, args.workers[0])]
            writes = None if args.skip_db_counts else bench.database_writes(levels[0])
            levels += [bench.start(stack, workers) for workers in args.workers[1:]]
            print(f"démarrés : {', '.join(f'{lv.workers} processus en {lv.start_s} s' for lv in levels)}",
                  flush=True)  # fmt: skip
            for _ in range(args.rounds):
                for level in levels:
                    bench.phase(level, "direct", args.requests // args.rounds)
                    bench.phase(level, "gateway", args.requests // args.rounds)
                    bench.phase(level, "portal", args.portal_actions // args.rounds)
            # The one point every process of every machine goes through in turn.
            memory = {lv.workers: tree_rss_mib(lv.process.pid) for lv in levels}
            audit = [audit_append_rate(setup["env"], n, 100) for n in (1, 4)]
            logged = {
                lv.workers: sum(" ERROR " in line for line in (Path(root) / f"serve-{lv.workers}.log")
                                .read_text(errors="replace").splitlines())
                for lv in levels
            }  # fmt: skip
    finally:
        upstream.terminate()
        upstream.wait(timeout=30)
    machine["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    rows = [
        {"workers": lv.workers, "start_s": lv.start_s, "errors_logged": logged[lv.workers],
         "memory": memory[lv.workers],
         **{kind: tally.summary() for kind, tally in lv.tallies.items()}}
        for lv in levels
    ]  # fmt: skip
    payload = {
        "description": "débit de la passerelle /v1 (flux) et du portail (question sur un texte "
        "collé : 3 requêtes HTTP par question) avec N processus web sur PostgreSQL, face aux "
        "mêmes requêtes envoyées directement à l'amont ; niveaux alternés, même exécution",
        "machine": machine,
        "options": {key: getattr(args, key) for key in (
            "requests", "concurrency", "portal_actions", "rounds", "agents", "workers")},
        "postgres_settings": PG_SETTINGS,
        "guard_scan_ms": guard,
        "database_per_request": writes,
        "audit_appends": audit,
        "levels": rows,
        "scaling": scaling(rows),
    }  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    _print(payload)


def scaling(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Throughput of each level against the first, and against the upstream called directly."""
    base = rows[0]

    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 3) if a and b else None

    return [
        {
            "workers": row["workers"],
            "gateway_ratio": ratio(row["gateway"]["throughput_rps"],
                                   base["gateway"]["throughput_rps"]),
            "portal_ratio": ratio(row["portal"]["throughput_rps"],
                                  base["portal"]["throughput_rps"]),
            "gateway_vs_direct": ratio(row["gateway"]["throughput_rps"],
                                       row["direct"]["throughput_rps"]),
            "portal_vs_direct": ratio(row["portal"]["throughput_rps"],
                                      row["direct"]["throughput_rps"]),
        }
        for row in rows
    ]  # fmt: skip


def _print(payload: dict[str, Any]) -> None:
    labels = {"direct": "amont direct", "gateway": "passerelle", "portal": "portail"}
    for row, ratios in zip(payload["levels"], payload["scaling"], strict=True):
        print(f"--- {row['workers']} processus web (démarrage {row['start_s']} s, "
              f"{row['errors_logged']} erreurs dans son journal, mémoire {row['memory']})")  # fmt: skip
        for kind, label in labels.items():
            part = row[kind]
            ratio = {"gateway": ratios["gateway_ratio"], "portal": ratios["portal_ratio"]}
            cpu = ", ".join(f"{k} {v}" for k, v in part["cpu_ms_per_request"].items())
            print(f"{label:>13} : {part['throughput_rps']:>7.1f} /s"
                  + (f" (×{ratio[kind]} de 1 processus)" if kind in ratio else "")
                  + f", p50 {part['p50_ms']} ms, p95 {part['p95_ms']} ms, erreurs "
                  f"{part['errors']} ; CPU ms/requête : {cpu} ; cœurs : les nôtres "
                  f"{part['cores_busy_ours']}, autres {part['cores_busy_others']}")  # fmt: skip
    if payload["database_per_request"]:
        for kind, counts in payload["database_per_request"].items():
            print(f"base de données par requête ({labels[kind]}) : {counts}")
    for row in payload["audit_appends"]:
        print(f"journal d'audit : {row['appends_per_s']} ajouts/s depuis {row['processes']} "
              f"processus ({row['ms_per_append_one_process']} ms par ajout vu d'un processus)")  # fmt: skip
    machine = payload["machine"]
    print(f"charge moyenne : {machine['load_average_before']} avant, "
          f"{machine['load_average_after']} après")  # fmt: skip


if __name__ == "__main__":
    main()
