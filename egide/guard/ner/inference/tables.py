"""Two small tables of spaCy's that the model's features depend on, kept in ``spacy_tables.json``.

- ``symbols``: strings that spaCy maps to a fixed small integer instead of their hash ("X", "PER",
  "nsubj"…). A token whose shape is "X" is fed to the model as symbol 101, not as a hash.
- ``base_norms``: the NORM of a few tokens ("€" → "$", "«" → '"'), the rest being the lower case.

They are copied rather than imported because importing anything from spaCy costs seconds of
start-up. ``python -m egide.guard.ner.inference.tables`` writes the file again from the installed
spaCy; ``tests/guard/test_ner_inference.py`` checks that it still matches.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

__all__ = ["TABLES_PATH", "base_norms", "symbols", "write_tables"]

TABLES_PATH = Path(__file__).with_name("spacy_tables.json")


@cache
def _tables() -> dict[str, object]:
    loaded: dict[str, object] = json.loads(TABLES_PATH.read_text(encoding="utf-8"))
    return loaded


@cache
def symbols() -> dict[str, int]:
    """spaCy's symbol table: string -> id (ids 0 to 456 in spaCy 3.8)."""
    names = _tables()["symbols"]
    assert isinstance(names, list)
    return {name: index for index, name in enumerate(names)}


@cache
def base_norms() -> dict[str, str]:
    norms = _tables()["base_norms"]
    assert isinstance(norms, dict)
    return dict(norms)


def write_tables(path: Path = TABLES_PATH) -> None:  # pragma: no cover - maintenance tool
    from importlib import metadata

    from spacy.lang.norm_exceptions import BASE_NORMS
    from spacy.symbols import IDS

    names = [""] * len(IDS)
    for name, index in IDS.items():
        names[index] = name
    payload = {
        "spacy": metadata.version("spacy"),
        "symbols": names,
        "base_norms": BASE_NORMS,
    }
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    write_tables()
    print(f"écrit : {TABLES_PATH}")
