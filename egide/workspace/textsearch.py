"""Searching the agent's own decrypted texts: case, accents, apostrophes and spacing ignored.

The texts are sealed in the database, so the search runs here, on the owner's texts only. The
folding is the guard's (:func:`egide.guard.sensitive.folding.fold`): one definition of "the same
letters" for every matcher of Égide; runs of spaces and line breaks count as one space.
"""

from __future__ import annotations

import re

from egide.guard.sensitive.folding import fold

__all__ = ["Needle", "SNIPPET_CHARS"]

SNIPPET_CHARS = 80
_SPACES = re.compile(r"\s+")


class Needle:
    """What the agent typed, folded once; ``find`` answers with a snippet of the match."""

    def __init__(self, query: str) -> None:
        self.text = fold(_SPACES.sub(" ", query).strip()).text
        # Spacing matters only to a needle of several words: a single word spares the texts
        # a pass of the regular expression (a fifth of the search's time).
        self._spaced = " " in self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    def _flat(self, text: str) -> str:
        return _SPACES.sub(" ", text) if self._spaced else text

    def found_in(self, text: str) -> bool:
        return self.text in fold(self._flat(text)).text

    def snippet(self, text: str) -> str | None:
        """The words around the first match in ``text`` (None when it is not there)."""
        folded = fold(self._flat(text))
        index = folded.text.find(self.text)
        if index < 0:
            return None
        # Found: the snippet is cut from the text with its spacing made plain.
        flat = _SPACES.sub(" ", text)
        folded = fold(flat)
        index = folded.text.find(self.text)
        start, end = folded.span_in_original(index, index + len(self.text))
        left = max(0, start - SNIPPET_CHARS)
        right = min(len(flat), end + SNIPPET_CHARS)
        # Whole words only at the edges: cut at the nearest space.
        if left > 0:
            space = flat.find(" ", left, start)
            left = space + 1 if space >= 0 else left
        if right < len(flat):
            space = flat.rfind(" ", end, right)
            right = space if space >= 0 else right
        prefix = "…" if left > 0 else ""
        suffix = "…" if right < len(flat) else ""
        return prefix + flat[left:right].strip() + suffix
