"""The entity recogniser's network: the context encoder, then the transition model's scores.

What spaCy computes for ``TransitionBasedParser.v2`` over ``Tok2Vec.v2``, with numpy:

1. word embeddings (:mod:`features`), one row per token;
2. ``MaxoutWindowEncoder``: four residual layers, each a maxout over the token and its two
   neighbours followed by a layer norm; documents are separated by as many zero rows as the
   encoder sees around a token, so that they do not see each other (thinc's ``with_array``
   padding);
3. a linear layer down to the state width, then the "precomputable affine" layer: for each
   token, its contribution as each of the three state features (current token, first token of
   the open entity, previous token).

:mod:`decoder` then reads the entities from these contributions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from egide.guard.ner.inference.features import maxout_weights
from egide.guard.ner.inference.package import NerWeights

__all__ = ["Encoder"]


def _layer_norm_into(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
    """:func:`~egide.guard.ner.inference.features.layer_norm` with one pass less: the
    centred values serve both the variance and the result. The same numpy reductions in the
    same order (a mean, then the mean of the squared deviations), hence the same numbers."""
    count = x.shape[1]
    centred = x - x.mean(axis=1, keepdims=True)
    squares = centred * centred
    var = squares.sum(axis=1, keepdims=True) / count + 1e-08
    centred *= var ** (-1.0 / 2.0)
    centred *= g
    centred += b
    return centred


class Encoder:
    def __init__(self, weights: NerWeights) -> None:
        self._pieces = weights.encoder[0][0].shape[1]
        self._layers = [(*maxout_weights(w, b), g, nb) for w, b, g, nb in weights.encoder]
        self._pad = weights.encoder_pad
        self._to_hidden = np.ascontiguousarray(weights.to_hidden_w.T)
        self._to_hidden_b = weights.to_hidden_b
        n_features, hidden, pieces, width = weights.lower_w.shape
        self.features, self.hidden, self.state_pieces = n_features, hidden, pieces
        # Columns grouped by feature, then piece, then unit: feature f of a token is the
        # contiguous slice [f * pieces * hidden, (f + 1) * pieces * hidden).
        self._lower = np.ascontiguousarray(
            weights.lower_w.transpose(0, 2, 1, 3).reshape(n_features * pieces * hidden, width).T
        )
        self.lower_b = np.ascontiguousarray(weights.lower_b.T.reshape(pieces * hidden))
        self.lower_pad = np.ascontiguousarray(
            weights.lower_pad.transpose(0, 2, 1).reshape(n_features, pieces * hidden)
        )

    def __call__(self, embedded: np.ndarray, lengths: Sequence[int]) -> np.ndarray:
        """(tokens, features, pieces * hidden) contributions of the tokens of the documents
        whose embeddings are stacked in ``embedded``."""
        width = embedded.shape[1]
        pad = self._pad
        total = int(sum(lengths)) + pad * (len(lengths) + 1)
        x = np.zeros((total, width), dtype=np.float32)
        rows = []
        position, offset = pad, 0
        for length in lengths:
            x[position : position + length] = embedded[offset : offset + length]
            rows.append(np.arange(position, position + length))
            position += length + pad
            offset += length
        # Buffers reused by the four layers (a few megabytes for a batch of chunks).
        window = np.empty((total, 3 * width), dtype=np.float32)
        unmaxed = np.empty((total, self._pieces * width), dtype=np.float32)
        best = np.empty((total, width), dtype=np.float32)
        for matrix, bias, g, b in self._layers:
            # thinc's expand_window(1): [previous, token, next], zeros beyond the ends.
            window[:, width : 2 * width] = x
            window[0, :width] = 0
            window[1:, :width] = x[:-1]
            window[-1, 2 * width :] = 0
            window[:-1, 2 * width :] = x[1:]
            np.matmul(window, matrix, out=unmaxed)
            unmaxed += bias
            np.maximum(unmaxed[:, :width], unmaxed[:, width : 2 * width], out=best)
            for piece in range(2, self._pieces):
                np.maximum(best, unmaxed[:, piece * width : (piece + 1) * width], out=best)
            x += _layer_norm_into(best, g, b)
        tokens = x[np.concatenate(rows)] if rows else x[:0]
        hidden = tokens @ self._to_hidden
        hidden += self._to_hidden_b
        contributions = hidden @ self._lower
        return contributions.reshape(len(tokens), self.features, -1)
