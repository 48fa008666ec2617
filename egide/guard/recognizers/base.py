"""Building blocks shared by the pattern recognizers: regex + check key + context words."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from egide.guard.findings import Finding

__all__ = ["PatternRecognizer", "has_context", "digits_only"]

CONTEXT_WINDOW = 60


def digits_only(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def has_context(
    text: str,
    start: int,
    end: int,
    words: Sequence[str],
    *,
    before: int = CONTEXT_WINDOW,
    after: int = 0,
) -> bool:
    """True when one of ``words`` (lower case) appears just before (or after) the span."""
    if not words:
        return False
    window = text[max(0, start - before) : start].lower()
    if after:
        window += " " + text[end : end + after].lower()
    return any(word in window for word in words)


@dataclass
class PatternRecognizer:
    """A regex whose matches are kept only when ``validate`` accepts them.

    The regex must be linear-time: no nested quantifiers, bounded repetitions only. When it has
    a group named ``value``, that group is the reported span (so a pattern may require a
    surrounding context without reporting it). Context words raise the score; with
    ``context_required`` a match without them is dropped (for identifiers without a check key).
    """

    name: str
    label: str
    pattern: re.Pattern[str]
    validate: Callable[[str], bool] | None = None
    score: float = 0.85
    context_words: Sequence[str] = ()
    context_score: float = 0.99
    context_required: bool = False
    context_before: int = CONTEXT_WINDOW
    explanation: str = ""
    labels: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.labels = (self.label,)

    def _spans(self, text: str) -> Iterator[tuple[int, int]]:
        has_value = "value" in self.pattern.groupindex
        for match in self.pattern.finditer(text):
            if has_value:
                yield match.start("value"), match.end("value")
            else:
                yield match.start(), match.end()

    def find(self, text: str) -> Iterable[Finding]:
        for start, end in self._spans(text):
            value = text[start:end]
            if self.validate is not None and not self.validate(value):
                continue
            context = has_context(text, start, end, self.context_words, before=self.context_before)
            if self.context_required and not context:
                continue
            score = self.context_score if context else self.score
            why = self.explanation + (" ; mot de contexte" if context else "")
            yield Finding(start, end, self.label, score, value, self.name, why.strip(" ;"))
