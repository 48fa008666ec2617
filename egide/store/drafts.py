"""Drafts pending human validation: every output of Égide is kept here until an agent validates it.

Privacy rules, enforced by every method rather than by the callers:

- a draft is read, changed or deleted only by its owner; a draft of someone else answers exactly
  like a missing one ("brouillon introuvable"), administrators included;
- a validated draft is frozen: who validated it and when are recorded, and it no longer changes;
- titles, contents and source names are encrypted at rest, so searching decrypts the owner's
  own drafts in Python: the database never sees the words searched for.
"""

from __future__ import annotations

import builtins
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.engine import CursorResult

from egide.documents.writers import ai_assistance_mention
from egide.store.crypto import TableCipher
from egide.store.db import Store
from egide.store.errors import DraftFrozenError, DraftNotFoundError, StoreError
from egide.store.models import Draft

__all__ = [
    "DEFAULT_RETENTION_DAYS",
    "DraftRecord",
    "DraftStatus",
    "DraftStore",
    "UNVALIDATED_LOCAL_MENTION",
    "UNVALIDATED_MENTION",
    "frozen_error",
    "local_time",
    "validation_mention",
]

DEFAULT_RETENTION_DAYS = 30
_TABLE = "drafts"
_MIN_PREFIX = 6
_SEARCH_BATCH = 200


class DraftStatus(StrEnum):
    BROUILLON = "brouillon"
    VALIDE = "valide"


@dataclass(frozen=True, slots=True)
class DraftRecord:
    """A draft with its free-text fields decrypted (kept out of ``repr``, hence out of logs)."""

    id: str
    owner: str
    task: str
    model: str
    tier: str
    level: str
    title: str = field(repr=False)
    content: str = field(repr=False)
    created_at: datetime
    updated_at: datetime
    status: DraftStatus
    validated_by: str | None
    validated_at: datetime | None
    source_name: str | None = field(repr=False)
    conversation_id: str | None

    @property
    def is_validated(self) -> bool:
        return self.status is DraftStatus.VALIDE


def _paris() -> tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo("Europe/Paris")
    except ZoneInfoNotFoundError:  # no time-zone database on this machine
        return UTC


def local_time(moment: datetime, tz: tzinfo | None = None) -> datetime:
    """``moment`` as agents read it: in ``tz``, by default Paris time."""
    return moment.astimezone(tz or _paris())


def _day(moment: datetime, tz: tzinfo | None) -> str:
    return local_time(moment, tz).strftime("%d/%m/%Y")


def validation_mention(
    record: DraftRecord, *, generative: bool = True, tz: tzinfo | None = None
) -> str:
    """The sentence that every export carries (date in ``tz``, by default Paris time).

    ``generative``: whether the draft's model is a generative one (see
    :func:`egide.models.is_generative`); the built-in engine's drafts do not claim an « IA »."""
    if record.is_validated and record.validated_by and record.validated_at:
        return ai_assistance_mention(
            record.validated_by,
            local_time(record.validated_at, tz).date(),
            generative=generative,
        )
    return UNVALIDATED_MENTION if generative else UNVALIDATED_LOCAL_MENTION


