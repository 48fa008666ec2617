"""Reading the model package's small msgpack files (weights, transitions, tokenizer rules).

spaCy writes them with srsly: msgpack, with numpy arrays as maps holding their dtype, shape and
bytes (msgpack-numpy's layout). They hold a few hundred objects, the arrays being single byte
strings, so reading them here costs a few milliseconds, where importing srsly cost forty. (The
large ``vocab/key2row`` is read by srsly once, then cached: see :mod:`vector_index`.)
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

__all__ = ["unpack"]

_NUMBERS = {
    0xCC: (1, ">B"), 0xCD: (2, ">H"), 0xCE: (4, ">I"), 0xCF: (8, ">Q"),
    0xD0: (1, ">b"), 0xD1: (2, ">h"), 0xD2: (4, ">i"), 0xD3: (8, ">q"),
    0xCA: (4, ">f"), 0xCB: (8, ">d"),
}  # fmt: skip
_CONSTANTS = {0xC0: None, 0xC2: False, 0xC3: True}
_BINARY = {0xC4: 1, 0xC5: 2, 0xC6: 4}
_TEXT = {0xD9: 1, 0xDA: 2, 0xDB: 4}
_ARRAY = {0xDC: 2, 0xDD: 4}
_MAP = {0xDE: 2, 0xDF: 4}


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, size: int) -> bytes:
        end = self.pos + size
        if end > len(self.data):
            raise ValueError("msgpack : données tronquées")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def length(self, size: int) -> int:
        return int.from_bytes(self.take(size), "big")

    def value(self) -> Any:
        head = self.take(1)[0]
        if head <= 0x7F or head >= 0xE0:  # positive and negative fixint
            return head if head <= 0x7F else head - 0x100
        if head <= 0x8F:
            return self.mapping(head & 0x0F)
        if head <= 0x9F:
            return [self.value() for _ in range(head & 0x0F)]
        if head <= 0xBF:
            return self.take(head & 0x1F).decode("utf-8")
        if head in _NUMBERS:
            size, layout = _NUMBERS[head]
            return struct.unpack(layout, self.take(size))[0]
        if head in _CONSTANTS:
            return _CONSTANTS[head]
        if head in _BINARY:
            return self.take(self.length(_BINARY[head]))
        if head in _TEXT:
            return self.take(self.length(_TEXT[head])).decode("utf-8")
        if head in _ARRAY:
            return [self.value() for _ in range(self.length(_ARRAY[head]))]
        if head in _MAP:
            return self.mapping(self.length(_MAP[head]))
        raise ValueError(f"msgpack : type 0x{head:02x} non pris en charge")

    def mapping(self, count: int) -> Any:
        found = {}
        for _ in range(count):
            key = self.value()
            found[key] = self.value()
        if found.get(b"nd") is True:  # a numpy array, as msgpack-numpy (srsly) writes it
            if found.get(b"kind", b"") != b"":
                raise ValueError("msgpack : tableau numpy structuré non pris en charge")
            array = np.frombuffer(found[b"data"], dtype=np.dtype(found[b"type"]))
            return array.reshape(found[b"shape"])
        return found


def unpack(data: bytes) -> Any:
    """The object encoded in ``data``; its numpy arrays are read-only views of ``data``."""
    reader = _Reader(data)
    found = reader.value()
    if reader.pos != len(data):
        raise ValueError("msgpack : octets en trop après l'objet")
    return found
