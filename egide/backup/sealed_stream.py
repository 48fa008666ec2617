"""An encrypted stream for backup archives: AES-256-GCM in chunks, truncation detected.

Layout: a header line (``EGIDE-SAUVEGARDE 1``), a 16-byte random salt, then chunks of at most
1 MiB, each ``length (4 bytes) || nonce (12) || ciphertext and tag``. The key is derived from
the store's key with HKDF-SHA-256 (salt, ``egide-sauvegarde-v1``): whoever holds the store's
key — needed anyway to read the database restored — opens the archive; nobody else can. Each
chunk's associated data is its number and whether it is the last: chunks cannot be reordered,
dropped or added, and an archive cut short is refused instead of restoring half of it.
"""

from __future__ import annotations

import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["MAGIC", "ArchiveError", "SealedReader", "SealedWriter"]

MAGIC = b"EGIDE-SAUVEGARDE 1\n"
_CHUNK = 1024 * 1024
_SALT = 16
_NONCE = 12
_INFO = b"egide-sauvegarde-v1"


class ArchiveError(Exception):
    """The archive cannot be read; the message is French."""


def _key(store_key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO).derive(store_key)
    return AESGCM(derived)


def _aad(index: int, last: bool) -> bytes:
    return MAGIC + struct.pack(">Q?", index, last)


class SealedWriter:
    """A writable binary stream that seals what it is given into ``out``; call close()."""

    def __init__(self, out: BinaryIO, store_key: bytes) -> None:
        salt = os.urandom(_SALT)
        self._out = out
        self._aead = _key(store_key, salt)
        self._buffer = bytearray()
        self._index = 0
        self._closed = False
        out.write(MAGIC + salt)

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > _CHUNK:
            self._emit(bytes(self._buffer[:_CHUNK]), last=False)
            del self._buffer[:_CHUNK]
        return len(data)

    def _emit(self, chunk: bytes, *, last: bool) -> None:
        nonce = os.urandom(_NONCE)
        sealed = self._aead.encrypt(nonce, chunk, _aad(self._index, last))
        self._out.write(struct.pack(">I", len(sealed)) + nonce + sealed)
        self._index += 1

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        if not self._closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True
            self._out.flush()


class SealedReader:
    """A readable binary stream over a sealed archive; ArchiveError (French) when the key is
    not the one that sealed it, or the archive was changed or cut short."""

    def __init__(self, source: BinaryIO, store_key: bytes) -> None:
        head = source.read(len(MAGIC) + _SALT)
        if len(head) != len(MAGIC) + _SALT or not head.startswith(MAGIC):
            raise ArchiveError("ce fichier n'est pas une sauvegarde d'Égide (egide backup)")
        self._source = source
        self._aead = _key(store_key, head[len(MAGIC) :])
        self._buffer = b""
        self._index = 0
        self._done = False

    def _next(self) -> None:
        size = self._source.read(4)
        if len(size) != 4:
            raise ArchiveError("sauvegarde tronquée : elle s'arrête avant sa fin ; rien n'a été "
                               "restauré à partir d'elle")  # fmt: skip
        (length,) = struct.unpack(">I", size)
        body = self._source.read(_NONCE + length)
        if len(body) != _NONCE + length or length > _CHUNK + 16:
            raise ArchiveError("sauvegarde tronquée ou altérée")
        nonce, sealed = body[:_NONCE], body[_NONCE:]
        for last in (False, True):
            try:
                plain = self._aead.decrypt(nonce, sealed, _aad(self._index, last))
            except InvalidTag:
                continue
            self._index += 1
            self._buffer += plain
            self._done = last
            if last and self._source.read(1):
                raise ArchiveError("sauvegarde altérée : des données suivent sa fin")
            return
        if self._index == 0:
            raise ArchiveError(
                "impossible d'ouvrir la sauvegarde : la clé de la base (EGIDE_STORE_KEY ou "
                "keys/store.key) n'est pas celle de l'installation sauvegardée, ou la sauvegarde "
                "est altérée"
            )
        raise ArchiveError("sauvegarde altérée (un bloc ne correspond pas à son scellé)")

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            self._next()
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data
