"""Encryption at rest of the store's free-text columns (titles, contents, source names).

Each value is sealed with AES-256-GCM under a random 96-bit nonce. The associated data binds the
ciphertext to its table, column and row id: a ciphertext copied into another row, or from the
title into the content of the same row, fails to decrypt instead of showing the wrong text.

Layout of a sealed value: the version byte 2, the fingerprint of the key that sealed it (8
bytes), the 12-byte nonce, then ciphertext and tag. Values of the first format (version byte 1,
no fingerprint) are still read: every key of the keyring is tried, the current one first.

Keys: a keyring (:mod:`egide.keyring`): ``EGIDE_STORE_KEY`` (32 bytes in base64url) or
``<home>/keys/store.key`` seals; the next and previous keys still open what they sealed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from egide.keyring import KeyKind, Keyring, fingerprint
from egide.keys import KEY_SIZE, KeyFileError, load_key
from egide.store.errors import StoreError

__all__ = [
    "KEY_ENV",
    "STORE_KEYS",
    "StoreCipher",
    "TableCipher",
    "key_path",
    "load_store_key",
    "load_store_keyring",
    "sealed_key_id",
]

KEY_ENV = "EGIDE_STORE_KEY"
_LEGACY = b"\x01"
_VERSION = b"\x02"
_KID_SIZE = 8
_NONCE_SIZE = 12
LEGACY_KEY_ID = "ancien-format"  # values sealed before key ids: any key may have sealed them


def _store_key_id(key: bytes) -> str:
    return fingerprint(key, "store")


STORE_KEYS = KeyKind("store", KEY_ENV, "la clé de la base", _store_key_id)


def sealed_key_id(blob: bytes) -> str | None:
    """The fingerprint of the key that sealed ``blob``; LEGACY_KEY_ID for the first format,
    None when it is no sealed value."""
    head = bytes(blob[: 1 + _KID_SIZE])
    if head[:1] == _VERSION and len(head) == 1 + _KID_SIZE:
        return head[1:].hex()
    if head[:1] == _LEGACY:
        return LEGACY_KEY_ID
    return None


def key_path(home: Path) -> Path:
    return Path(home) / "keys" / "store.key"


def load_store_key(
    home: Path, *, create: bool = True, environ: Mapping[str, str] | None = None
) -> bytes:
    try:
        return load_key(key_path(home), env_var=KEY_ENV, create=create, environ=environ)
    except KeyFileError as exc:
        raise StoreError(f"clé de chiffrement de la base : {exc}") from None


def load_store_keyring(
    home: Path, *, create: bool = True, environ: Mapping[str, str] | None = None
) -> Keyring:
    try:
        return Keyring.load(STORE_KEYS, Path(home), create=create, environ=environ)
    except KeyFileError as exc:
        raise StoreError(f"clé de chiffrement de la base : {exc}") from None


class StoreCipher:
    """Seals with the keyring's current key; opens with whichever key sealed the value.

    ``keys`` is a keyring, or one key alone (tests, tools)."""

    def __init__(self, keys: bytes | Keyring) -> None:
        if isinstance(keys, bytes | bytearray):
            if len(keys) != KEY_SIZE:
                raise StoreError(
                    f"clé de chiffrement de la base invalide : {KEY_SIZE} octets attendus"
                )
            keys = Keyring(STORE_KEYS, bytes(keys))
        self.keys = keys
        self._aeads: dict[bytes, AESGCM] = {}

    def _aead(self, key: bytes) -> AESGCM:
        aead = self._aeads.get(key)
        if aead is None:
            aead = self._aeads[key] = AESGCM(key)
        return aead

    @property
    def key_id(self) -> str:
        """The fingerprint of the key that seals."""
        return self.keys.current_id

    def sealed_prefix(self) -> bytes:
        """How every value sealed with the current key begins (version and fingerprint)."""
        return _VERSION + bytes.fromhex(self.keys.current_id)

    @staticmethod
    def _context(table: str, column: str, row_id: str) -> bytes:
        return f"egide-store\x00{table}.{column}\x00{row_id}".encode()

    def seal(self, text: str, *, table: str, column: str, row_id: str) -> bytes:
        return self.seal_bytes(text.encode("utf-8"), table=table, column=column, row_id=row_id)

    def seal_bytes(self, data: bytes, *, table: str, column: str, row_id: str) -> bytes:
        self.keys.refresh_if_stale()
        key, kid = self.keys.current, self.keys.current_id
        nonce = os.urandom(_NONCE_SIZE)
        context = self._context(table, column, row_id)
        return _VERSION + bytes.fromhex(kid) + nonce + self._aead(key).encrypt(nonce, data, context)

    def open(self, blob: bytes, *, table: str, column: str, row_id: str) -> str:
        return self.open_bytes(blob, table=table, column=column, row_id=row_id).decode("utf-8")

    def open_bytes(self, blob: bytes, *, table: str, column: str, row_id: str) -> bytes:
        blob = bytes(blob)  # PostgreSQL drivers may hand back a memoryview
        where = f"{table}.{column}, ligne {row_id}"
        context = self._context(table, column, row_id)
        if blob[:1] == _VERSION and len(blob) >= 1 + _KID_SIZE + _NONCE_SIZE + 16:
            kid = blob[1 : 1 + _KID_SIZE].hex()
            key = self.keys.get(kid)
            if key is None:
                raise StoreError(
                    f"impossible de déchiffrer {where} : elle est chiffrée avec la clé {kid}, "
                    f"que ce processus ne connaît pas (ni {KEY_ENV}, ni {KEY_ENV}_NEXT, ni "
                    f"{KEY_ENV}_PREVIOUS, ni keys/store.key, keys/store.next.key, "
                    "keys/store.previous/) : remettez-la depuis votre coffre de clés ; "
                    "rien n'a été modifié"
                )
            candidates = [key]
            body = blob[1 + _KID_SIZE :]
        elif blob[:1] == _LEGACY and len(blob) >= 1 + _NONCE_SIZE + 16:
            candidates = [key for _kid, key in self.keys.items()]
            body = blob[1:]
        else:
            raise StoreError(
                f"donnée chiffrée illisible ({where}) : format inconnu ou donnée tronquée"
            )
        nonce, sealed = body[:_NONCE_SIZE], body[_NONCE_SIZE:]
        for key in candidates:
            try:
                return self._aead(key).decrypt(nonce, sealed, context)
            except InvalidTag:
                continue
        raise StoreError(
            f"impossible de déchiffrer {table}.{column} (ligne {row_id}) : la clé "
            f"({KEY_ENV} ou keys/store.key, et les anciennes) n'est pas celle qui a chiffré "
            "cette base, ou la donnée a été altérée"
        )

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
