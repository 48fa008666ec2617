"""What Égide holds of one agent's work, by kind, and its erasure (RGPD articles 15 and 17).

The agent sees it on « Mes données »: each kind with its count, its retention period and the
day its oldest item goes. Erasing removes the content of every kind in one transaction and
keeps the account and the audit trail (which never holds content); the erasure is recorded
before it is made (failing closed), with counts only — by the agent, or by an administrator
handling an erasure request (``egide users erase``), the account then named as the target.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select

from egide.store.batch_items import request_stop
from egide.store.models import Draft
from egide.store.owner_data import CONTENT_KINDS, count_owner_content, erase_owner_content
from egide.store.workspace import BatchJobRow, WorkRequestRow
from egide.workspace.retention import periods
from egide.workspace.service import Workspace

__all__ = [
    "KIND_LABELS",
    "Holding",
    "WorkInProgress",
    "erase_content",
    "holdings",
    "work_in_progress",
]

KIND_LABELS = {
    "requests": "Demandes (résumés, rédactions) et leurs consignes",
    "conversations": "Conversations (questions et réponses)",
    "drafts": "Brouillons",
    "uploads": "Documents déposés (texte lu par Égide)",
    "batches": "Travaux répétitifs (tableaux, journaux)",
    "preferences": "Préférences (valeurs pré-remplies des modèles)",
}
_UNFINISHED_BATCHES = ("colonnes", "analyse", "pret", "en_cours")
_UNSENT_REQUESTS = ("en_attente", "echec")


@dataclass(frozen=True, slots=True)
class Holding:
    """One kind of the agent's content: how much, kept how long, the next erasure."""

    kind: str
    label: str
    count: int
    days: int | None  # None: no retention period (kept until the agent empties it)
    next_erasure: datetime | None  # when the oldest item goes; None when nothing or no period


@dataclass(frozen=True, slots=True)
class WorkInProgress:
    """What an erasure would interrupt or lose that the agent may not think of."""

    unsent_requests: int
    unfinished_batches: int
    unvalidated_drafts: int

    @property
    def any(self) -> bool:
        return bool(self.unsent_requests or self.unfinished_batches or self.unvalidated_drafts)


def holdings(workspace: Workspace, owner: str) -> list[Holding]:
    """Every kind of content, in the order of :data:`CONTENT_KINDS`, for ``owner``."""
    days = periods(workspace.settings)
    counted = count_owner_content(workspace.store, owner)
    found = []
    for kind in CONTENT_KINDS:
        count = counted[kind]
        period = days.get(kind)
        next_erasure = (
            count.oldest + timedelta(days=period)
            if period is not None and count.oldest is not None
            else None
        )
        found.append(Holding(kind, KIND_LABELS[kind], count.count, period, next_erasure))
    return found


def work_in_progress(workspace: Workspace, owner: str) -> WorkInProgress:
    with workspace.store.session() as session:

        def count(table: type, *where: ColumnElement[bool]) -> int:
            statement = select(func.count()).select_from(table).where(*where)
            return int(session.scalar(statement) or 0)

        return WorkInProgress(
            unsent_requests=count(
                WorkRequestRow,
                WorkRequestRow.owner == owner,
                WorkRequestRow.status.in_(_UNSENT_REQUESTS),
            ),
            unfinished_batches=count(
                BatchJobRow,
                BatchJobRow.owner == owner,
                BatchJobRow.status.in_(_UNFINISHED_BATCHES),
            ),
            unvalidated_drafts=count(Draft, Draft.owner == owner, Draft.status == "brouillon"),
        )


def erase_content(workspace: Workspace, owner: str, *, actor: str | None = None) -> dict[str, int]:
    """Erase every item of ``owner``'s work; counts by kind.

    ``actor``: the administrator handling an erasure request (``cli:…`` or a login); None when
    the agent erases their own. Recorded in the audit trail before anything is deleted (an
    audit trail that cannot record stops the erasure: AuditError), counts only. Batches still
    running are asked to stop first, as deleting one batch does.
    """
    counted = {kind: n.count for kind, n in count_owner_content(workspace.store, owner).items()}
    with workspace.store.session() as session:
        counted["turns"] = int(
            session.scalar(
                select(func.count())
                .select_from(WorkRequestRow)
                .where(WorkRequestRow.owner == owner, WorkRequestRow.conversation_id.is_not(None))
            )
            or 0
        )
        running = list(
            session.scalars(
                select(BatchJobRow.id).where(
                    BatchJobRow.owner == owner, BatchJobRow.status.in_(_UNFINISHED_BATCHES)
                )
            )
        )
    if actor is None:
        workspace.audit.append(user=owner, action="content_erased", counts=counted)
    else:
        workspace.audit.append(
            user=actor, action="user_content_erased", counts=counted, extra={"target": owner}
        )
    for job_id in running:
        request_stop(workspace.store, job_id, owner)
    counts, batch_ids = erase_owner_content(workspace.store, owner)
    workspace.forget_owner(owner)
    for job_id in batch_ids:
        shutil.rmtree(workspace.batches.folder(job_id), ignore_errors=True)
    return counts
