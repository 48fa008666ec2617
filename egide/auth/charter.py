"""The charter: a Markdown file, versioned, accepted by each user, acceptances recorded.

Version: the ``version:`` line of the file's front matter (a block between two ``---`` lines at
the top), so that fixing a typo does not ask everyone again; a file without one is versioned by
the SHA-256 of its content, so that any change asks again. Each acceptance records the version
and the SHA-256 of the exact text accepted. The file is read again when it changes on disk: a
new version applies at the next page, without a restart.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from markdown_it import MarkdownIt
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from egide.auth.watched import WatchedFile
from egide.store.accounts import CharterAcceptance
from egide.store.db import Store
from egide.store.errors import StoreError

__all__ = ["DEFAULT_CHARTER_PATH", "Charter", "CharterBook", "CharterSource", "parse_charter"]

DEFAULT_CHARTER_PATH = Path(__file__).resolve().parent / "charte.md"
_MAX_FRONT_MATTER_LINES = 20
_MAX_VERSION = 64
_DEFAULT_TITLE = "Charte d'utilisation de l'intelligence artificielle"


@dataclass(frozen=True, slots=True)
class Charter:
    version: str
    sha256: str
    title: str
    body_markdown: str = field(repr=False)

    @property
    def body_html(self) -> str:
        # Raw HTML in the file is shown as text: the charter is data, not markup.
        return MarkdownIt("commonmark", {"html": False}).render(self.body_markdown)


def _front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    if not lines or lines[0].strip() != "---":
        return {}, lines
    for end in range(1, min(len(lines), _MAX_FRONT_MATTER_LINES + 1)):
        if lines[end].strip() == "---":
            fields = {}
            for line in lines[1:end]:
                key, sep, value = line.partition(":")
                if sep:
                    fields[key.strip().lower()] = value.strip().strip("\"'")
            return fields, lines[end + 1 :]
    return {}, lines


def parse_charter(text: str) -> Charter:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    fields, body = _front_matter(text.replace("\r\n", "\n").split("\n"))
    version = fields.get("version", "")
    if not version:
        version = f"sha256:{digest[:16]}"
    if len(version) > _MAX_VERSION or not version.isprintable():
        raise StoreError(
            f"version de charte invalide « {version[:80]} » : {_MAX_VERSION} caractères "
            "imprimables au plus"
        )
    title = _DEFAULT_TITLE
    while body and not body[0].strip():
        body = body[1:]
    if body and body[0].startswith("# "):
        title, body = body[0][2:].strip(), body[1:]
    return Charter(version=version, sha256=digest, title=title, body_markdown="\n".join(body))


class CharterSource(WatchedFile[Charter]):
    """The charter file, read again when its size or modification time changes."""

    def __init__(self, path: Path | None = None) -> None:
        super().__init__(path or DEFAULT_CHARTER_PATH, parse_charter, what="charte")


class _AlreadyAccepted(Exception):
    pass


class CharterBook:
    """Who accepted which version of the charter, and when."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def has_accepted(self, user_id: str, charter: Charter) -> bool:
        with self._store.session() as session:
            found = session.scalars(
                select(CharterAcceptance.id)
                .where(CharterAcceptance.user_id == user_id)
                .where(CharterAcceptance.version == charter.version)
            ).first()
            return found is not None

    def accept(self, user_id: str, charter: Charter, now: datetime) -> None:
        if self.has_accepted(user_id, charter):
            return
        try:
            with self._store.session() as session:
                session.add(
                    CharterAcceptance(
                        user_id=user_id,
                        version=charter.version,
                        content_sha256=charter.sha256,
                        accepted_at=now,
                    )
                )
                try:
                    session.flush()
                except IntegrityError:
                    raise _AlreadyAccepted from None
        except _AlreadyAccepted:
            pass  # accepted twice at once (two tabs): one record is enough

    def acceptances(self, user_id: str) -> list[tuple[str, str, datetime]]:
        """(version, content SHA-256, accepted at) for one user, oldest first."""
        with self._store.session() as session:
            rows = session.scalars(
                select(CharterAcceptance)
                .where(CharterAcceptance.user_id == user_id)
                .order_by(CharterAcceptance.accepted_at)
            ).all()
            return [(r.version, r.content_sha256, r.accepted_at) for r in rows]
