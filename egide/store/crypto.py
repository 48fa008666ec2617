"""Encryption at rest of the store's free-text columns (titles, contents, source names).

Each value is sealed with AES-256-GCM under a random 96-bit nonce. The associated data binds the
ciphertext to its table, column and row id: a ciphertext copied into another row, or from the
title into the content of the same row, fails to decrypt instead of showing the wrong text.

Layout of a sealed value: one version byte, the 12-byte nonce, then ciphertext and tag.

Key: ``EGIDE_STORE_KEY`` (32 bytes in base64url) or ``<home>/keys/store.key`` (see
:mod:`egide.keys`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from egide.keys import KEY_SIZE, KeyFileError, load_key
from egide.store.errors import StoreError

__all__ = ["KEY_ENV", "StoreCipher", "TableCipher", "key_path", "load_store_key"]

KEY_ENV = "EGIDE_STORE_KEY"
_VERSION = b"\x01"
_NONCE_SIZE = 12


def key_path(home: Path) -> Path:
    return Path(home) / "keys" / "store.key"


def load_store_key(
    home: Path, *, create: bool = True, environ: Mapping[str, str] | None = None
) -> bytes:
    try:
        return load_key(key_path(home), env_var=KEY_ENV, create=create, environ=environ)
    except KeyFileError as exc:
        raise StoreError(f"clé de chiffrement de la base : {exc}") from None


class StoreCipher:
    """Seals and opens the values of one store with one key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_SIZE:
            raise StoreError(f"clé de chiffrement de la base invalide : {KEY_SIZE} octets attendus")
        self._aead = AESGCM(key)

    @staticmethod
    def _context(table: str, column: str, row_id: str) -> bytes:
        return f"egide-store\x00{table}.{column}\x00{row_id}".encode()

    def seal(self, text: str, *, table: str, column: str, row_id: str) -> bytes:
        return self.seal_bytes(text.encode("utf-8"), table=table, column=column, row_id=row_id)

    def seal_bytes(self, data: bytes, *, table: str, column: str, row_id: str) -> bytes:
        nonce = os.urandom(_NONCE_SIZE)
        context = self._context(table, column, row_id)
        return _VERSION + nonce + self._aead.encrypt(nonce, data, context)

    def open(self, blob: bytes, *, table: str, column: str, row_id: str) -> str:
        return self.open_bytes(blob, table=table, column=column, row_id=row_id).decode("utf-8")

    def open_bytes(self, blob: bytes, *, table: str, column: str, row_id: str) -> bytes:
        blob = bytes(blob)  # PostgreSQL drivers may hand back a memoryview
        if len(blob) < 1 + _NONCE_SIZE + 16 or blob[:1] != _VERSION:
            raise StoreError(
                f"donnée chiffrée illisible ({table}.{column}, ligne {row_id}) : "
                "format inconnu ou donnée tronquée"
            )
        nonce, sealed = blob[1 : 1 + _NONCE_SIZE], blob[1 + _NONCE_SIZE :]
        try:
            plain = self._aead.decrypt(nonce, sealed, self._context(table, column, row_id))
        except InvalidTag:
            raise StoreError(
                f"impossible de déchiffrer {table}.{column} (ligne {row_id}) : la clé "
                f"({KEY_ENV} ou keys/store.key) n'est pas celle qui a chiffré cette base, "
                "ou la donnée a été altérée"
            ) from None
        return plain

    def for_table(self, table: str) -> TableCipher:
        return TableCipher(self, table)


class TableCipher:
    """The cipher of one table: ``seal(value, column, row_id)`` and ``open(blob, column, row_id)``."""

    def __init__(self, cipher: StoreCipher, table: str) -> None:
        self._cipher = cipher
        self.table = table

    def seal(self, text: str, column: str, row_id: str) -> bytes:
        return self._cipher.seal(text, table=self.table, column=column, row_id=row_id)

    def open(self, blob: bytes, column: str, row_id: str) -> str:
        return self._cipher.open(blob, table=self.table, column=column, row_id=row_id)

    def seal_bytes(self, data: bytes, column: str, row_id: str) -> bytes:
        return self._cipher.seal_bytes(data, table=self.table, column=column, row_id=row_id)

    def open_bytes(self, blob: bytes, column: str, row_id: str) -> bytes:
        return self._cipher.open_bytes(blob, table=self.table, column=column, row_id=row_id)
