"""Audit events: who did what, with which model, at which level — counts only, never content.

Each event is sealed: ``hash`` is an HMAC-SHA-256 (or, without a key, a SHA-256) over the
canonical JSON of every other field, ``prev_hash`` included, which chains it to its predecessor.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from egide.policy.levels import Level
from egide.policy.tiers import Tier

__all__ = [
    "AuditEvent",
    "GENESIS_HASH",
    "UNKEYED_ID",
    "canonical_json",
    "key_id",
    "seal",
    "build_event",
]

GENESIS_HASH = "0" * 64
UNKEYED_ID = "sha256"  # key id of a chain sealed without a key: anyone can recompute it
_DOMAIN = b"egide-audit-v1\n"

_ACTION = re.compile(r"[a-z][a-z0-9_]{0,31}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_COUNT_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_EXTRA_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_MAX_USER = 128
_MAX_EXTRA_TEXT = 200
# Names that would invite someone to log what the charter forbids logging.
_CONTENT_KEYS = frozenset(
    {
        "text", "content", "contents", "prompt", "input", "output", "message", "messages",
        "document", "body", "response", "completion", "query", "question", "answer", "value",
        "values", "span", "spans", "original",
    }
)  # fmt: skip

Scalar = str | int | float | bool | None


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def key_id(key: bytes | None) -> str:
    """A short public fingerprint, so that verification can tell a wrong key from an edit."""
    if key is None:
        return UNKEYED_ID
    return hmac.new(key, b"egide-audit-key-id", hashlib.sha256).hexdigest()[:16]


def seal(payload: Mapping[str, Any], key: bytes | None) -> str:
    data = _DOMAIN + canonical_json(dict(payload))
    if key is None:
        return hashlib.sha256(data).hexdigest()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditEvent:
    seq: int
    timestamp: str
    user: str
    action: str
    model: str | None = None
    tier: str | None = None
    level: str | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    decision: str | None = None
    extra: Mapping[str, Scalar] = field(default_factory=dict)
    key_id: str = UNKEYED_ID
    prev_hash: str = GENESIS_HASH
    hash: str = ""

    def payload(self) -> dict[str, Any]:
        """Every field but ``hash``: what the seal covers."""
        return {
            "seq": self.seq,
            "timestamp": self.timestamp,
            "user": self.user,
            "action": self.action,
            "model": self.model,
            "tier": self.tier,
            "level": self.level,
            "counts": dict(self.counts),
            "decision": self.decision,
            "extra": dict(self.extra),
            "kid": self.key_id,
            "prev_hash": self.prev_hash,
        }

    def to_record(self) -> dict[str, Any]:
        return {**self.payload(), "hash": self.hash}

    @classmethod
    def from_record(cls, record: object) -> AuditEvent:
        """Raises ValueError when ``record`` is not an event as this module writes them."""
        if not isinstance(record, dict):
            raise ValueError("un objet JSON est attendu")
        expected = {*_FIELDS_TYPES, "hash"}
        if set(record) != expected:
            raise ValueError("champs inattendus ou manquants")
        for name, types in _FIELDS_TYPES.items():
            value = record[name]
            if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
                raise ValueError(f"champ « {name} » de type inattendu")
        if not isinstance(record["hash"], str):
            raise ValueError("champ « hash » de type inattendu")
        return cls(
            seq=record["seq"],
            timestamp=record["timestamp"],
            user=record["user"],
            action=record["action"],
            model=record["model"],
            tier=record["tier"],
            level=record["level"],
            counts=record["counts"],
            decision=record["decision"],
            extra=record["extra"],
            key_id=record["kid"],
            prev_hash=record["prev_hash"],
            hash=record["hash"],
        )


_FIELDS_TYPES: dict[str, tuple[type, ...]] = {
    "seq": (int,),
    "timestamp": (str,),
    "user": (str,),
    "action": (str,),
    "model": (str, type(None)),
    "tier": (str, type(None)),
    "level": (str, type(None)),
    "counts": (dict,),
    "decision": (str, type(None)),
    "extra": (dict,),
    "kid": (str,),
    "prev_hash": (str,),
}


def _check_user(user: str) -> str:
    if not isinstance(user, str) or not user.strip() or len(user) > _MAX_USER:
        raise ValueError(f"utilisateur d'audit invalide (1 à {_MAX_USER} caractères attendus)")
    if any(not ch.isprintable() for ch in user):
        raise ValueError("l'utilisateur d'audit contient des caractères de contrôle")
    return user


def _check_name(value: str | None, what: str) -> str | None:
    if value is not None and not (isinstance(value, str) and _NAME.fullmatch(value)):
        raise ValueError(f"{what} invalide pour le journal d'audit : {value!r}")
    return value


def _check_counts(counts: Mapping[str, int] | None) -> dict[str, int]:
    checked: dict[str, int] = {}
    for label, count in (counts or {}).items():
        if not (isinstance(label, str) and _COUNT_KEY.fullmatch(label)):
            raise ValueError(f"catégorie de comptage invalide : {label!r}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"le comptage de « {label} » doit être un entier positif ou nul")
        checked[label] = count
    return checked


def _check_extra(extra: Mapping[str, Scalar] | None) -> dict[str, Scalar]:
    checked: dict[str, Scalar] = {}
    for name, value in (extra or {}).items():
        if not (isinstance(name, str) and _EXTRA_KEY.fullmatch(name)):
            raise ValueError(f"nom de métadonnée d'audit invalide : {name!r}")
        if name in _CONTENT_KEYS:
            raise ValueError(
                f"la métadonnée « {name} » ressemble à du contenu : le journal d'audit n'enregistre "
                "jamais de contenu, seulement des comptages et des identifiants"
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"la métadonnée « {name} » doit être un nombre fini")
        if isinstance(value, str) and (
            len(value) > _MAX_EXTRA_TEXT or any(not ch.isprintable() for ch in value)
        ):
            raise ValueError(
                f"la métadonnée « {name} » est trop longue ou sur plusieurs lignes : "
                f"{_MAX_EXTRA_TEXT} caractères au plus, jamais de contenu"
            )
        if value is not None and not isinstance(value, str | int | float | bool):
            raise ValueError(f"la métadonnée « {name} » doit être un texte court ou un nombre")
        checked[name] = value
    return checked


def build_event(
    *,
    seq: int,
    prev_hash: str,
    key: bytes | None,
    user: str,
    action: str,
    model: str | None = None,
    tier: Tier | str | None = None,
    level: Level | str | None = None,
    counts: Mapping[str, int] | None = None,
    decision: str | None = None,
    extra: Mapping[str, Scalar] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """A sealed event, after checking that every field is metadata, not content."""
    if not (isinstance(action, str) and _ACTION.fullmatch(action)):
        raise ValueError(f"action d'audit invalide : {action!r} (ex. « summarize », « refusal »)")
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    event = AuditEvent(
        seq=seq,
        timestamp=moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        user=_check_user(user),
        action=action,
        model=_check_name(model, "nom de modèle"),
        tier=_check_tier(tier),
        level=Level.parse(level).key if level is not None else None,
        counts=_check_counts(counts),
        decision=_check_name(str(decision) if decision is not None else None, "code de décision"),
        extra=_check_extra(extra),
        key_id=key_id(key),
        prev_hash=prev_hash,
    )
    return replace(event, hash=seal(event.payload(), key))


def _check_tier(tier: Tier | str | None) -> str | None:
    if tier is None:
        return None
    try:
        return Tier(tier).value
    except ValueError:
        allowed = ", ".join(t.value for t in Tier)
        raise ValueError(f"niveau de modèle inconnu « {tier} » (possibles : {allowed})") from None
