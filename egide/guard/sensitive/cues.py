"""What the sensitivity assessment reports: a cue is a category seen at a place in the text."""

from __future__ import annotations

from dataclasses import dataclass

from egide.policy.levels import Level

__all__ = ["Cue"]


@dataclass(frozen=True, slots=True, order=True)
class Cue:
    """``text[start:end]`` shows ``category`` (a stable code), which puts the text at ``level``."""

    start: int
    end: int
    category: str
    level: Level
    # The words themselves are the sensitive information ("diabète", "insuline"): they are
    # reported as findings and replaced before a model receives the text.
    term: bool = False
