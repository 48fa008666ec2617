"""The audit trail's HMAC key: from ``EGIDE_AUDIT_KEY``, else ``EGIDE_HOME/keys/audit.key``.

A plain SHA-256 chain can be recomputed by whoever can edit the file; an HMAC chain cannot
without the key. The key file is created on first use, readable by its owner only; for a real
separation of duties, give the key through the environment from a secret store, so that the
account that can write the log cannot read the key.
"""

from __future__ import annotations

import os
import secrets
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from egide.audit.errors import AuditError, os_error_fr

__all__ = ["AUDIT_KEY_ENV", "MIN_KEY_CHARS", "audit_key_path", "load_audit_key"]

AUDIT_KEY_ENV = "EGIDE_AUDIT_KEY"
MIN_KEY_CHARS = 32
_HINT = "générez-en une avec : python -c 'import secrets; print(secrets.token_hex(32))'"


def audit_key_path(home: Path) -> Path:
    return home / "keys" / "audit.key"


def _checked(text: str, source: str) -> bytes:
    key = text.strip()
    if len(key) < MIN_KEY_CHARS:
        raise AuditError(
            f"la clé d'audit ({source}) est trop courte : {MIN_KEY_CHARS} caractères au moins ; "
            + _HINT
        )
    return key.encode("utf-8")


def _read_key_file(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            data = handle.read()
    except OSError as exc:
        raise os_error_fr(exc, "de lire la clé d'audit", path) from None
    if stat.S_IMODE(mode) & 0o077:
        raise AuditError(
            f"la clé d'audit {path} est lisible par d'autres comptes "
            f"(droits {stat.S_IMODE(mode):o}) : faites « chmod 600 {path} »"
        )
    try:
        return _checked(data.decode("utf-8"), str(path))
    except UnicodeDecodeError:
        raise AuditError(f"la clé d'audit {path} n'est pas un texte UTF-8") from None


def _create_key_file(path: Path) -> None:
    # Written aside then hard-linked into place: a concurrent reader never sees a half key,
    # and of two processes creating it at once, exactly one wins.
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".audit.key.", suffix=".tmp")
        try:
            os.write(fd, (secrets.token_hex(32) + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    except OSError as exc:
        raise os_error_fr(exc, "de créer la clé d'audit", path) from None


def load_audit_key(
    home: Path, *, environ: Mapping[str, str] | None = None, create: bool = True
) -> bytes:
    """The key's bytes; creates the key file (mode 0600) when neither source has one."""
    env = os.environ if environ is None else environ
    value = env.get(AUDIT_KEY_ENV, "")
    if value.strip():
        return _checked(value, AUDIT_KEY_ENV)
    path = audit_key_path(home)
    if not path.exists():
        if not create:
            raise AuditError(f"clé d'audit introuvable : ni {AUDIT_KEY_ENV} ni {path}")
        _create_key_file(path)
    return _read_key_file(path)
