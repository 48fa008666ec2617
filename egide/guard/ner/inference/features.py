"""Token features and their embeddings, cached per word.

spaCy's ``MultiHashEmbed`` embeds a token from four lexical attributes of its text (NORM,
PREFIX, SUFFIX, SHAPE, each hashed into a table) and its static word vector, then mixes them
with a maxout layer and a layer norm. All of that depends on the word alone (and on the NORM a
special case may give it), so it is computed once per distinct word and kept: in a document,
most tokens are words already seen.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

import numpy as np

from egide.guard.ner.inference.hashing import embed_keys, string_ids
from egide.guard.ner.inference.package import NerWeights
from egide.guard.ner.inference.tables import base_norms

__all__ = ["WordEmbeddings", "layer_norm", "maxout_weights", "word_shape"]

WordKey = str | tuple[str, str]  # the word, or (word, NORM given by a special case)
_CACHE_WORDS = 50_000  # 50,000 x 96 floats: about 19 MB


def word_shape(text: str) -> str:
    """spaCy's SHAPE attribute ("Dupont" -> "Xxxxx"), copied from ``spacy/lang/lex_attrs.py``."""
    if len(text) >= 100:
        return "LONG"
    shape = []
    last = ""
    seq = 0
    for char in text:
        if char.isalpha():
            shape_char = "X" if char.isupper() else "x"
        elif char.isdigit():
            shape_char = "d"
        else:
            shape_char = char
        if shape_char == last:
            seq += 1
        else:
            seq = 0
            last = shape_char
        if seq < 4:
            shape.append(shape_char)
    return "".join(shape)


def maxout_weights(w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """thinc's maxout weights (out, pieces, in) as one (in, pieces * out) matrix whose columns
    are grouped by piece, so that the maximum is taken over contiguous slices."""
    out, pieces, width = w.shape
    matrix = np.ascontiguousarray(w.transpose(1, 0, 2).reshape(pieces * out, width).T)
    return matrix, np.ascontiguousarray(b.T.reshape(pieces * out))


def maxout(x: np.ndarray, matrix: np.ndarray, bias: np.ndarray, pieces: int) -> np.ndarray:
    y = x @ matrix
    y += bias
    width = matrix.shape[1] // pieces
    best = y[:, :width]
    for piece in range(1, pieces):
        np.maximum(best, y[:, piece * width : (piece + 1) * width], out=best)
    return np.ascontiguousarray(best)


def layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
    """thinc's LayerNorm, with the same operations in the same order (numpy's mean, var)."""
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True) + 1e-08
    y = (x - mu) * var ** (-1.0 / 2.0)
    y *= g
    y += b
    return y


class WordEmbeddings:
    """The embedding of each word, computed on first sight and then read from a table."""

    def __init__(self, weights: NerWeights) -> None:
        if weights.attrs != ("NORM", "PREFIX", "SUFFIX", "SHAPE"):
            raise ValueError(f"unexpected token attributes: {weights.attrs}")
        self._tables = weights.embed_tables
        self._seeds = weights.embed_seeds
        self._static_w = np.ascontiguousarray(weights.static_w.T)
        self._vectors = weights.vectors
        self._vector_index = weights.vector_index
        self._pieces = weights.mix_w.shape[1]
        self._mix, self._mix_b = maxout_weights(weights.mix_w, weights.mix_b)
        self._norm_g, self._norm_b = weights.mix_g, weights.mix_norm_b
        self.width = weights.mix_w.shape[0]
        self._norms = base_norms()
        self._rows: dict[WordKey, int] = {}
        self._table = np.zeros((1024, self.width), dtype=np.float32)
        self._lock = threading.Lock()

    def __call__(self, words: Sequence[str], norms: Mapping[int, str]) -> np.ndarray:
        """(len(words), width) embeddings of the tokens; ``norms``: the NORM a special case
        gives some of them, by index."""
        keys: list[WordKey] = list(words)
        for position, norm in norms.items():
            keys[position] = (words[position], norm)
        with self._lock:
            rows = self._rows
            if len(rows) + len(keys) > _CACHE_WORDS:
                rows.clear()  # bounded memory; the words of this batch come back at once
            new = list(dict.fromkeys(k for k in keys if k not in rows))
            if new:
                self._add(new)
            index = np.fromiter((rows[k] for k in keys), dtype=np.intp, count=len(keys))
            return self._table[index]

    def _add(self, new: list[WordKey]) -> None:
        first = len(self._rows)
        needed = first + len(new)
        if needed > self._table.shape[0]:
            grown = np.zeros((max(needed, 2 * self._table.shape[0]), self.width), np.float32)
            grown[:first] = self._table[:first]
            self._table = grown
        self._table[first:needed] = self._compute(new)
        for offset, key in enumerate(new):
            self._rows[key] = first + offset

    def _compute(self, keys: list[WordKey]) -> np.ndarray:
        words = [k if isinstance(k, str) else k[0] for k in keys]
        norms = [(self._norms.get(k) or k.lower()) if isinstance(k, str) else k[1] for k in keys]
        columns = (
            norms,
            [w[0] for w in words],
            [w[-3:] for w in words],
            list(map(word_shape, words)),
        )
        parts = []
        for values, table, seed in zip(columns, self._tables, self._seeds, strict=True):
            rows = embed_keys(string_ids(values), seed) % table.shape[0]
            parts.append(
                table[rows[:, 0]] + table[rows[:, 1]] + table[rows[:, 2]] + table[rows[:, 3]]
            )
        orth_ids = string_ids(words)
        vector_rows = self._vector_index.rows(orth_ids)
        static = np.asarray(self._vectors[vector_rows], dtype=np.float32) @ self._static_w
        static[vector_rows < 0] = 0
        parts.append(static)
        mixed = maxout(np.concatenate(parts, axis=1), self._mix, self._mix_b, self._pieces)
        return layer_norm(mixed, self._norm_g, self._norm_b)
