"""One item of every kind of an agent's content, straight into the store (fictitious data)."""

from __future__ import annotations

import json

from egide.documents import Document, DocumentFormat
from egide.store.batch_items import write_item
from egide.store.batches import BatchJobStore, BatchStatus
from egide.store.conversations import ConversationStore
from egide.store.drafts import DraftStore
from egide.store.profiles import ProfileStore
from egide.store.requests import RequestStore
from egide.store.uploads import UploadStore
from egide.workspace import Workspace

__all__ = ["seed"]


def seed(workspace: Workspace, owner: str, marker: str) -> dict[str, str]:
    """One item of every kind for ``owner``, each holding ``marker`` (fictitious data)."""
    store = workspace.store
    upload = UploadStore(store).save(
        owner,
        Document(
            text=f"Courrier de {marker} : demande de renouvellement.",
            sections=(),
            source=f"courrier-{marker}.txt",
            format=DocumentFormat.TXT,
        ),
        size_bytes=120,
    )
    requests = RequestStore(store)
    request = requests.create(
        owner, task="summarize", title=f"Résumé {marker}", prompt=f"Consigne {marker}",
        document_ids=[upload.id],
    )  # fmt: skip
    conversation = ConversationStore(store).create(owner, f"Conversation {marker}")
    turn = requests.create(
        owner, task="chat", title="Question", prompt=f"Question {marker} ?",
        conversation_id=conversation.id,
    )  # fmt: skip
    requests.mark_answered(
        turn.id, owner=owner, model="local", tier="interne", level="interne",
        answer=f"Réponse {marker}.", digest="0" * 64, warnings=(),
    )  # fmt: skip
    draft = DraftStore(store).create(
        owner, "draft", "local", "interne", "interne", f"Brouillon {marker}",
        f"Madame, au sujet de {marker}, votre dossier est complet.",
    )  # fmt: skip
    batch = BatchJobStore(store).create(
        owner, kind="draft", source_name=f"tableau-{marker}.csv", total=1,
        source_data=f"nom\n{marker}\n".encode(), status=BatchStatus.RUNNING,
    )  # fmt: skip
    write_item(
        store, batch.id, key="ligne-1", status="fait", draft_id=draft.id,
        entry=json.dumps({"libelle": f"ligne {marker}"}).encode(),
    )  # fmt: skip
    ProfileStore(store).save(owner, {"signataire": f"Signataire {marker}"})
    return {"upload": upload.id, "request": request.id, "draft": draft.id, "batch": batch.id}
