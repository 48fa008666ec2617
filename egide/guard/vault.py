"""The vault of one conversation: which placeholder stands for which original value.

A vault lives in memory only. What gets written to disk (or to the database) is the blob
returned by :meth:`Vault.seal`, encrypted and authenticated with AES-256-GCM; there is
deliberately no clear-text export.

Placeholders are French, numbered per kind in order of first appearance: ``[PERSONNE_1]``,
``[NIR_1]``, ``[ADRESSE_2]``… (an unknown label gives ``[DONNEE_n]``). The same value always
gets the same placeholder within one vault: values are compared on a normalised key (digits only
for SIRET, SIREN and the tax number, upper-case alphanumerics for NIR, IBAN and the other
identifiers, the national form of a French phone number, a case-folded e-mail address, folded
text otherwise).

Persons are linked with ``egide.guard.ner.linking``: mentions sharing a surname key
(``person_key``) whose given names do not contradict each other (``may_corefer``) are one
person, so "M. DUPONT", "Jean Dupont" and "Monsieur Jean DUPONT" share ``[PERSONNE_1]`` while
"Marie DUPONT" gets ``[PERSONNE_2]``. A surname alone that could be either of two known persons
gets a placeholder of its own instead of a guess.

Restoration value (:meth:`Vault.original`): the value as first seen, except for persons, whose
fullest form wins (most given names written out, then most initials, then without civility or
title): after "M. DUPONT" then "Jean DUPONT", ``[PERSONNE_1]`` restores to "Jean DUPONT". Ties
keep the first form seen. A model's answer is thus restored with the most informative name the
agent wrote, never with a form the agent did not write. Hence pseudonymise-then-restore gives
back the very text only when each value is written one way; "M. DUPONT" comes back as
"Jean DUPONT" once the full name has been seen.

Keys (:func:`load_or_create_key`): ``EGIDE_VAULT_KEY`` (32 bytes in base64url) when set, so that
a deployment can keep the key in its secret store; otherwise a random key kept in
``<home>/keys/vault.key`` (base64url text, mode 0600, created atomically on first use).
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from itertools import islice
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from egide.keyring import KeyKind, Keyring, fingerprint
from egide.keys import KEY_SIZE, KeyFileError, load_key

__all__ = [
    "KEY_ENV",
    "KEY_SIZE",
    "VAULT_KEYS",
    "load_vault_keyring",
    "vault_key_id",
    "PLACEHOLDER_NAMES",
    "UNKNOWN_NAME",
    "Vault",
    "VaultError",
    "load_or_create_key",
    "placeholder_name",
    "sealed_vault_key_id",
]

KEY_ENV = "EGIDE_VAULT_KEY"

# French placeholder names for the labels of egide.guard.findings.PERSONAL_LABELS.
PLACEHOLDER_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "PERSON": "PERSONNE", "LOCATION": "LIEU", "ADDRESS": "ADRESSE",
        "BIRTH_DATE": "DATE_NAISSANCE", "PHONE": "TELEPHONE", "EMAIL": "COURRIEL",
        "NIR": "NIR", "IBAN": "IBAN", "SIRET": "SIRET", "SIREN": "SIREN", "PLATE": "PLAQUE",
        "TAX_ID": "NUMERO_FISCAL", "ID_CARD": "CNI", "PASSPORT": "PASSEPORT",
        "AGDREF": "AGDREF", "CAF": "CAF", "NIR_LIKE": "NIR_PROBABLE",
        "FILE_NUMBER": "NUMERO_DOSSIER", "HEALTH": "SANTE",
    }
)  # fmt: skip
UNKNOWN_NAME = "DONNEE"

_MAGIC = b"EGV1"  # format tag, also bound as associated data
_MAGIC2 = b"EGV2"  # then the 8-byte fingerprint of the key that sealed it
_KID_SIZE = 8
_NONCE_SIZE = 12
_FORMAT_VERSION = 1


class VaultError(Exception):
    """The vault or its key cannot be used; the message says why, in French."""


def placeholder_name(label: str) -> str:
    return PLACEHOLDER_NAMES.get(label, UNKNOWN_NAME)


# --- Normalised keys -----------------------------------------------------------------------

_DIGITS_ONLY = frozenset({"SIRET", "SIREN", "TAX_ID"})
_ALNUM_UPPER = frozenset(
    {"NIR", "NIR_LIKE", "IBAN", "ID_CARD", "PASSPORT", "PLATE", "AGDREF", "CAF", "FILE_NUMBER"}
)


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _plain(value: str) -> str:
    return " ".join(_fold(value).split())


def _phone_key(value: str) -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    stripped = value.lstrip()
    if stripped.startswith("00"):
        digits = digits[2:]
    if stripped.startswith(("+", "00")) and digits.startswith("33"):
        # "+33 6 12…", "0033 (0)6 12…" and "06 12…" are one number.
        national = digits[2:]
        digits = national if national.startswith("0") else "0" + national
    return digits


def _value_key(label: str, value: str) -> str:
    if label in _DIGITS_ONLY:
        key = "".join(ch for ch in value if ch.isdigit())
    elif label in _ALNUM_UPPER:
        key = "".join(ch for ch in value if ch.isalnum()).upper()
    elif label == "PHONE":
        key = _phone_key(value)
    elif label == "EMAIL":
        key = value.strip().casefold()
    else:
        key = _plain(value)
    return key or _plain(value)


_FIRST_WORD_RE = re.compile(r"[^\W\d_]{1,40}")
_GENDER = {
    "m": "m", "mr": "m", "monsieur": "m", "mme": "f", "madame": "f", "mlle": "f",
    "mademoiselle": "f",
}  # fmt: skip


class _Name(NamedTuple):
    surname: str  # the person key of egide.guard.ner.linking
    first: str  # first given name, folded ("jean", or an initial: "j."), "" when none
    gender: str  # "m" after "M." or "Monsieur", "f" after "Mme" or "Madame", else ""
    fullness: tuple[int, int, int]  # given names written out, initials, no civility or title


@lru_cache(maxsize=65536)  # a long text names the same people again and again
def _name(value: str) -> _Name:
    from egide.guard.ner.gazetteers import CIVILITIES, TITLE_WORDS
    from egide.guard.ner.linking import person_name

    parsed = person_name(value)
    given = parsed.given
    full = sum(1 for name in given if not name.endswith("."))
    first = _FIRST_WORD_RE.search(value)
    word = _fold(first.group()) if first is not None else ""
    titled = word in CIVILITIES or word in TITLE_WORDS
    return _Name(
        parsed.surname or _plain(value),
        given[0] if given else "",
        _GENDER.get(word, ""),
        (full, len(given) - full, 0 if titled else 1),
    )


class _People:
    """The persons of a vault, and which of them a new mention names.

    A mention with given names names the person of the same surname whose given names agree
    (``may_corefer``), looked up by first given name or its initial only, so that linking stays
    linear when thousands of people share a surname. Otherwise, it names the only person of
    that surname, if there is exactly one. "M." and "Mme" never name the same person. Anything
    ambiguous is a new person: a placeholder restoring as written beats a wrong guess.
    """

    __slots__ = ("by_first", "by_initial", "by_letter", "by_surname", "gender", "slots")

    def __init__(self) -> None:
        self.by_surname: dict[str, list[str]] = {}
        self.by_first: dict[tuple[str, str], list[str]] = {}  # (surname, first given name)
        self.by_letter: dict[tuple[str, str], list[str]] = {}  # (surname, its first letter)
        self.by_initial: dict[tuple[str, str], list[str]] = {}  # same, initials only
        self.slots: dict[str, tuple[str, str]] = {}  # placeholder -> (surname, first)
        self.gender: dict[str, str] = {}

    def _lists(self, surname: str, first: str) -> list[list[str]]:
        if not first:
            return []
        lists = [
            self.by_first.setdefault((surname, first), []),
            self.by_letter.setdefault((surname, first[0]), []),
        ]
        if first.endswith("."):
            lists.append(self.by_initial.setdefault((surname, first[0]), []))
        return lists

    def add(self, placeholder: str, surname: str, first: str, gender: str) -> None:
        self.by_surname.setdefault(surname, []).append(placeholder)
        self.slots[placeholder] = (surname, first)
        self.gender[placeholder] = gender
        for members in self._lists(surname, first):
            members.append(placeholder)

    def update(self, placeholder: str, name: _Name) -> None:
        """Record what a new mention of this person tells: a gender, a fuller name."""
        if name.gender:
            self.gender[placeholder] = name.gender
        surname, previous = self.slots[placeholder]
        if name.first and (not previous or (previous.endswith(".") and name.first[-1] != ".")):
            for members in self._lists(surname, previous):
                members.remove(placeholder)
            self.slots[placeholder] = (surname, name.first)
            for members in self._lists(surname, name.first):
                members.append(placeholder)

    def find(self, name: _Name, agrees: Callable[[str], bool]) -> str | None:
        def fits(placeholder: str) -> bool:
            known = self.gender[placeholder]
            return not (name.gender and known and known != name.gender)

        if name.first:
            if name.first.endswith("."):
                specific = self.by_letter.get((name.surname, name.first[0]), [])
            else:
                specific = self.by_first.get((name.surname, name.first), [])
                specific = specific + self.by_initial.get((name.surname, name.first[0]), [])
            found = list(islice((p for p in specific if fits(p) and agrees(p)), 2))
            if found:
                return found[0] if len(found) == 1 else None
        others = list(islice(filter(fits, self.by_surname.get(name.surname, ())), 2))
        return others[0] if len(others) == 1 and agrees(others[0]) else None


# --- The vault -----------------------------------------------------------------------------


class Vault:
    """Placeholder ↔ original value for one conversation, consistent across calls.

    ``repr()`` never shows a value, so a vault can safely end up in a log line.
    """

    __slots__ = ("_by_key", "_counters", "_labels", "_people", "_values")

    def __init__(self) -> None:
        # (label, normalised value) -> placeholder; for persons, the folded mention itself.
        self._by_key: dict[tuple[str, str], str] = {}
        self._people = _People()
        self._values: dict[str, str] = {}  # placeholder -> restoration value
        self._labels: dict[str, str] = {}  # placeholder -> label
        self._counters: dict[str, int] = {}  # placeholder name -> last number used

    def __repr__(self) -> str:
        return f"<Vault : {len(self._values)} valeur(s)>"

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, placeholder: object) -> bool:
        return placeholder in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def placeholder_for(self, label: str, value: str) -> str:
        """The placeholder of ``value`` seen as ``label``, created on first sight."""
        if label == "PERSON":
            return self._person_placeholder(value)
        key = (label, _value_key(label, value))
        placeholder = self._by_key.get(key)
        if placeholder is None:
            placeholder = self._by_key[key] = self._new(label, value)
        return placeholder

    def _new(self, label: str, value: str) -> str:
        name = placeholder_name(label)
        number = self._counters.get(name, 0) + 1
        self._counters[name] = number
        placeholder = f"[{name}_{number}]"
        self._values[placeholder] = value
        self._labels[placeholder] = label
        return placeholder

    def _person_placeholder(self, value: str) -> str:
        from egide.guard.ner.linking import may_corefer

        mention = ("PERSON", _plain(value))
        name = _name(value)
        placeholder = self._by_key.get(mention)
        if placeholder is None:
            placeholder = self._people.find(
                name, lambda known: may_corefer(value, self._values[known])
            )
            if placeholder is None:
                placeholder = self._new("PERSON", value)
                self._people.add(placeholder, name.surname, name.first, name.gender)
            self._by_key[mention] = placeholder
        self._people.update(placeholder, name)
        if name.fullness > _name(self._values[placeholder]).fullness:
            self._values[placeholder] = value
        return placeholder

    def original(self, placeholder: str) -> str | None:
        """The value ``placeholder`` (exactly as generated, brackets included) stands for."""
        return self._values.get(placeholder)

    def label(self, placeholder: str) -> str | None:
        return self._labels.get(placeholder)

    def names_in_use(self) -> frozenset[str]:
        """Placeholder names that have at least one entry (``PERSONNE``, ``NIR``…)."""
        return frozenset(self._counters)

    # --- Sealing -------------------------------------------------------------------------

    def seal(self, key: bytes | Keyring, *, context: str = "") -> bytes:
        """The vault encrypted with AES-256-GCM under ``key``: the only form fit for storage.

        ``context`` (a conversation id, say) is authenticated, not stored: the blob only opens
        with the same context, so one conversation's vault cannot be swapped for another's.
        A fresh random nonce is drawn for every seal; the blob names the key's fingerprint
        (a keyring's current key seals).
        """
        if isinstance(key, Keyring):
            key.refresh_if_stale()
            key = key.current
        aead = AESGCM(_check_key(key))
        payload = {
            "version": _FORMAT_VERSION,
            "counters": self._counters,
            "values": [[p, self._labels[p], value] for p, value in self._values.items()],
            "keys": [[label, key, p] for (label, key), p in self._by_key.items()],
            "people": [
                [p, surname, first, self._people.gender[p]]
                for p, (surname, first) in self._people.slots.items()
            ],
        }
        clear = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        nonce = os.urandom(_NONCE_SIZE)
        head = _MAGIC2 + bytes.fromhex(vault_key_id(key))
        return head + nonce + aead.encrypt(nonce, clear, head + context.encode("utf-8"))

    @classmethod
    def unseal(cls, blob: bytes, key: bytes | Keyring, *, context: str = "") -> Vault:
        """The vault sealed in ``blob``; :class:`VaultError` on a wrong key or altered blob.

        With a keyring, the key the blob names opens it (first-format blobs, which name
        none, are tried with every key)."""
        if not isinstance(blob, bytes | bytearray):
            raise VaultError("coffre illisible : ce n'est pas un coffre Égide")
        blob = bytes(blob)
        magic = blob[: len(_MAGIC)]
        if magic == _MAGIC2:
            if len(blob) < len(_MAGIC2) + _KID_SIZE + _NONCE_SIZE + 16:
                raise VaultError("coffre illisible : clé incorrecte ou fichier altéré")
            kid = blob[len(_MAGIC2) : len(_MAGIC2) + _KID_SIZE].hex()
            body = blob[len(_MAGIC2) + _KID_SIZE :]
            if isinstance(key, Keyring):
                found = key.get(kid)
                if found is None:
                    raise VaultError(
                        f"coffre illisible : il est scellé avec la clé {kid}, que ce poste ne "
                        f"connaît pas ({KEY_ENV}, {KEY_ENV}_NEXT, {KEY_ENV}_PREVIOUS ou "
                        "keys/vault.key, keys/vault.next.key, keys/vault.previous/), ou il a "
                        "été altéré : remettez la clé depuis votre coffre de clés ; le fichier "
                        "n'a pas été modifié"
                    )
                candidates = [found]
            else:
                candidates = [key]
            bound = blob[: len(_MAGIC2) + _KID_SIZE]  # the fingerprint is authenticated too
        elif magic == _MAGIC:
            body = blob[len(_MAGIC) :]
            bound = _MAGIC
            candidates = [k for _kid, k in key.items()] if isinstance(key, Keyring) else [key]
        else:
            raise VaultError("coffre illisible : ce n'est pas un coffre Égide")
        nonce, sealed = body[:_NONCE_SIZE], body[_NONCE_SIZE:]
        clear = None
        for candidate in candidates:
            try:
                clear = AESGCM(_check_key(candidate)).decrypt(
                    nonce, sealed, bound + context.encode("utf-8")
                )
                break
            except (InvalidTag, ValueError):
                continue
        if clear is None:
            raise VaultError("coffre illisible : clé incorrecte ou fichier altéré")
        try:
            return cls._from_payload(json.loads(clear.decode("utf-8")))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise VaultError(f"coffre illisible : contenu inattendu ({exc})") from None

    @classmethod
    def _from_payload(cls, payload: Any) -> Vault:
        if payload.get("version") != _FORMAT_VERSION:
            raise ValueError(f"version {payload.get('version')!r} inconnue")
        vault = cls()
        for name, number in payload["counters"].items():
            vault._counters[str(name)] = int(number)
        for placeholder, label, value in payload["values"]:
            vault._values[str(placeholder)] = str(value)
            vault._labels[str(placeholder)] = str(label)
        for label, key, placeholder in payload["keys"]:
            vault._by_key[(str(label), str(key))] = str(placeholder)
        for placeholder, surname, first, gender in payload["people"]:
            if placeholder not in vault._values:
                raise ValueError(f"personne {placeholder!r} sans valeur")
            vault._people.add(str(placeholder), str(surname), str(first), str(gender))
        return vault


# --- Keys ----------------------------------------------------------------------------------


def vault_key_id(key: bytes) -> str:
    """The fingerprint of a vault key (16 hexadecimal digits, never the key)."""
    return fingerprint(key, "vault")


VAULT_KEYS = KeyKind("vault", KEY_ENV, "la clé du coffre", vault_key_id)


def sealed_vault_key_id(blob: bytes) -> str | None:
    """The fingerprint a vault blob names; None for the first format (or not a vault)."""
    if blob[: len(_MAGIC2)] == _MAGIC2 and len(blob) > len(_MAGIC2) + _KID_SIZE:
        return bytes(blob[len(_MAGIC2) : len(_MAGIC2) + _KID_SIZE]).hex()
    return None


def load_vault_keyring(
    home: Path, *, create: bool = True, environ: Mapping[str, str] | None = None
) -> Keyring:
    """The vault keys of ``home`` (:mod:`egide.keyring`): the current one seals."""
    try:
        return Keyring.load(VAULT_KEYS, Path(home), create=create, environ=environ)
    except KeyFileError as exc:
        raise VaultError(f"coffre : {exc}") from None


def _check_key(key: bytes) -> bytes:
    if not isinstance(key, bytes) or len(key) != KEY_SIZE:
        raise VaultError(f"clé du coffre invalide : {KEY_SIZE} octets attendus")
    return key


def load_or_create_key(
    home: Path, *, create: bool = True, environ: Mapping[str, str] | None = None
) -> bytes:
    """The vault key: ``EGIDE_VAULT_KEY`` when set (not empty), else ``<home>/keys/vault.key``.

    The file is created on first use with a random key (see :mod:`egide.keys`: mode 0600,
    written atomically). ``create=False`` suits restoring: a fresh key could never open an
    existing vault, so a lost key must be reported, not silently replaced.
    """
    try:
        return load_key(
            Path(home) / "keys" / "vault.key", env_var=KEY_ENV, create=create, environ=environ
        )
    except KeyFileError as exc:
        raise VaultError(f"coffre : {exc}") from None