UNVALIDATED_MENTION = "Brouillon préparé avec l'assistance d'une IA — non validé."
UNVALIDATED_LOCAL_MENTION = (
    "Brouillon préparé avec le moteur intégré d'Égide (extraits de documents, sans IA "
    "générative) — non validé."
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join(
        "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().split()
    )


def _short(draft_id: str) -> str:
    return draft_id if len(draft_id) <= 40 else draft_id[:40] + "…"


def _not_found(draft_id: str) -> DraftNotFoundError:
    return DraftNotFoundError(f"brouillon introuvable : {_short(draft_id)}")


def frozen_error(record: DraftRecord) -> DraftFrozenError:
    when = _day(record.validated_at, None) if record.validated_at else "?"
    return DraftFrozenError(
        f"ce document a déjà été validé le {when} par {record.validated_by} : "
        "il ne peut plus être modifié"
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _checked(value: str, name: str, max_length: int) -> str:
    if not value.strip():
        raise StoreError(f"{name} : valeur vide")
    if len(value) > max_length:
        raise StoreError(f"{name} : {max_length} caractères au plus")
    if "\x00" in value:
        # PostgreSQL refuses NUL in text columns where SQLite keeps it: refused on both.
        raise StoreError(f"{name} : caractère nul interdit")
    return value


class DraftStore:
    """The drafts of one store, always seen through the eyes of one owner."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # --- encryption ------------------------------------------------------------------------

    @property
    def _cipher(self) -> TableCipher:
        return self._store.cipher.for_table(_TABLE)

    def _record(self, row: Draft) -> DraftRecord:
        return DraftRecord(
            id=row.id,
            owner=row.owner,
            task=row.task,
            model=row.model,
            tier=row.tier,
            level=row.level,
            title=self._cipher.open(row.title, "title", row.id),
            content=self._cipher.open(row.content, "content", row.id),
            created_at=row.created_at,
            updated_at=row.updated_at,
            status=DraftStatus(row.status),
            validated_by=row.validated_by,
            validated_at=row.validated_at,
            source_name=(
                None
                if row.source_name is None
                else self._cipher.open(row.source_name, "source_name", row.id)
            ),
            conversation_id=row.conversation_id,
        )

    # --- reading ---------------------------------------------------------------------------

    def get(self, draft_id: str, *, owner: str) -> DraftRecord:
        with self._store.session() as session:
            row = session.scalars(
                select(Draft).where(Draft.id == draft_id, Draft.owner == owner)
            ).one_or_none()
            if row is None:
                raise _not_found(draft_id)
            return self._record(row)

    def find_id(self, prefix: str, *, owner: str) -> str:
        """The full id of the owner's draft that starts with ``prefix`` (at least 6 characters)."""
        prefix = prefix.strip().lower()
        if len(prefix) < _MIN_PREFIX:
            raise _not_found(prefix)
        with self._store.session() as session:
            ids = session.scalars(
                select(Draft.id)
                .where(Draft.owner == owner, Draft.id.startswith(prefix, autoescape=True))
                .limit(2)
            ).all()
        if not ids:
            raise _not_found(prefix)
        if len(ids) > 1:
            raise StoreError(f"identifiant ambigu : {prefix} (donnez plus de caractères)")
        return ids[0]

    def list(
        self, owner: str, *, search: str | None = None, limit: int = 50
    ) -> builtins.list[DraftRecord]:
        """The owner's drafts, newest first; ``search`` matches titles, contents and sources.

        The match ignores case and accents ("helene" finds "Hélène").
        """
        if limit < 1:
            return []
        needle = _fold(search) if search else ""
        query = (
            select(Draft).where(Draft.owner == owner).order_by(Draft.created_at.desc(), Draft.id)
        )
        found: builtins.list[DraftRecord] = []
        with self._store.session() as session:
            if not needle:
                return [self._record(row) for row in session.scalars(query.limit(limit))]
            for row in session.scalars(query.execution_options(yield_per=_SEARCH_BATCH)):
                record = self._record(row)
                haystack = "\n".join((record.title, record.content, record.source_name or ""))
                if needle in _fold(haystack):
                    found.append(record)
                    if len(found) >= limit:
                        break
        return found

    # --- writing ---------------------------------------------------------------------------

    def create(
        self,
        owner: str,
        task: str,
        model: str,
        tier: str,
        level: str,
        title: str,
        content: str,
        source_name: str | None = None,
        conversation_id: str | None = None,
        draft_id: str | None = None,
    ) -> DraftRecord:
        """A new draft; ``draft_id`` fixes its id in advance (a batch item's): when this
        owner already has a draft of that id — the item was done again after a crash — that
        draft is returned as it is, and no second one is made."""
        if draft_id is not None:
            existing = self._existing(draft_id, owner)
            if existing is not None:
                return existing
            draft_id = str(uuid.UUID(draft_id))
        else:
            draft_id = str(uuid.uuid4())
        now = _now()
        row = Draft(
            id=draft_id,
            owner=_checked(owner, "propriétaire", 128),
            task=_checked(task, "tâche", 32),
            model=_checked(model, "modèle", 64),
            tier=_checked(tier, "niveau du modèle", 16),
            level=_checked(level, "niveau de sensibilité", 32),
            title=self._cipher.seal(title, "title", draft_id),
            content=self._cipher.seal(content, "content", draft_id),
            created_at=now,
            updated_at=now,
            status=DraftStatus.BROUILLON.value,
            validated_by=None,
            validated_at=None,
            source_name=None
            if source_name is None
            else self._cipher.seal(source_name, "source_name", draft_id),
            conversation_id=None
            if conversation_id is None
            else _checked(conversation_id, "conversation", 36),
        )
        try:
            with self._store.session() as session:
                session.add(row)
        except StoreError:
            # Made meanwhile by another process doing the same item: that one is the draft.
            existing = self._existing(draft_id, owner) if draft_id else None
            if existing is None:
                raise
            return existing
        return self._record(row)

    def _existing(self, draft_id: str, owner: str) -> DraftRecord | None:
        with self._store.session() as session:
            row = session.get(Draft, draft_id)
            if row is None:
                return None
            if row.owner != owner:
                raise StoreError("identifiant de brouillon déjà pris : rien n'a été enregistré")
            return self._record(row)

    def _update_draft(self, draft_id: str, owner: str, **values: object) -> DraftRecord:
        # One conditional UPDATE: a concurrent validation can never be overwritten.
        with self._store.session() as session:
            result = session.execute(
                update(Draft)
                .where(
                    Draft.id == draft_id,
                    Draft.owner == owner,
                    Draft.status == DraftStatus.BROUILLON.value,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            changed = isinstance(result, CursorResult) and result.rowcount == 1
        if changed:
            return self.get(draft_id, owner=owner)
        current = self.get(draft_id, owner=owner)  # raises "introuvable" for someone else's
        raise frozen_error(current)

    def update_content(self, draft_id: str, owner: str, content: str) -> DraftRecord:
        """Replace the content of a draft that is not validated yet."""
        return self._update_draft(
            draft_id,
            owner,
            content=self._cipher.seal(content, "content", draft_id),
            updated_at=_now(),
        )

    def validate(self, draft_id: str, *, owner: str, validated_by: str) -> DraftRecord:
        """Record who validated the draft and when; from then on it no longer changes."""
        now = _now()
        return self._update_draft(
            draft_id,
            owner,
            status=DraftStatus.VALIDE.value,
            validated_by=_checked(validated_by.strip(), "validé par", 128),
            validated_at=now,
            updated_at=now,
        )

    def delete(self, draft_id: str, owner: str) -> None:
        with self._store.session() as session:
            result = session.execute(
                delete(Draft)
                .where(Draft.id == draft_id, Draft.owner == owner)
                .execution_options(synchronize_session=False)
            )
            if not (isinstance(result, CursorResult) and result.rowcount == 1):
                raise _not_found(draft_id)

    def purge_older_than(self, days: int = DEFAULT_RETENTION_DAYS) -> int:
        """Delete every draft created more than ``days`` days ago (retention); returns the count."""
        if days < 0:
            raise StoreError("durée de conservation négative")
        cutoff = _now() - timedelta(days=days)
        with self._store.session() as session:
            result = session.execute(
                delete(Draft)
                .where(Draft.created_at < cutoff)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount if isinstance(result, CursorResult) else 0
