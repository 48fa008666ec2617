"""Write benchmarks/devset/devset.jsonl: ``python -m benchmarks.devset.generate [--check]``.

Deterministic: every document draws from its own ``random.Random`` seeded with the set's seed,
its kind and its number, so that changing one generator leaves the other documents unchanged.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.devset import keys
from benchmarks.devset.builder import Doc
from benchmarks.devset.clinique import generate_clinique
from benchmarks.devset.courrier import generate_courrier
from benchmarks.devset.decision import generate_decision

__all__ = ["DEVSET_PATH", "FAKER_VERSION", "SEED", "check_record", "generate", "main", "to_jsonl"]

SEED = 20250917
# Names come from Faker's lists: another Faker version may hold other names, hence other texts.
FAKER_VERSION = "40.54.0"
DEVSET_PATH = Path(__file__).with_name("devset.jsonl")
# (kind, generator, number of documents, how many of them are long multi-page documents)
PLAN: tuple[tuple[str, Callable[..., Doc], int, int], ...] = (
    ("courrier", generate_courrier, 52, 6),
    ("clinique", generate_clinique, 52, 5),
    ("decision", generate_decision, 52, 5),
)
LONG_DOC_CHARS = 10_000

_KEY_CHECKS: dict[str, Callable[[str], bool]] = {
    "NIR": keys.nir_is_valid,
    "IBAN": keys.iban_is_valid,
    "SIRET": lambda v: len(d := keys.digits_only(v)) == 14 and keys.luhn_is_valid(d),
    "SIREN": lambda v: len(d := keys.digits_only(v)) == 9 and keys.luhn_is_valid(d),
    "TAX_ID": keys.spi_is_valid,
}


def generate() -> Iterator[dict[str, Any]]:
    for kind, generator, count, long_count in PLAN:
        # Long documents are spread over the set rather than bunched at its end.
        long_ids = set(range(0, count, count // long_count)[:long_count])
        for number in range(count):
            rng = random.Random(f"{SEED}/{kind}/{number}")
            doc_id = f"{kind}-{number:03d}"
            doc = generator(rng, doc_id, long_doc=number in long_ids, variant=number)
            yield doc.record()


def check_record(record: dict[str, Any]) -> list[str]:
    """Problems with one record (empty when it is sound)."""
    problems: list[str] = []
    text, spans = record["text"], record["spans"]
    previous_end = 0
    for span in sorted(spans, key=lambda s: (s["start"], s["end"])):
        start, end, label = span["start"], span["end"], span["label"]
        value = text[start:end]
        where = f"{record['id']} [{start}:{end}] {label}"
        if not 0 <= start < end <= len(text):
            problems.append(f"{where}: out of bounds")
        elif value != value.strip() or not value.strip():
            problems.append(f"{where}: blank or padded value {value!r}")
        if start < previous_end:
            problems.append(f"{where}: overlaps the previous span")
        previous_end = max(previous_end, end)
        check = _KEY_CHECKS.get(label)
        if check is not None and not check(value):
            problems.append(f"{where}: invalid check key {value!r}")
    return problems


def to_jsonl(records: Sequence[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Génère le jeu de développement du garde.")
    parser.add_argument("--output", type=Path, default=DEVSET_PATH)
    parser.add_argument("--check", action="store_true",
                        help="vérifier que le fichier existant est à jour, sans l'écrire")  # fmt: skip
    args = parser.parse_args(argv)
    records = list(generate())
    problems = [p for record in records for p in check_record(record)]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    content = to_jsonl(records)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != content:
            print(f"{args.output} n'est pas à jour : relancez la génération", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(content, encoding="utf-8")
    kinds = Counter(r["kind"] for r in records)
    labels = Counter(s["label"] for r in records for s in r["spans"])
    long_docs = sum(len(r["text"]) > LONG_DOC_CHARS for r in records)
    print(f"{len(records)} documents ({dict(kinds)}), {long_docs} de plus de "
          f"{LONG_DOC_CHARS} caractères, {sum(labels.values())} annotations → {args.output}")  # fmt: skip
    print(", ".join(f"{label} {n}" for label, n in labels.most_common()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
