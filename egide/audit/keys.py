"""The audit trail's HMAC key: from ``EGIDE_AUDIT_KEY``, else ``EGIDE_HOME/keys/audit.key``.

A plain SHA-256 chain can be recomputed by whoever can edit the file; an HMAC chain cannot
without the key. The key is handled like Égide's other keys (egide.keys): 32 random bytes in
base64url, a private file created on first use. For a real separation of duties, give the key
through the environment from a secret store, so that the account that can write the log cannot
read the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from egide.audit.errors import AuditError
from egide.keys import KeyFileError, load_key

__all__ = ["AUDIT_KEY_ENV", "audit_key_path", "load_audit_key"]

AUDIT_KEY_ENV = "EGIDE_AUDIT_KEY"


def audit_key_path(home: Path) -> Path:
    return home / "keys" / "audit.key"


def load_audit_key(
    home: Path, *, environ: Mapping[str, str] | None = None, create: bool = True
) -> bytes:
    """The key's bytes; creates the key file (mode 0600) when neither source has one."""
    try:
        return load_key(audit_key_path(home), env_var=AUDIT_KEY_ENV, create=create, environ=environ)
    except KeyFileError as exc:
        raise AuditError(f"clé d'audit : {exc}") from None
