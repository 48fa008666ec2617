"""What the portal adds to the pipeline for one summary: upload, sealed storage, the
highlighted preview page, the streamed answer, the draft page — at 5k and 50k characters.

    .venv/bin/python benchmarks/portal.py [--runs N] [--out benchmarks/results/portal.json]

Both sides run in this process, on the same texts, in the same run, with the built-in
``local`` engine and real stores and audit trail in a temporary EGIDE_HOME:

- reference: the pipeline alone (``Assistant.preview`` then ``start(...).complete()``, with
  its draft and audit events) — what the command line pays;
- portal: an agent's browser as FastAPI's test client plays it: POST the file to
  ``/espace/resumer`` (read, sealed, request kept), GET the preview (scan, highlight, one
  decision per model), POST ``/envoyer`` streamed as NDJSON to the end, GET the draft page.

The figure is the ratio portal / reference, p50 and p95. The guard's scan is in both (the
portal's preview scans once; sending reuses that preview).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.pipeline import corpus, percentile  # noqa: E402
from egide.assistant import Assistant, AssistantRequest  # noqa: E402
from egide.config import load_settings  # noqa: E402
from egide.documents import read_document_bytes  # noqa: E402
from egide.guard import shared_guard  # noqa: E402
from egide.store import open_store  # noqa: E402
from egide.store.drafts import DraftStore  # noqa: E402
from tests.support.portal import Clock, PortalHarness, csrf_of  # noqa: E402

SIZES = (5_000, 50_000)


def _reference(assistant: Assistant, text: str) -> float:
    started = time.perf_counter()
    document = read_document_bytes(text.encode("utf-8"), name="rapport.txt")
    request = AssistantRequest(
        user="mesure", task="summarize", documents=(document,), options={"length": "page"}
    )
    preview = assistant.preview(request)
    assistant.start(request, preview=preview).complete()
    return time.perf_counter() - started


def _portal(client: object, text: str) -> float:
    started = time.perf_counter()
    form = client.get("/espace/resumer")  # type: ignore[attr-defined]
    preview = client.post(  # type: ignore[attr-defined]
        "/espace/resumer",
        data={"csrf_token": csrf_of(form), "length": "page"},
        files={"document": ("rapport.txt", text.encode("utf-8"), "text/plain")},
    )
    answer = client.post(  # type: ignore[attr-defined]
        preview.url.path + "/envoyer",
        data={"modele": "auto"},
        headers={"Accept": "application/x-ndjson", "X-CSRF-Token": csrf_of(preview)},
    )
    done = json.loads(answer.text.splitlines()[-1])
    if done["type"] != "done":
        raise RuntimeError(f"envoi en échec : {done}")
    client.get(done["url"])  # type: ignore[attr-defined]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/portal.json")
    args = parser.parse_args()
    guard = shared_guard()
    guard.scan("Échauffement : Madame Claire Dubois, 12 rue des Lilas, 33000 Bordeaux.")
    results = []
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(environ={"EGIDE_HOME": str(Path(home) / "home")})
        store = open_store(settings)
        assistant = Assistant(settings, guard=guard, drafts=DraftStore(store))
        harness = PortalHarness(settings, Clock())
        client = harness.client()
        account = harness.add_user("mesure")
        harness.first_sign_in(client, account)
        for size in SIZES:
            text = corpus(size)
            _reference(assistant, text)  # warm both paths
            _portal(client, text)
            reference, portal = [], []
            for _ in range(args.runs):  # interleaved: both see the same machine load
                reference.append(_reference(assistant, text))
                portal.append(_portal(client, text))
            row = {
                "chars": len(text),
                "runs": args.runs,
                "reference_p50_ms": round(statistics.median(reference) * 1000, 1),
                "reference_p95_ms": round(percentile(reference, 0.95) * 1000, 1),
                "portal_p50_ms": round(statistics.median(portal) * 1000, 1),
                "portal_p95_ms": round(percentile(portal, 0.95) * 1000, 1),
            }
            row["ratio_p50"] = round(row["portal_p50_ms"] / row["reference_p50_ms"], 2)
            row["ratio_p95"] = round(row["portal_p95_ms"] / row["reference_p95_ms"], 2)
            results.append(row)
            print(
                f"{len(text):>7} car. : circuit seul p50 {row['reference_p50_ms']} ms / p95 "
                f"{row['reference_p95_ms']} ms ; portail p50 {row['portal_p50_ms']} ms / p95 "
                f"{row['portal_p95_ms']} ms ; rapport p50 ×{row['ratio_p50']}, p95 ×{row['ratio_p95']}"
            )
        store.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"Résultats : {args.out}")


if __name__ == "__main__":
    main()
