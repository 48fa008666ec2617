"""Write the guard's two evaluation sets: ``python -m benchmarks.devset.generate [--check]``.

- ``devset.jsonl``, the development split: the guard is tuned on it;
- ``fresh.jsonl``, the fresh split: other seed, other templates for the hard documents, a few
  value layouts of its own; nobody tunes on it, its figures are reported next to the others.

Each split has three groups of documents, tagged in ``group``: ``base`` (letters, clinical
notes, decisions), ``hard`` (real-world layouts, case numbers, institutional contacts: see
``hard.py``) and ``hostile`` (copies of some of them with disguised values: see
``hostile.py``). Deterministic: every document draws from its own ``random.Random`` seeded
with the split's seed, its group, its kind and its number, so that changing one generator
leaves the other documents unchanged.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.devset import hard_dev, hard_fresh, keys
from benchmarks.devset.builder import Doc
from benchmarks.devset.clinique import generate_clinique
from benchmarks.devset.courrier import generate_courrier
from benchmarks.devset.decision import generate_decision
from benchmarks.devset.hard import Section, generate_hard
from benchmarks.devset.hostile import disguise_record

__all__ = [
    "DEVSET_PATH", "FAKER_VERSION", "FRESH_PATH", "SEED", "SPLITS", "check_record", "generate",
    "main", "to_jsonl",
]  # fmt: skip

SEED = 20250917
FRESH_SEED = 20260214
# Names come from Faker's lists: another Faker version may hold other names, hence other texts.
FAKER_VERSION = "40.63.0"
DEVSET_PATH = Path(__file__).with_name("devset.jsonl")
FRESH_PATH = Path(__file__).with_name("fresh.jsonl")
LONG_DOC_CHARS = 10_000
KINDS: tuple[tuple[str, Callable[..., Doc]], ...] = (
    ("courrier", generate_courrier),
    ("clinique", generate_clinique),
    ("decision", generate_decision),
)


@dataclass(frozen=True)
class Split:
    name: str
    path: Path
    seed: int
    base: int  # base documents per kind
    long_docs: dict[str, int]  # how many of them are long multi-page documents, per kind
    hard: int  # hard documents per kind
    sections: dict[str, list[Section]]
    hostile: int  # hostile copies per kind (half of base documents, half of hard ones)


SPLITS = {
    "dev": Split(
        "dev",
        DEVSET_PATH,
        SEED,
        52,
        {"courrier": 6, "clinique": 5, "decision": 5},
        30,
        hard_dev.SECTIONS,
        8,
    ),
    "fresh": Split(
        "fresh",
        FRESH_PATH,
        FRESH_SEED,
        20,
        dict.fromkeys(("courrier", "clinique", "decision"), 2),
        20,
        hard_fresh.SECTIONS,
        6,
    ),
}


def _plain(value: str) -> str:
    """The characters that carry a value: look-alike digits folded, separators and invisible
    characters dropped (as a reader, human or model, sees it)."""
    folded = unicodedata.normalize("NFKC", value)
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in folded if ch.isalnum()
    )


_KEY_CHECKS: dict[str, Callable[[str], bool]] = {
    "NIR": keys.nir_is_valid,
    "IBAN": keys.iban_is_valid,
    "SIRET": lambda v: len(d := keys.digits_only(v)) == 14 and keys.luhn_is_valid(d),
    "SIREN": lambda v: len(d := keys.digits_only(v)) == 9 and keys.luhn_is_valid(d),
    "TAX_ID": keys.spi_is_valid,
    # A NIR-like value has the shape of a NIR and a wrong key (a typo, an OCR error).
    "NIR_LIKE": lambda v: len(v) == 15 and not keys.nir_is_valid(v),
}


def generate(split: str = "dev") -> Iterator[dict[str, Any]]:
    plan = SPLITS[split]
    for kind, generator in KINDS:
        base: list[dict[str, Any]] = []
        hard: list[dict[str, Any]] = []
        # Long documents are spread over the set rather than bunched at its end.
        count = plan.long_docs[kind]
        long_ids = set(range(0, plan.base, plan.base // count)[:count])
        for number in range(plan.base):
            rng = random.Random(f"{plan.seed}/{kind}/{number}")
            doc = generator(rng, f"{kind}-{number:03d}", long_doc=number in long_ids,
                            variant=number)  # fmt: skip
            base.append({**doc.record(), "group": "base"})
        for number in range(plan.hard):
            rng = random.Random(f"{plan.seed}/hard/{kind}/{number}")
            doc = generate_hard(rng, f"{kind}-hard-{number:03d}", kind, split, plan.sections)
            hard.append({**doc.record(), "group": "hard"})
        yield from base
        yield from hard
        rng = random.Random(f"{plan.seed}/hostile/{kind}")
        half = plan.hostile // 2
        for record in rng.sample(base, half) + rng.sample(hard, plan.hostile - half):
            yield {**disguise_record(record, rng), "group": "hostile"}


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
        if check is not None and not check(_plain(value)):
            problems.append(f"{where}: invalid check key {value!r}")
    return problems


def to_jsonl(records: Sequence[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Génère les jeux d'évaluation du garde.")
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    parser.add_argument("--output", type=Path, default=None,
                        help="fichier de sortie (une seule partition)")  # fmt: skip
    parser.add_argument("--check", action="store_true",
                        help="vérifier que les fichiers existants sont à jour, sans les écrire")  # fmt: skip
    args = parser.parse_args(argv)
    names = list(SPLITS) if args.split == "all" else [args.split]
    if args.output is not None and len(names) != 1:
        parser.error("--output exige --split dev ou --split fresh")
    status = 0
    for name in names:
        records = list(generate(name))
        problems = [p for record in records for p in check_record(record)]
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
        path = args.output or SPLITS[name].path
        content = to_jsonl(records)
        if args.check:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != content:
                print(f"{path} n'est pas à jour : relancez la génération", file=sys.stderr)
                status = 1
            continue
        path.write_text(content, encoding="utf-8")
        groups = Counter(r["group"] for r in records)
        labels = Counter(s["label"] for r in records for s in r["spans"])
        long_docs = sum(len(r["text"]) > LONG_DOC_CHARS for r in records)
        print(f"{name} : {len(records)} documents ({dict(groups)}), {long_docs} de plus de "
              f"{LONG_DOC_CHARS} caractères, {sum(labels.values())} annotations → {path}")  # fmt: skip
        print(", ".join(f"{label} {n}" for label, n in labels.most_common()))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
