"""The audit trail's HMAC keys: from ``EGIDE_AUDIT_KEY``, else ``EGIDE_HOME/keys/audit.key``.

A plain SHA-256 chain can be recomputed by whoever can edit the file; an HMAC chain cannot
without the key. The key is handled like Égide's other keys (egide.keys): 32 random bytes in
base64url, a private file created on first use. For a real separation of duties, give the key
through the environment from a secret store, so that the account that can write the log cannot
read the key.

Rotation (:mod:`egide.keyring`): the chain itself says which key seals. The event
``key_rotated`` (kind ``audit``) is sealed with the old key and names the new key's
fingerprint; every event after it must be sealed with the new key, so that the old key, once
replaced, can no longer seal anything that verification would accept. Past events are never
rewritten: previous keys stay in the keyring to verify them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from egide.audit.errors import AuditError
from egide.audit.events import UNKEYED_ID, AuditEvent, key_id
from egide.keyring import KeyKind, Keyring
from egide.keys import KeyFileError, load_key

__all__ = [
    "AUDIT_KEYS",
    "AUDIT_KEY_ENV",
    "KeySource",
    "ROTATION_ACTION",
    "audit_key_path",
    "current_key",
    "key_after",
    "key_for",
    "load_audit_key",
    "load_audit_keyring",
]

AUDIT_KEY_ENV = "EGIDE_AUDIT_KEY"
ROTATION_ACTION = "key_rotated"
AUDIT_KEYS = KeyKind("audit", AUDIT_KEY_ENV, "la clé d'audit", key_id)

# One key (None: an unkeyed chain, for tests), or a keyring.
KeySource = bytes | None | Keyring


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


def load_audit_keyring(
    home: Path, *, environ: Mapping[str, str] | None = None, create: bool = True
) -> Keyring:
    try:
        return Keyring.load(AUDIT_KEYS, Path(home), create=create, environ=environ)
    except KeyFileError as exc:
        raise AuditError(f"clé d'audit : {exc}") from None


def current_key(keys: KeySource) -> bytes | None:
    """The key an empty chain starts with."""
    return keys.current if isinstance(keys, Keyring) else keys


def key_for(keys: KeySource, kid: str) -> bytes | None:
    """The key of fingerprint ``kid``; LookupError when ``keys`` do not hold it."""
    if not isinstance(keys, Keyring):
        if key_id(keys) != kid:
            raise LookupError(kid)
        return keys
    key = None if kid == UNKEYED_ID else keys.get(kid)
    if key is None:
        raise LookupError(kid)
    return key


def key_after(event: AuditEvent) -> str:
    """The fingerprint of the key that seals the event after ``event`` (and its anchors)."""
    if event.action == ROTATION_ACTION and event.extra.get("kind") == "audit":
        new = event.extra.get("new_key_id")
        if isinstance(new, str) and new:
            return new
    return event.key_id
