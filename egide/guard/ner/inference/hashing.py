"""The two hash functions the model was trained with, vectorised over numpy arrays.

- spaCy names every string by ``MurmurHash64A(utf8, seed=1)`` (``hash_string``), except the
  empty string (0) and its symbols (small fixed ids, see ``tables``).
- thinc's ``HashEmbed`` turns each such 64-bit id into four 32-bit row keys with its own
  variant of MurmurHash3 (``MurmurHash3_x86_128_uint64`` in ``thinc/backends/numpy_ops.pyx``).

Both are exact ports: unsigned 64-bit numpy arithmetic wraps modulo 2**64 as C does. They run
once per new word (the embeddings are cached per word), so numpy's per-call overhead is shared
by every word of a batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from egide.guard.ner.inference.tables import symbols

__all__ = ["murmurhash64a", "embed_keys", "string_ids"]

_U64 = np.uint64
_M = _U64(0xC6A4A7935BD1E995)
_R = _U64(47)


def murmurhash64a(data: Sequence[bytes], seed: int = 1) -> np.ndarray:
    """MurmurHash64A of each byte string, as ``murmurhash.mrmr.hash64`` computes it."""
    count = len(data)
    if count == 0:
        return np.zeros(0, dtype=np.uint64)
    lengths = np.fromiter((len(d) for d in data), dtype=np.int64, count=count)
    blocks = int(lengths.max()) // 8 + 1
    padded = np.zeros((count, blocks * 8), dtype=np.uint8)
    flat = np.frombuffer(b"".join(data), dtype=np.uint8)
    rows = np.repeat(np.arange(count), lengths)
    columns = np.arange(flat.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    padded[rows, columns] = flat
    words = padded.view("<u8")  # little-endian 8-byte loads, as on x86
    with np.errstate(over="ignore"):
        h = _U64(seed) ^ (lengths.astype(np.uint64) * _M)
        full = lengths // 8
        for b in range(int(full.max())):
            k = words[:, b] * _M
            k ^= k >> _R
            k *= _M
            mixed = (h ^ k) * _M
            h = np.where(full > b, mixed, h)
        # The 1 to 7 trailing bytes, zero-padded, are exactly the next little-endian word.
        tail = words[np.arange(count), full]
        h = np.where((lengths & 7) != 0, (h ^ tail) * _M, h)
        h ^= h >> _R
        h *= _M
        h ^= h >> _R
    return h


def string_ids(strings: Sequence[str]) -> np.ndarray:
    """spaCy's id of each string (``StringStore.add``): 0, a symbol id, or its hash."""
    table = symbols()
    ids = np.zeros(len(strings), dtype=np.uint64)
    hashed: list[int] = []
    for index, value in enumerate(strings):
        symbol = table.get(value)
        if symbol is not None:
            ids[index] = symbol
        elif value:
            hashed.append(index)
    if hashed:
        ids[hashed] = murmurhash64a([strings[i].encode("utf-8") for i in hashed])
    return ids


_C1 = _U64(0x87C37B91114253D5)
_C2 = _U64(0x4CF5AD432745937F)
_F1 = _U64(0xFF51AFD7ED558CCD)
_F2 = _U64(0xC4CEB9FE1A85EC53)


def embed_keys(ids: np.ndarray, seed: int) -> np.ndarray:
    """thinc's four 32-bit keys of each 64-bit id, shape (n, 4), for ``HashEmbed(seed=seed)``."""
    s = _U64(seed)
    with np.errstate(over="ignore"):
        h1 = ids.astype(np.uint64) * _C1
        h1 = (h1 << _U64(31)) | (h1 >> _U64(33))
        h1 *= _C2
        h1 ^= s
        h1 ^= _U64(8)
        h2 = np.full_like(h1, s ^ _U64(8))
        h1 += h2
        h2 += h1
        for h in (h1, h2):
            h ^= h >> _U64(33)
            h *= _F1
            h ^= h >> _U64(33)
            h *= _F2
            h ^= h >> _U64(33)
        h1 += h2
        h2 += h1
    keys = np.empty((ids.shape[0], 4), dtype=np.uint32)
    keys[:, 0] = h1 & _U64(0xFFFFFFFF)
    keys[:, 1] = h1 >> _U64(32)
    keys[:, 2] = h2 & _U64(0xFFFFFFFF)
    keys[:, 3] = h2 >> _U64(32)
    return keys
