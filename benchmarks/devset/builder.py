"""Assemble a document piece by piece so that every gold span's offsets are exact by construction."""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import Any, NamedTuple

__all__ = ["DECOY", "REPORTED_LABELS", "Doc", "Ent", "Piece", "Seg"]

# Institutional contact data and example values: annotated so that their labelling can be
# scored, but they are not personal data, so they are kept apart from the gold spans.
REPORTED_LABELS = frozenset({"SERVICE_PHONE", "SERVICE_EMAIL", "SERVICE_ADDRESS", "EXAMPLE_VALUE"})
# A value that looks like an identifier and is not one (a wrong key, a decree number): a good
# detector leaves it alone. Kept in "decoys".
DECOY = "DECOY"


class Ent(NamedTuple):
    """A piece of text that is a gold span of ``label``."""

    text: str
    label: str


# A segment is plain text or a gold entity; a piece is a segment or a run of segments
# (a mention such as "M. " + Ent("Jean DUPONT", "PERSON")).
Seg = str | Ent
Piece = Seg | Sequence[Seg]

_FORMATTER = string.Formatter()


class Doc:
    def __init__(self, doc_id: str, kind: str) -> None:
        self.doc_id = doc_id
        self.kind = kind
        self._parts: list[str] = []
        self._length = 0
        self.spans: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return self._length

    def _append(self, text: str) -> None:
        self._parts.append(text)
        self._length += len(text)

    def add(self, *pieces: Piece) -> Doc:
        for piece in pieces:
            if isinstance(piece, Ent):
                if not piece.text:
                    continue
                start = self._length
                self._append(piece.text)
                self.spans.append({"start": start, "end": self._length, "label": piece.label})
            elif isinstance(piece, str):
                self._append(piece)
            else:
                self.add(*piece)
        return self

    def fill(self, template: str, /, **values: Piece) -> Doc:
        """Append ``template`` where each ``{name}`` is replaced by the piece ``values[name]``."""
        for literal, field, _spec, _conversion in _FORMATTER.parse(template):
            if literal:
                self._append(literal)
            if field is not None:
                self.add(values[field])
        return self

    def line(self, template: str = "", /, **values: Piece) -> Doc:
        return self.fill(template, **values).add("\n")

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def record(self) -> dict[str, Any]:
        """The JSON record: personal gold in "spans", institutional data in "reported", values
        that must stay unmasked in "decoys"."""
        spans = [s for s in self.spans if s["label"] not in REPORTED_LABELS | {DECOY}]
        reported = [s for s in self.spans if s["label"] in REPORTED_LABELS]
        decoys = [s for s in self.spans if s["label"] == DECOY]
        record: dict[str, Any] = {"id": self.doc_id, "kind": self.kind, "text": self.text,
                                  "spans": spans}  # fmt: skip
        if reported:
            record["reported"] = reported
        if decoys:
            record["decoys"] = decoys
        return record
