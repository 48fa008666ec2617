"""Greedy BILUO decoding, as spaCy's ``BiluoPushDown`` with ``beam_width = 1`` does it.

The state of the entity recogniser at token ``i`` is described by three tokens: ``i`` itself,
the first token of the open entity and the token before ``i`` (the last two only while an
entity is open, otherwise padding). So outside any entity the scores of every token can be
computed at once, in one matrix product; only inside an entity (a few tokens in a hundred)
do they depend on earlier decisions, and those are computed an entity at a time.

Validity of the moves, with no preset entities and no sentence boundaries (spaCy's
``ner.pyx``): outside an entity, OUT is always valid, UNIT-X unless the token is whitespace,
BEGIN-X unless the token is whitespace or the last one; inside an entity of label X, only
IN-X (not on the last token) and LAST-X. Among valid moves the best score wins, the first in
class order on a tie.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from egide.guard.ner.inference.package import BEGIN, IN, LAST, OUT, UNIT, Transition

__all__ = ["Decoder"]

_WINDOW = 8  # tokens scored at once inside an entity: most entities are shorter


class Decoder:
    def __init__(
        self,
        transitions: Sequence[Transition],
        upper_w: np.ndarray,
        upper_b: np.ndarray,
        lower_b: np.ndarray,
        lower_pad: np.ndarray,
        pieces: int,
    ) -> None:
        self._labels = [t.label for t in transitions]
        self._upper = np.ascontiguousarray(upper_w.T)
        self._upper_b = upper_b
        self._bias = lower_b
        self._pad = lower_pad  # (features, pieces * hidden)
        self._pieces = pieces
        index = {(t.move, t.label): i for i, t in enumerate(transitions)}
        self._out = index[(OUT, "")]
        labels = [t.label for t in transitions if t.move == BEGIN]
        self._inside = {label: (index[(IN, label)], index[(LAST, label)]) for label in labels}
        n = len(transitions)
        # Moves possible outside an entity, on a whitespace token and on the last token.
        self._outside_ok = np.zeros(n, dtype=bool)
        self._unit_or_begin = np.zeros(n, dtype=bool)
        self._begin = np.zeros(n, dtype=bool)
        for i, t in enumerate(transitions):
            if t.move == OUT:
                self._outside_ok[i] = True
            elif t.move in (UNIT, BEGIN) and t.label:
                self._outside_ok[i] = True
                self._unit_or_begin[i] = True
                self._begin[i] = t.move == BEGIN
        self._moves = [t.move for t in transitions]

    def _hidden(self, unmaxed: np.ndarray) -> np.ndarray:
        unmaxed += self._bias
        width = unmaxed.shape[1] // self._pieces
        best = unmaxed[:, :width]
        for piece in range(1, self._pieces):
            best = np.maximum(best, unmaxed[:, piece * width : (piece + 1) * width])
        return best

    def __call__(
        self, contributions: np.ndarray, words: Sequence[str]
    ) -> list[tuple[int, int, str]]:
        """(first token, end token, label) of each entity of one document."""
        n = len(words)
        if n == 0:
            return []
        # Outside any entity: features (token, padding, padding).
        unmaxed = contributions[:, 0] + self._pad[1]
        unmaxed += self._pad[2]
        scores = self._hidden(unmaxed) @ self._upper
        scores += self._upper_b
        space = np.fromiter((w.isspace() for w in words), dtype=bool, count=n)
        valid = np.broadcast_to(self._outside_ok, scores.shape).copy()
        valid[space] &= ~self._unit_or_begin
        valid[n - 1] &= ~self._begin
        scores[~valid] = -np.inf
        best = scores.argmax(axis=1)  # first maximum: spaCy's tie-break
        entities: list[tuple[int, int, str]] = []
        starts = np.flatnonzero(best != self._out)
        position = 0
        for start in starts.tolist():
            if start < position:
                continue  # inside the entity just read
            action = int(best[start])
            label = self._labels[action]
            if self._moves[action] == UNIT:
                entities.append((start, start + 1, label))
                position = start + 1
            else:
                end = self._entity_end(contributions, start, label, n)
                entities.append((start, end, label))
                position = end
        return entities

    def _entity_end(self, contributions: np.ndarray, start: int, label: str, n: int) -> int:
        """The end (exclusive) of the entity begun at ``start``."""
        inside, last = self._inside[label]
        columns = [inside, last]
        first = start + 1
        while True:
            stop = min(first + _WINDOW, n)
            tokens = np.arange(first, stop)
            # Features (token, first token of the entity, previous token).
            unmaxed = contributions[tokens, 0] + contributions[start, 1]
            unmaxed += contributions[tokens - 1, 2]
            scores = self._hidden(unmaxed) @ self._upper[:, columns]
            scores += self._upper_b[columns]
            for row, token in enumerate(range(first, stop)):
                # IN is not valid on the last token; on a tie, IN (the lower class) wins.
                if token == n - 1 or scores[row, 1] > scores[row, 0]:
                    return token + 1
            first = stop
