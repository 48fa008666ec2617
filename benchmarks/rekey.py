"""Re-encryption throughput after a store key rotation: ``python benchmarks/rekey.py [N]``.

Seals N drafts (title and 1,500-character content) under one key in a fresh SQLite store,
rotates the key, then re-encrypts by batches of 500 and prints values per second.
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from egide.config import load_settings
from egide.keyring import promote
from egide.store import open_store
from egide.store.crypto import STORE_KEYS
from egide.store.models import Draft
from egide.store.rekey import count_by_key, reencrypt


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        settings = load_settings(environ={"EGIDE_HOME": str(home)})
        with open_store(settings, environ={}) as store:
            cipher, now = store.cipher.for_table("drafts"), datetime.now(UTC)
            rows = []
            for number in range(count):
                draft_id = str(uuid.uuid4())
                rows.append({
                    "id": draft_id, "owner": "cmartin", "task": "draft", "model": "local",
                    "tier": "interne", "level": "personnel", "status": "brouillon",
                    "title": cipher.seal(f"titre {number}", "title", draft_id),
                    "content": cipher.seal("x" * 1500, "content", draft_id),
                    "created_at": now, "updated_at": now,
                })  # fmt: skip
            with store.session() as session:
                session.execute(Draft.__table__.insert(), rows)
        promote(STORE_KEYS, home, environ={})
        with open_store(settings, environ={}) as store:
            started = time.perf_counter()
            report = reencrypt(store, batch=500)
            elapsed = time.perf_counter() - started
            left = sum(n for kid, n in count_by_key(store).items() if kid != store.cipher.key_id)
        print(
            f"{count} brouillons, {report.done} valeurs rechiffrées en {elapsed:.2f} s : "
            f"{report.done / elapsed:.0f} valeurs/s ; restant sous l'ancienne clé : {left}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
