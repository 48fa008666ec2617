"""Single-use recovery codes: ten per enrolment, shown once, kept as SHA-256 digests.

Each code carries 80 random bits, so a plain digest is enough (as for application tokens): there
is no dictionary to try and 2^80 guesses are out of reach, whereas a slow hash would make every
use cost ten argon2 checks. The user's id is hashed in, so that equal codes of two users (never
seen in practice) would not even share a digest.
"""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["CODE_COUNT", "hash_code", "new_codes", "normalise_code"]

CODE_COUNT = 10
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_LENGTH = 16  # 16 characters of 5 bits
_ALLOWED = frozenset(_ALPHABET)


def new_codes(count: int = CODE_COUNT) -> list[str]:
    """Fresh codes, written ``ABCD-EFGH-JKLM-NPQR``."""
    codes = []
    for _ in range(count):
        chars = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
        codes.append("-".join(chars[i : i + 4] for i in range(0, _LENGTH, 4)))
    return codes


def normalise_code(code: str) -> str | None:
    """The code as stored (upper case, no separator), or None when it cannot be one."""
    cleaned = "".join(ch for ch in code.upper() if ch not in " -\u00a0\t")
    if len(cleaned) != _LENGTH or not set(cleaned) <= _ALLOWED:
        return None
    return cleaned


def hash_code(user_id: str, normalised: str) -> str:
    return hashlib.sha256(f"egide-recovery\x00{user_id}\x00{normalised}".encode()).hexdigest()
