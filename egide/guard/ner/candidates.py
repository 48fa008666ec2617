"""A candidate span before resolution: several sources may propose the same name."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Candidate"]


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    label: str  # PERSON, LOCATION or ORG
    score: float
    source: str  # "rule", "model", "gazetteer" or "document"
    explanation: str  # in French, never the value itself

    def overlaps(self, other: Candidate) -> bool:
        return self.start < other.end and other.start < self.end
