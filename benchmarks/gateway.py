"""What the OpenAI-compatible gateway adds to a streamed chat completion, at 1, 50 and 200
concurrent streams, against calling the same upstream directly.

    .venv/bin/python benchmarks/gateway.py [--requests 400] [--out benchmarks/results/gateway.json]

Three processes: a fast asyncio upstream (OpenAI-compatible, streams the echo of the last user
message at once, in 16-character chunks), ``egide serve`` (the real gateway: token lookup,
guard, policy, pseudonymisation, restore, output scan, audit with fsync), and this client
(``httpx.AsyncClient``). For each level of concurrency, the same number of streamed requests
go directly to the upstream, then through the gateway; a request's latency is the time until
``data: [DONE]``. The guard's own time (scan of the request and of the answer, as the pipeline
does) is measured in-process on the same texts and reported separately: "added excluding the
guard" is the gateway's added p50 minus the guard's p50. Any error is counted and reported.
Target: under 10 ms of added p50 latency, excluding the guard.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LEVELS = (1, 50, 200, 400)  # 400: past the process's 64 in flight and 256 waiting


class Overloaded(Exception):
    """A 503 with Retry-After: the gateway turned the request away at once (its capacity)."""


MESSAGE = (
    "Bonjour, pouvez-vous préparer une réponse à Mme Amélie ROUSSEAU, joignable au "
    "05 34 45 34 45 ou à amelie.rousseau@example.org, au sujet du renouvellement de son titre "
    "de séjour ? Son dossier a été déposé le 3 janvier 2025 à la préfecture de Toulouse."
)
CHUNK_CHARS = 16


# --- the upstream: a minimal HTTP/1.1 server with keep-alive, fast enough not to be measured


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            body = json.loads(await reader.readexactly(length)) if length else {}
            users = [m for m in body.get("messages", []) if m.get("role") == "user"]
            answer = "Réponse : " + (users[-1]["content"] if users else "")
            out = [b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                   b"transfer-encoding: chunked\r\n\r\n"]  # fmt: skip
            events = [
                {"choices": [{"index": 0, "delta": {"content": answer[i : i + CHUNK_CHARS]}}]}
                for i in range(0, len(answer), CHUNK_CHARS)
            ]
            events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            for event in events:
                data = b"data: " + json.dumps(event).encode() + b"\n\n"
                out.append(b"%x\r\n%s\r\n" % (len(data), data))
            data = b"data: [DONE]\n\n"
            out.append(b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data))
            writer.write(b"".join(out))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve_upstream(port: int) -> None:
    server = await asyncio.start_server(_handle, "127.0.0.1", port, backlog=4096)
    print("prêt", flush=True)
    async with server:
        await server.serve_forever()


# --- the client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _one(client: httpx.AsyncClient, url: str, headers: dict[str, str],
               model: str) -> tuple[float, str]:  # fmt: skip
    payload = {"model": model, "stream": True, "messages": [{"role": "user", "content": MESSAGE}]}
    start = time.perf_counter()
    text: list[str] = []
    async with client.stream("POST", url, json=payload, headers=headers) as response:
        if response.status_code == 503 and response.headers.get("retry-after"):
            await response.aread()
            raise Overloaded()
        if response.status_code != 200:
            await response.aread()
            raise RuntimeError(f"HTTP {response.status_code}")
        done = False
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                done = True
                break
            event = json.loads(data)
            if "error" in event:
                raise RuntimeError(event["error"].get("code", "erreur"))
            for choice in event.get("choices") or ():
                text.append((choice.get("delta") or {}).get("content") or "")
    if not done:
        raise RuntimeError("flux interrompu")
    return time.perf_counter() - start, "".join(text)


async def stream_level(url: str, headers: dict[str, str], model: str, concurrency: int,
                       total: int, *, sink: list[float] | None = None) -> dict[str, Any]:  # fmt: skip
    """``total`` streamed requests, ``concurrency`` at a time; ``sink`` receives each
    latency (seconds), for a caller that pools several runs."""
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    latencies: list[float] = []
    errors: list[str] = []
    refused: list[float] = []  # seconds until the 503
    wrong = 0
    async with httpx.AsyncClient(limits=limits, timeout=120, trust_env=False) as client:
        queue = list(range(total))

        async def worker() -> None:
            nonlocal wrong
            while queue:
                queue.pop()
                started = time.perf_counter()
                try:
                    latency, text = await _one(client, url, headers, model)
                except Overloaded:
                    refused.append(time.perf_counter() - started)
                    continue
                except Exception as exc:  # every failure is counted, none stops the run
                    errors.append(type(exc).__name__ + ": " + str(exc)[:80])
                    continue
                latencies.append(latency)
                wrong += text != "Réponse : " + MESSAGE

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - start
    if sink is not None:
        sink.extend(latencies)
    return {
        "requests": total,
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "wrong_answers": wrong,
        "refused_503": len(refused),
        "refused_p50_ms": round(1000 * statistics.median(refused), 2) if refused else None,
        "p50_ms": round(1000 * statistics.median(latencies), 2) if latencies else None,
        "p95_ms": round(1000 * percentile(latencies, 0.95), 2) if latencies else None,
        "throughput_rps": round(len(latencies) / wall, 1),
    }


def guard_time(runs: int) -> dict[str, float]:
    """The guard's part of a gateway request: the request's scan and the answer's (elapsed
    p50 and p95, and the mean CPU time, which a loaded machine does not inflate)."""
    from egide.guard import Guard

    guard = Guard()
    answer = "Réponse : " + MESSAGE
    guard.scan(MESSAGE)
    timings = []
    cpu_start = time.process_time()
    for _ in range(runs):
        start = time.perf_counter()
        guard.scan("")  # the pipeline scans the (empty) prompt too
        guard.scan(MESSAGE)
        guard.scan(answer)
        timings.append(time.perf_counter() - start)
    cpu = time.process_time() - cpu_start
    return {
        "p50_ms": round(1000 * statistics.median(timings), 2),
        "p95_ms": round(1000 * percentile(timings, 0.95), 2),
        "cpu_mean_ms": round(1000 * cpu / runs, 2),
    }


def start_upstream(port: int) -> subprocess.Popen[bytes]:
    """The fast upstream in a process of its own, listening once this returns."""
    upstream = subprocess.Popen(
        [sys.executable, __file__, "--upstream-only", str(port)], stdout=subprocess.PIPE
    )
    assert upstream.stdout is not None and upstream.stdout.readline() == "prêt\n".encode()
    return upstream


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(url, timeout=1, trust_env=False)
            return
        except httpx.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("le service n'a pas démarré") from None
            time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="requêtes par niveau (≥ 200)")
    parser.add_argument(
        "--levels", default=",".join(map(str, LEVELS)), help="flux simultanés, par exemple 1,50,200"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/gateway.json")
    parser.add_argument("--upstream-only", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.upstream_only:
        asyncio.run(_serve_upstream(args.upstream_only))
        return

    from egide.config import load_settings
    from egide.policy.levels import Level
    from egide.store import open_store
    from egide.store.applications import ApplicationStore

    upstream_port, gateway_port = free_port(), free_port()
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as home:
        try:
            processes.append(start_upstream(upstream_port))
            config = Path(home) / "egide.toml"
            config.write_text(textwrap.dedent(f"""
                [[models]]
                name = "interne-bench"
                tier = "interne"
                backend = "openai"
                base_url = "http://127.0.0.1:{upstream_port}/v1"
                model = "bench"
                max_retries = 0
                """), encoding="utf-8")  # fmt: skip
            env = {**os.environ, "EGIDE_HOME": str(Path(home) / "var"),
                   "EGIDE_CONFIG": str(config)}  # fmt: skip
            settings = load_settings(config, environ=env)
            _, token = ApplicationStore(open_store(settings, environ=env)).add(
                "bench", models=["interne-bench"], max_level=Level.DIFFUSION_RESTREINTE
            )
            # The service's lines (one per request) to a file: never mixed with the figures.
            with (Path(home) / "serve.log").open("wb") as log:
                gateway = subprocess.Popen(
                    [sys.executable, "-m", "egide.cli", "serve", "--port", str(gateway_port)],
                    env=env, stdout=log, stderr=subprocess.STDOUT,
                )  # fmt: skip
            processes.append(gateway)
            wait_until_up(f"http://127.0.0.1:{gateway_port}/healthz", gateway)
            no_headers: dict[str, str] = {}
            direct = (f"http://127.0.0.1:{upstream_port}/v1/chat/completions", no_headers, "bench")
            through = (
                f"http://127.0.0.1:{gateway_port}/v1/chat/completions",
                {"authorization": f"Bearer {token}"},
                "interne-bench",
            )
            # Warm-up: model loading, audit key, first connections are not per-request costs.
            asyncio.run(stream_level(*through, 4, 20))
            asyncio.run(stream_level(*direct, 4, 20))
            guard = guard_time(100)
            rows = []
            for concurrency in (int(level) for level in args.levels.split(",")):
                total = max(args.requests, concurrency) if concurrency > 1 else 100
                row_direct = asyncio.run(stream_level(*direct, concurrency, total))
                row_gateway = asyncio.run(stream_level(*through, concurrency, total))
                rows.append(_row(concurrency, row_direct, row_gateway, guard))
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)
    _print(rows, guard)
    payload = {
        "description": "latence ajoutée par la passerelle /v1 (flux complet jusqu'à [DONE]) par "
        "rapport à l'appel direct du même serveur amont, même exécution",
        "target": "latence ajoutée p50 < 10 ms hors garde",
        "message_chars": len(MESSAGE),
        "cpu_count": os.cpu_count(),
        "guard_scan_ms": guard,
        "results": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _row(concurrency: int, direct: dict[str, Any], gateway: dict[str, Any],
         guard: dict[str, float]) -> dict[str, Any]:  # fmt: skip
    added_p50 = round(gateway["p50_ms"] - direct["p50_ms"], 2)
    added_p95 = round(gateway["p95_ms"] - direct["p95_ms"], 2)
    return {
        "concurrency": concurrency,
        "direct": direct,
        "gateway": gateway,
        "added_p50_ms": added_p50,
        "added_p95_ms": added_p95,
        "added_p50_excluding_guard_ms": round(added_p50 - guard["p50_ms"], 2),
    }


def _print(rows: list[dict[str, Any]], guard: dict[str, float]) -> None:
    header = (
        f"{'flux':>5} | {'direct p50':>10} {'p95':>8} {'req/s':>7} | {'passerelle p50':>14} "
        f"{'p95':>8} {'req/s':>7} | {'ajout p50':>9} {'p95':>8} {'hors garde':>10} | 503 | erreurs"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        d, g = row["direct"], row["gateway"]
        print(
            f"{row['concurrency']:>5} | {d['p50_ms']:>10.2f} {d['p95_ms']:>8.2f} "
            f"{d['throughput_rps']:>7.1f} | {g['p50_ms']:>14.2f} {g['p95_ms']:>8.2f} "
            f"{g['throughput_rps']:>7.1f} | {row['added_p50_ms']:>9.2f} {row['added_p95_ms']:>8.2f} "
            f"{row['added_p50_excluding_guard_ms']:>10.2f} | {g['refused_503']:>3} | "
            f"{d['errors'] + g['errors']} (+{g['wrong_answers']} réponses fausses)"
        )
    print(f"garde (analyse de la demande et de la réponse) : p50 {guard['p50_ms']} ms, "
          f"p95 {guard['p95_ms']} ms ; temps en millisecondes")  # fmt: skip


if __name__ == "__main__":
    main()
