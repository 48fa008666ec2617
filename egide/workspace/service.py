"""The portal's side of the one pipeline: uploads, requests, previews, sending, drafts.

Nothing here decides what a model may receive: :meth:`Workspace.preview` asks the pipeline
(:meth:`egide.assistant.Assistant.preview`) and the charter's :func:`egide.policy.decide.decide`;
:meth:`Workspace.start` hands the request to :meth:`egide.assistant.Assistant.start`, which
decides again, records the decision in the audit trail and refuses what the charter refuses.
What this module adds is the memory of a request between its preview and its answer: the
request, its documents and any failure are kept (sealed) so that the agent never loses input.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from egide.assistant import Assistant, AssistantRequest, PolicyRefused, Preview, Run
from egide.audit import AuditError, AuditLog
from egide.boundary import normalized_request, request_digest
from egide.config import ModelSettings, Settings
from egide.documents import Document, read_document_bytes
from egide.guard import Guard, ScanResult, shared_guard
from egide.guard.labels import label_fr
from egide.guard.vault import Vault
from egide.models import ModelBackend, ModelError, model_label_fr
from egide.models.base import ModelTimeout, ModelUnavailable
from egide.policy.decide import AUTO, Decision, decide
from egide.policy.levels import Level
from egide.store.db import Store
from egide.store.drafts import DraftStore
from egide.store.errors import NotFoundError, StoreError
from egide.store.requests import RequestStatus, RequestStore, WorkRequest
from egide.store.uploads import UploadRecord, UploadStore
from egide.workspace.classified import refuse_classified
from egide.workspace.highlight import Highlighted, highlight

if TYPE_CHECKING:
    from egide.jobs import JobQueue
    from egide.workspace.batches import BatchService
    from egide.workspace.conversations import Conversations

__all__ = [
    "ModelChoice",
    "PreviewOutdated",
    "RequestPreview",
    "TextPreview",
    "Workspace",
    "interrupted_message",
    "personal_counts",
    "text_previews",
]

_CACHE_SIZE = 32
_PROMPT_HEADINGS = {
    "chat": "Votre question",
    "draft": "Texte rédigé à partir du modèle",
    "summarize": "Consignes",
    "reformulate": "Réponse à reformuler",
    "translate": "Réponse à traduire",
}


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """One configured model, as the agent sees it for one request."""

    name: str
    tier: str
    tier_fr: str
    allowed: bool
    reason: str  # the charter's French sentence when refused
    chosen_by_auto: bool


@dataclass(frozen=True, slots=True)
class TextPreview:
    """One text of the request (the question, a document, an earlier turn), highlighted."""

    heading: str
    highlighted: Highlighted
    level: Level
    counts: tuple[tuple[str, int], ...]  # (French label, count), personal data only
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequestPreview:
    request: WorkRequest
    preview: Preview
    texts: tuple[TextPreview, ...]
    choices: tuple[ModelChoice, ...]
    auto: Decision

    @property
    def level(self) -> Level:
        return self.preview.assessment.level

    @property
    def allowed(self) -> tuple[ModelChoice, ...]:
        return tuple(choice for choice in self.choices if choice.allowed)


class PreviewOutdated(Exception):
    """What would be sent is no longer what the agent saw: nothing was sent."""

    message = (
        "Le contenu de votre demande a changé depuis l'aperçu (une réponse précédente de la "
        "conversation a été modifiée, régénérée ou supprimée) : rien n'a été envoyé. Relisez "
        "le nouvel aperçu, puis envoyez à nouveau."
    )


def interrupted_message(model: ModelSettings | str, exc: ModelError, *, partial: bool) -> str:
    """What the agent reads when the model fails: what happened, that nothing is lost, what next."""
    name = model.name if isinstance(model, ModelSettings) else model
    detail = str(exc).rstrip(".")
    if not partial and not isinstance(exc, ModelUnavailable | ModelTimeout):
        # The model answered that it cannot do this (an extractive engine asked to translate,
        # a question without the document it reads): trying again would change nothing.
        return (
            f"Le modèle « {name} » n'a pas pu traiter cette demande ({detail}). Votre demande "
            "et vos documents sont conservés : rien n'est perdu. Choisissez un autre modèle "
            "autorisé, ou complétez votre demande."
        )
    when = "au milieu de sa réponse" if partial else "avant de répondre"
    return (
        f"Le modèle « {name} » s'est interrompu {when} ({detail}). Votre demande et vos "
        "documents sont conservés : rien n'est perdu. Réessayez dans un instant, ou choisissez "
        "un autre modèle autorisé."
    )


def text_previews(request: AssistantRequest, preview: Preview) -> tuple[TextPreview, ...]:
    """Each text of ``request`` highlighted, placeholders numbered in the pipeline's order:
    prompt, then documents, then earlier turns — as :meth:`Assistant.start` will."""
    vault = Vault()
    texts: list[TextPreview] = []
    if request.prompt:
        heading = _PROMPT_HEADINGS.get(request.task, "Votre demande")
        texts.append(_text(heading, preview.prompt_scan, vault))
    for document, scan in zip(request.documents, preview.document_scans, strict=True):
        texts.append(_text(f"Document « {document.source} »", scan, vault, document.warnings))
    for message, scan in zip(request.messages, preview.message_scans, strict=True):
        who = "Votre question précédente" if message.role == "user" else "Réponse précédente"
        texts.append(_text(who, scan, vault))
    # A file name is content too (« Recours de Jean DUPONT.pdf »): shown when it holds something,
    # since the level and the allowed models depend on it; pseudonymised last, as by start().
    for scan in preview.name_scans:
        if scan.findings:
            texts.append(_text("Nom du fichier", scan, vault))
    return tuple(texts)


def _text(
    heading: str, scan: ScanResult, vault: Vault, warnings: Sequence[str] = ()
) -> TextPreview:
    return TextPreview(
        heading=heading,
        highlighted=highlight(scan.text, scan.findings, vault),
        level=scan.level,
        counts=personal_counts(scan),
        warnings=tuple(warnings),
    )


def personal_counts(scan: ScanResult) -> tuple[tuple[str, int], ...]:
    """(French label, count) of the personal data in ``scan``, most frequent first."""
    counts: dict[str, int] = {}
    for finding in scan.personal_findings:
        counts[finding.label] = counts.get(finding.label, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple((label_fr(label), n) for label, n in ordered)


class Workspace:
    """The workspace of every agent, over one store; each method is scoped to one owner."""

    def __init__(
        self,
        settings: Settings,
        store: Callable[[], Store],
        *,
        guard: Guard | None = None,
        audit: Callable[[], AuditLog] | None = None,
        backends: Mapping[str, ModelBackend] | None = None,
        jobs: Callable[[], JobQueue] | None = None,
    ) -> None:
        self.settings = settings
        self._store = store
        self._guard = guard
        self._audit = audit
        self._backends = dict(backends or {})
        self._jobs = jobs
        self._assistant: Assistant | None = None
        self._batches: BatchService | None = None
        self._conversations: Conversations | None = None
        self._lock = threading.Lock()
        self._previews: OrderedDict[str, RequestPreview] = OrderedDict()

    # -- what it is built on ----------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self._store()

    @property
    def uploads(self) -> UploadStore:
        return UploadStore(self.store)

    @property
    def requests(self) -> RequestStore:
        return RequestStore(self.store)

    @property
    def drafts(self) -> DraftStore:
        return DraftStore(self.store)

    @property
    def assistant(self) -> Assistant:
        # Built on first use: the guard's language model takes seconds to load.
        with self._lock:
            if self._assistant is None:
                self._assistant = Assistant(
                    self.settings,
                    guard=self._guard or shared_guard(),
                    audit=self._audit() if self._audit else AuditLog.open(self.settings),
                    drafts=self.drafts,
                    backends=self._backends,
                )
            return self._assistant

    @property
    def audit(self) -> AuditLog:
        # The process's own trail when given: recording an erasure or a download must not
        # wait for the guard's language model to load.
        if self._audit is not None:
            return self._audit()
        return self.assistant.audit

    @property
    def jobs(self) -> JobQueue:
        """The deployment's job queue: batches are analysed and run there."""
        if self._jobs is None:
            raise StoreError(
                "aucune file de travaux pour cet espace : les travaux répétitifs ne peuvent "
                "être lancés que depuis le service (egide serve)"
            )
        return self._jobs()

    @property
    def batches(self) -> BatchService:
        with self._lock:
            if self._batches is None:
                from egide.workspace.batches import BatchService

                self._batches = BatchService(self)
            return self._batches

    @property
    def conversations(self) -> Conversations:
        with self._lock:
            if self._conversations is None:
                from egide.workspace.conversations import Conversations

                self._conversations = Conversations(self)
            return self._conversations

    # -- documents and requests -------------------------------------------------------------

    def upload(self, owner: str, name: str, data: bytes) -> UploadRecord:
        """Read an uploaded file (DocumentError in French when it cannot be) and keep it; a
        classified one is refused before anything is kept (ClassifiedDocument)."""
        document = read_document_bytes(data, name=name)
        refuse_classified(document, self.settings.models, owner=owner, audit=self._audit_log)
        return self.uploads.save(owner, document, size_bytes=len(data))

    def _audit_log(self) -> AuditLog:
        # The shared trail when the portal gave one; never through the assistant (the guard's
        # language model takes seconds to load, and a refusal at the door needs none of it).
        return self._audit() if self._audit else AuditLog.open(self.settings)

    def upload_all(self, owner: str, files: Sequence[tuple[str, bytes]]) -> list[UploadRecord]:
        """Keep every file, or none: the first unreadable one (DocumentError) undoes the rest."""
        records: list[UploadRecord] = []
        try:
            for name, data in files:
                records.append(self.upload(owner, name, data))
        except BaseException:
            self.uploads.delete([r.id for r in records], owner=owner)
            raise
        return records

    def new_request(
        self,
        owner: str,
        *,
        task: str,
        title: str,
        prompt: str = "",
        options: Mapping[str, str] | None = None,
        documents: Sequence[UploadRecord] = (),
        conversation_id: str | None = None,
    ) -> WorkRequest:
        return self.requests.create(
            owner,
            task=task,
            title=title,
            prompt=prompt,
            options=options,
            document_ids=[d.id for d in documents],
            conversation_id=conversation_id,
        )

    def documents_of(self, request: WorkRequest) -> list[UploadRecord]:
        return self.uploads.get_many(request.document_ids, owner=request.owner)

    def pipeline_request(self, request: WorkRequest, *, model: str = AUTO) -> AssistantRequest:
        documents: tuple[Document, ...] = tuple(r.document for r in self.documents_of(request))
        return AssistantRequest(
            user=request.owner,
            task=request.task,
            prompt=request.prompt,
            documents=documents,
            model=model,
            options=dict(request.options),
            title=request.title,
            messages=self.conversations.history(request),
            # A conversation's answers stay in the conversation until the agent keeps one.
            keep_draft=request.conversation_id is None,
        )

    # -- preview ----------------------------------------------------------------------------

    def preview(self, request: WorkRequest) -> RequestPreview:
        """What the guard found and which models may receive it; cached per request."""
        key = f"{request.id}:{request.owner}"
        with self._lock:
            cached = self._previews.get(key)
            if cached is not None:
                self._previews.move_to_end(key)
                return cached
        built = self._build_preview(request)
        with self._lock:
            self._previews[key] = built
            while len(self._previews) > _CACHE_SIZE:
                self._previews.popitem(last=False)
        return built

    def seen(self, request: WorkRequest, shown: RequestPreview) -> None:
        """The agent is shown this preview: its texts are the ones that may be sent."""
        if request.sent_digest != shown.preview.digest:
            self.requests.mark_seen(request.id, owner=request.owner, digest=shown.preview.digest)

    def forget(self, request_id: str, owner: str) -> None:
        with self._lock:
            self._previews.pop(f"{request_id}:{owner}", None)

    def forget_owner(self, owner: str) -> None:
        """Drop every preview of ``owner`` kept in memory (their content was erased)."""
        with self._lock:
            for key in [k for k in self._previews if k.endswith(f":{owner}")]:
                del self._previews[key]

    def _build_preview(self, request: WorkRequest) -> RequestPreview:
        pipeline_request = self.pipeline_request(request)
        preview = self.assistant.preview(pipeline_request)
        return RequestPreview(
            request=request,
            preview=preview,
            texts=text_previews(pipeline_request, preview),
            choices=self.choices(preview),
            auto=preview.decision,
        )

    def choices(self, preview: Preview) -> tuple[ModelChoice, ...]:
        """Every configured model, allowed or not for this preview, with the charter's reason."""
        models = self.settings.models
        auto_pick = preview.decision.model_name if preview.decision.allowed else None
        choices = []
        for model in sorted(models, key=lambda m: m.tier.preference):
            decision = decide(preview.assessment, models, model.name)
            choices.append(
                ModelChoice(
                    name=model.name,
                    tier=model.tier.value,
                    # What the model is: its tier, or « extraits du document » (local).
                    tier_fr=model_label_fr(model),
                    allowed=decision.allowed,
                    reason="" if decision.allowed else decision.message_fr,
                    chosen_by_auto=model.name == auto_pick,
                )
            )
        return tuple(choices)

    # -- sending ----------------------------------------------------------------------------

    def start(self, request: WorkRequest, model: str) -> Run:
        """Decide for ``model`` and, when allowed, start the run (PolicyRefused otherwise).

        The agent sends what the preview showed, or nothing: when the texts changed since (an
        earlier answer of the conversation edited, say), PreviewOutdated asks for a new look.
        The pipeline decides again on what it sends in any case. A refusal or an outdated
        preview is kept on the request, with its reason, for the agent to read.
        """
        shown = self.preview(request)
        pipeline_request = replace(self.pipeline_request(request), model=model or AUTO)
        # What the agent saw is kept with the request when the preview page was shown
        # (RequestStore.mark_seen): a restart, or a preview pushed out of this process's
        # cache, must not let texts changed since go out unseen.
        seen = request.sent_digest or shown.preview.digest
        if request_digest(normalized_request(pipeline_request)) != seen:
            self.forget(request.id, request.owner)
            self.requests.mark_failed(
                request.id,
                owner=request.owner,
                status=RequestStatus.FAILED,
                model=model or AUTO,
                error=PreviewOutdated.message,
            )
            raise PreviewOutdated(PreviewOutdated.message)
        try:
            return self.assistant.start(pipeline_request, preview=shown.preview)
        except PolicyRefused as exc:
            self.requests.mark_failed(
                request.id,
                owner=request.owner,
                status=RequestStatus.REFUSED,
                model=model or AUTO,
                error=str(exc),
            )
            self.forget(request.id, request.owner)
            raise

    def stream(self, request: WorkRequest, run: Run) -> Iterator[str]:
        """The answer, chunk by chunk; at the end the draft is saved and the request marked.

        A failure of the model raises ModelError with :func:`interrupted_message`, after the
        request was marked failed: its text and documents stay, ready for another try.
        """
        produced = False
        try:
            for chunk in run.chunks():
                produced = True
                yield chunk
        except ModelError as exc:
            message = interrupted_message(run.model, exc, partial=produced)
            self.requests.mark_failed(
                request.id,
                owner=request.owner,
                status=RequestStatus.FAILED,
                model=run.model.name,
                error=message,
            )
            self.forget(request.id, request.owner)
            raise ModelError(message) from exc
        except (AuditError, StoreError) as exc:
            # The answer could not be kept or recorded: it is not delivered (failing closed).
            with contextlib.suppress(StoreError):
                self.requests.mark_failed(
                    request.id,
                    owner=request.owner,
                    status=RequestStatus.FAILED,
                    model=run.model.name,
                    error=f"La réponse n'a pas pu être enregistrée ({exc}). Votre demande et "
                    "vos documents sont conservés : réessayez dans un instant.",
                )
            self.forget(request.id, request.owner)
            raise
        result = run.result
        assert result is not None
        if request.conversation_id is not None:
            self.requests.mark_answered(
                request.id,
                owner=request.owner,
                model=run.model.name,
                tier=run.model.tier.value,
                level=run.preview.assessment.level.key,
                answer=result.text,
                digest=run.preview.digest,
                warnings=result.warnings,
            )
            self.conversations.touch(request.conversation_id, owner=request.owner)
        else:
            assert result.draft_id is not None
            self.requests.mark_sent(
                request.id,
                owner=request.owner,
                model=run.model.name,
                draft_id=result.draft_id,
                warnings=result.warnings,
            )
        self.forget(request.id, request.owner)

    # -- deleting and retention -------------------------------------------------------------

    def delete_request(self, request_id: str, owner: str) -> None:
        """Delete a request and the documents no other request of the owner still uses."""
        record = self.requests.delete(request_id, owner=owner)
        self.forget(request_id, owner)
        in_use = self.requests.documents_in_use(record.document_ids, owner=owner)
        self.uploads.delete([i for i in record.document_ids if i not in in_use], owner=owner)
        if record.conversation_id and not self.requests.conversation(
            record.conversation_id, owner=owner
        ):
            # Its only question abandoned before any answer: no empty conversation is left.
            with contextlib.suppress(NotFoundError):
                self.conversations.store.delete(record.conversation_id, owner=owner)

    def purge_older_than(self, days: int | Mapping[str, int]) -> dict[str, int]:
        """Apply the retention period to everything the workspace keeps; counts per kind.

        ``days``: one period for every kind, or one per kind (``requests``, ``conversations``,
        ``drafts``, ``uploads``, ``batches``: :func:`egide.workspace.retention.periods`).
        """
        period = (lambda _kind: days) if isinstance(days, int) else days.__getitem__
        with self._lock:
            self._previews.clear()
        # A conversation's turns go at the conversations' period, before the conversations
        # themselves (one goes with its last turn); "demandes" counts both kinds of request.
        turns = self.requests.purge_older_than(period("conversations"), turns=True)
        requests = self.requests.purge_older_than(period("requests"), turns=False)
        return {
            "brouillons": self.drafts.purge_older_than(period("drafts")),
            "demandes": requests + turns,
            "conversations": self.conversations.store.purge_older_than(period("conversations")),
            "travaux répétitifs": self.batches.purge_older_than(period("batches")),
            "documents": self.uploads.purge_older_than(period("uploads")),
        }
