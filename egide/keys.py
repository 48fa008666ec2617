"""Symmetric keys kept outside the data they protect: from the environment or a private file.

A deployment keeps its keys in its secret store and hands them over through an environment
variable (32 bytes in base64url). Without one, Égide creates a random key in ``<home>/keys/``:
base64url text, mode 0600, in a folder of mode 0700, written under a temporary name then
hard-linked into place, so that a reader never sees half a key and two processes starting
together end up sharing the same one.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "KEY_SIZE",
    "KeyFileError",
    "create_key_file",
    "decode_key",
    "load_key",
    "new_key_text",
    "read_key_file",
]

KEY_SIZE = 32  # AES-256


class KeyFileError(Exception):
    """A key cannot be read, decoded or created; the message says why and what to do, in French."""


def new_key_text() -> str:
    """A fresh random key, in the form expected by the environment variables."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_SIZE)).decode("ascii")


def decode_key(text: str, source: str) -> bytes:
    text = text.strip()
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_SIZE:
        raise KeyFileError(
            f"clé invalide ({source}) : {KEY_SIZE} octets encodés en base64url attendus "
            '(par exemple : python -c "import secrets, base64; '
            'print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())")'
        )
    return key


def read_key_file(path: Path) -> bytes:
    """The key of a private file; KeyFileError (French) when readable by others or invalid."""
    info = path.stat()
    if os.name == "posix" and info.st_mode & 0o077:
        raise KeyFileError(
            f"la clé {path} est accessible à d'autres utilisateurs "
            f"(droits {stat.S_IMODE(info.st_mode):04o}) : exécutez « chmod 600 {path} »"
        )
    try:
        text = path.read_text(encoding="ascii")
    except UnicodeDecodeError:
        text = ""
    return decode_key(text, str(path))


def create_key_file(path: Path, text: str | None = None) -> None:
    """Write a key file atomically (mode 0600): ``text``, or a fresh random key; a file
    already there is kept (the first process to create it wins)."""
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = folder / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        try:
            os.write(fd, (text or new_key_text()).encode("ascii") + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        # When another process won the race, its key is the one everybody uses.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load_key(
    path: Path,
    *,
    env_var: str,
    create: bool = True,
    environ: Mapping[str, str] | None = None,
) -> bytes:
    """The key from ``env_var`` when set, else from ``path`` (created when allowed and missing).

    ``create=False`` is for data that already exists: a fresh key could never decrypt it, so a
    missing key must stop the program instead of silently replacing the lost one.
    """
    env = os.environ if environ is None else environ
    from_env = env.get(env_var)
    if from_env:
        return decode_key(from_env, env_var)
    try:
        return read_key_file(path)
    except FileNotFoundError:
        if not create:
            raise KeyFileError(
                f"clé introuvable : {path} (ni {env_var}) ; les données existantes ont été "
                "chiffrées avec une clé qu'il faut restaurer depuis votre sauvegarde"
            ) from None
    except OSError as exc:
        raise KeyFileError(f"impossible de lire la clé {path} : {exc.strerror}") from None
    try:
        create_key_file(path)
        return read_key_file(path)
    except OSError as exc:
        raise KeyFileError(
            f"impossible de créer la clé dans {path.parent} : {exc.strerror}"
        ) from None
