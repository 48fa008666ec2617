"""Passwords: argon2id hashes, the rules for a new password, one-time temporary passwords.

Parameters follow OWASP's recommendation for argon2id (19 MiB of memory, 2 passes, 1 lane):
about 30 ms per check on a server core, which makes each guess costly for someone holding a copy
of the table while keeping sign-in quick. Hashes made with older parameters are upgraded at the
next successful sign-in (:func:`needs_rehash`).
"""

from __future__ import annotations

import secrets
import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = [
    "MAX_LENGTH",
    "MIN_LENGTH",
    "hash_password",
    "needs_rehash",
    "new_temporary_password",
    "password_problem",
    "spend_equal_time",
    "verify_password",
]

MIN_LENGTH = 12
MAX_LENGTH = 128  # argon2 takes any length; a bound keeps hashing cheap to refuse
# Unambiguous upper-case letters and digits (no I, O, 0, 1): read aloud or copied by hand.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1, type=Type.ID)


def _normalised(password: str) -> bytes:
    # The same password typed on two keyboards may reach us composed or decomposed ("é").
    return unicodedata.normalize("NFKC", password).encode("utf-8")


def hash_password(password: str) -> str:
    return _HASHER.hash(_normalised(password))


def verify_password(encoded: str, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(encoded, _normalised(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(encoded: str) -> bool:
    try:
        return _HASHER.check_needs_rehash(encoded)
    except InvalidHashError:
        return True


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def spend_equal_time(password: str) -> None:
    """Check against a decoy, so that an unknown login answers as slowly as a known one."""
    verify_password(_decoy_hash(), password)


def new_temporary_password() -> str:
    """80 random bits, in four groups of four characters (``K7QM-4XTR-PB9W-HZ2C``)."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def password_problem(password: str, *, login: str, confirmation: str | None = None) -> str | None:
    """What is wrong with a new password, in French, or None when it can be used."""
    if confirmation is not None and password != confirmation:
        return "Les deux mots de passe saisis sont différents."
    if len(password) < MIN_LENGTH:
        return f"Le mot de passe doit contenir au moins {MIN_LENGTH} caractères."
    if len(password) > MAX_LENGTH:
        return f"Le mot de passe doit contenir au plus {MAX_LENGTH} caractères."
    if password.strip() != password:
        return "Le mot de passe ne doit pas commencer ni finir par une espace."
    if len(set(password)) < 5:
        return "Le mot de passe est trop répétitif : variez les caractères."
    if login and login.lower() in password.lower():
        return "Le mot de passe ne doit pas contenir votre identifiant."
    return None
