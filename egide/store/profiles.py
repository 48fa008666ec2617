"""Each agent's saved defaults for letters (administration, service, signatory…), sealed.

They name people (a signatory) and places: the whole profile is one sealed JSON value, read and
written by its owner only. It is a setting of the account, not work: the retention period does
not delete it; the agent empties it from "Mes préférences".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import delete

from egide.store.conversation_rows import AgentProfileRow
from egide.store.crypto import TableCipher
from egide.store.db import Store
from egide.store.errors import StoreError

__all__ = ["MAX_VALUE", "ProfileStore"]

_TABLE = "agent_profiles"
MAX_VALUE = 1_000


class ProfileStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def _cipher(self) -> TableCipher:
        return self._store.cipher.for_table(_TABLE)

    def get(self, owner: str) -> dict[str, str]:
        """The owner's saved values by key (empty when they saved none)."""
        with self._store.session() as session:
            row = session.get(AgentProfileRow, owner)
            if row is None:
                return {}
            data = json.loads(self._cipher.open(row.data, "data", owner))
        return {str(k): str(v) for k, v in data.items() if isinstance(v, str) and v}

    def save(self, owner: str, values: Mapping[str, str]) -> dict[str, str]:
        """Replace the owner's saved values; empty ones are dropped."""
        kept = {key: value.strip() for key, value in values.items() if value.strip()}
        for key, value in kept.items():
            if len(value) > MAX_VALUE:
                raise StoreError(f"{key} : {MAX_VALUE} caractères au plus")
            if "\x00" in value:
                raise StoreError(f"{key} : caractère nul interdit")
        sealed = self._cipher.seal(json.dumps(kept, ensure_ascii=False), "data", owner)
        with self._store.session() as session:
            row = session.get(AgentProfileRow, owner)
            if row is None:
                session.add(AgentProfileRow(owner=owner, data=sealed, updated_at=datetime.now(UTC)))
            else:
                row.data = sealed
                row.updated_at = datetime.now(UTC)
        return kept

    def clear(self, owner: str) -> None:
        with self._store.session() as session:
            session.execute(
                delete(AgentProfileRow)
                .where(AgentProfileRow.owner == owner)
                .execution_options(synchronize_session=False)
            )
