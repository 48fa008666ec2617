"""Snippets for search results: the part of a passage that matches, its matching words marked.

Words match when their stems do (the same French analysis as the index), so that « renouveler »
marks « renouvellement ». The result is a list of (text, marked) runs: templates escape each run
and wrap the marked ones, so that a passage can never inject markup.
"""

from __future__ import annotations

import re

from egide.knowledge.analysis import analyze

__all__ = ["marked_runs", "snippet"]

_TOKEN = re.compile(r"\w+", re.UNICODE)


def _window(text: str, terms: set[str], width: int) -> tuple[int, int]:
    """The ``width`` characters of ``text`` holding the most matching words."""
    if len(text) <= width:
        return 0, len(text)
    hits = [m.start() for m in _TOKEN.finditer(text) if set(analyze(m.group())) & terms]
    if not hits:
        return 0, width
    best, best_count = hits[0], 0
    for start in hits:
        count = sum(1 for h in hits if start <= h < start + width)
        if count > best_count:
            best, best_count = start, count
    start = max(0, min(best - width // 5, len(text) - width))
    return start, start + width


def marked_runs(text: str, question: str, *, width: int = 320) -> list[tuple[str, bool]]:
    """(text, is_match) runs of the best window of ``text``, with « … » where it was cut."""
    terms = set(analyze(question))
    start, end = _window(text, terms, width)
    # Whole words only at the edges of the window.
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    piece = " ".join(text[start:end].split())
    runs: list[tuple[str, bool]] = []
    if start > 0:
        runs.append(("… ", False))
    position = 0
    for match in _TOKEN.finditer(piece):
        if terms and set(analyze(match.group())) & terms:
            if match.start() > position:
                runs.append((piece[position : match.start()], False))
            runs.append((match.group(), True))
            position = match.end()
    runs.append((piece[position:], False))
    if end < len(text):
        runs.append((" …", False))
    return [(run, marked) for run, marked in runs if run]


def snippet(text: str, question: str, *, width: int = 320) -> str:
    """The same window as plain text, matches between « ** » (for a terminal)."""
    return "".join(
        f"**{run}**" if marked else run for run, marked in marked_runs(text, question, width=width)
    )
