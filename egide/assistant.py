"""The one pipeline every surface uses (DESIGN.md): nothing reaches a model otherwise.

    read -> guard.scan -> policy.decide -> pseudonymise -> model -> restore -> output scan
         -> draft -> audit

``Assistant.preview`` runs the first two steps only, so that the agent sees what was found and
which models may receive it before anything is sent. ``Assistant.start`` decides, records the
request in the audit trail (failing closed: no audit, no model call), and returns a ``Run``
whose ``chunks()`` stream the restored answer; when they are exhausted the answer is kept as a
draft and ``run.result`` is set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from egide.audit import AuditLog
from egide.boundary import normalized_request, request_digest
from egide.config import ModelSettings, Settings
from egide.documents import Document
from egide.guard import Guard, ScanResult
from egide.guard.findings import Finding, Reason
from egide.guard.pseudonymize import StreamRestorer, placeholders_in_links, pseudonymize
from egide.guard.sensitive import HEALTH_LABEL
from egide.guard.vault import Vault
from egide.models import ModelBackend, ModelError, backend_for
from egide.models.base import EmbeddingBackend, Message, SourceText
from egide.policy.decide import AUTO, Assessment, Decision, decide
from egide.tasks import TaskInput, task_named

__all__ = [
    "Assistant",
    "AssistantRequest",
    "AssistantResult",
    "DraftSink",
    "PolicyRefused",
    "Preview",
    "Run",
]


@dataclass(frozen=True)
class AssistantRequest:
    user: str
    task: str  # a registered task: summarize, draft, chat…
    prompt: str = ""  # the agent's own words: a question, an instruction, a rendered draft
    documents: Sequence[Document] = ()
    model: str = AUTO
    options: Mapping[str, Any] = field(default_factory=dict)
    title: str | None = None
    # A whole conversation (the API gateway): every message is scanned and pseudonymised like
    # the prompt, and the task receives them, pseudonymised, in TaskInput.messages.
    messages: Sequence[Message] = ()
    # A conversation's turn keeps its answer in the conversation (egide.workspace.
    # conversations), not as a draft: the agent keeps one as a draft when they choose to.
    keep_draft: bool = True
    # The id the draft must bear (a batch item's, fixed in advance): an item done again after
    # a crash finds its draft instead of making a second one.
    draft_id: str | None = None


@dataclass(frozen=True)
class Preview:
    """What the guard found and what the charter allows, before anything is sent."""

    prompt_scan: ScanResult
    document_scans: tuple[ScanResult, ...]
    assessment: Assessment
    decision: Decision
    message_scans: tuple[ScanResult, ...] = ()
    # The fingerprint of the normalised texts judged (egide.boundary.request_digest): start()
    # reuses these scans only for the very same texts.
    digest: str = ""
    # Each document's file name: content too ("recours-Dupont.pdf"), judged like its text.
    name_scans: tuple[ScanResult, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        return total_counts(
            (self.prompt_scan, *self.document_scans, *self.message_scans, *self.name_scans)
        )


class PolicyRefused(Exception):
    """The charter refuses this request; ``str()`` is the French reason (values never quoted)."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.message_fr)
        self.decision = decision


@dataclass(frozen=True)
class AssistantResult:
    text: str
    decision: Decision
    draft_id: str | None
    warnings: tuple[str, ...] = ()


class DraftSink(Protocol):
    """Where answers are kept as drafts pending validation (egide.store in production)."""

    def create(
        self,
        *,
        owner: str,
        task: str,
        model: str,
        tier: str,
        level: str,
        title: str,
        content: str,
        source_name: str | None = None,
        draft_id: str | None = None,
    ) -> Any:
        """``draft_id``: the id to give the draft; when a draft of this owner already bears
        it, that draft is returned unchanged (a batch item done again)."""
        ...


def total_counts(scans: Sequence[ScanResult]) -> dict[str, int]:
    """Findings by label over several texts."""
    counts: dict[str, int] = {}
    for scan in scans:
        for label, n in scan.counts_by_label().items():
            counts[label] = counts.get(label, 0) + n
    return counts


def merge_reasons(scans: Sequence[ScanResult]) -> tuple[Reason, ...]:
    """One reason per category over several texts, with the counts added up."""
    merged: dict[str, Reason] = {}
    for scan in scans:
        for reason in scan.reasons:
            known = merged.get(reason.category)
            if known is None:
                merged[reason.category] = reason
            else:
                merged[reason.category] = Reason(
                    level=max(known.level, reason.level),
                    category=reason.category,
                    label_fr=reason.label_fr,
                    count=known.count + reason.count,
                )
    return tuple(merged.values())


def _sources(document: Document, findings: Sequence[Finding], vault: Vault) -> list[SourceText]:
    """Pseudonymise a document section by section, keeping each section's page or paragraph
    (the document's name is added once every text is pseudonymised: see Assistant.start)."""
    sources: list[SourceText] = []
    ordered = sorted(findings, key=lambda f: f.start)
    index = 0
    for section in document.sections:
        start, end = section.text_start, section.text_end
        local: list[Finding] = []
        while index < len(ordered) and ordered[index].end <= start:
            index += 1
        probe = index
        while probe < len(ordered) and ordered[probe].start < end:
            f = ordered[probe]
            # A value cut by a section boundary is masked on both sides.
            s, e = max(f.start, start), min(f.end, end)
            local.append(
                Finding(s - start, e - start, f.label, f.score, document.text[s:e], f.recognizer)
            )
            probe += 1
        text = pseudonymize(document.text[start:end], local, vault)
        sources.append(SourceText(text, page=section.page, paragraph=section.paragraph))
    return sources


class Assistant:
    def __init__(
        self,
        settings: Settings,
        *,
        guard: Guard | None = None,
        audit: AuditLog | None = None,
        drafts: DraftSink | None = None,
        backends: Mapping[str, ModelBackend] | None = None,
    ) -> None:
        self.settings = settings
        self.guard = guard or Guard()
        self.audit = audit or AuditLog.open(settings)
        self.drafts = drafts
        self._backends: dict[str, ModelBackend] = dict(backends or {})

    def backend(self, model: ModelSettings) -> ModelBackend:
        if model.name not in self._backends:
            self._backends[model.name] = backend_for(model)
        return self._backends[model.name]

    def preview(self, request: AssistantRequest) -> Preview:
        """What the guard finds in the (normalised) request and what the charter allows.

        Advice for the agent, never the decision: :meth:`start` decides again on what it sends.
        """
        task_named(request.task)  # an unknown task fails before anything else
        return self._assess(normalized_request(request))

    def _assess(self, request: AssistantRequest) -> Preview:
        """Scan and decide on ``request``, which must already be normalised."""
        # Health terms join the findings where the level says "données de santé": highlighted
        # in the preview, replaced before a model receives the text (see _masked).
        prompt_scan = self.guard.scan(request.prompt).with_health_terms()
        document_scans = tuple(
            self.guard.scan(d.text).with_health_terms() for d in request.documents
        )
        message_scans = tuple(
            self.guard.scan(m.content).with_health_terms() for m in request.messages
        )
        name_scans = tuple(self.guard.scan(d.source) for d in request.documents)
        scans = (prompt_scan, *document_scans, *message_scans, *name_scans)
        assessment = Assessment.from_counts(
            max(scan.level for scan in scans), total_counts(scans), reasons=merge_reasons(scans)
        )
        decision = decide(assessment, self.settings.models, request.model)
        return Preview(
            prompt_scan,
            document_scans,
            assessment,
            decision,
            message_scans,
            digest=request_digest(request),
            name_scans=name_scans,
        )

    def _current(self, request: AssistantRequest, shown: Preview | None) -> tuple[Preview, str]:
        """The scans and decision for exactly ``request`` (normalised), and how the preview
        shown to the agent relates to it: "conforme", "perime" (the texts changed since) or
        "aucun". The charter is asked again in every case, for ``request.model``."""
        if shown is None or shown.digest != request_digest(request):
            return self._assess(request), "aucun" if shown is None else "perime"
        decision = decide(shown.assessment, self.settings.models, request.model)
        return replace(shown, decision=decision), "conforme"

    def start(self, request: AssistantRequest, *, preview: Preview | None = None) -> Run:
        """Decide on the texts about to be sent, audit, and start the run.

        ``preview`` (what the agent saw) saves a second scan when it is about these very texts;
        otherwise the request is scanned again. Either way the decision, the audit and the
        pseudonymisation are about what the model receives. PolicyRefused when refused.
        """
        task_named(request.task)
        request = normalized_request(request)
        preview, preview_state = self._current(request, preview)
        model = self._record_decision(
            request, preview, action=request.task, preview_state=preview_state
        )
        vault = Vault()
        prompt = pseudonymize(request.prompt, _masked(preview.prompt_scan.findings, model), vault)
        texts: list[list[SourceText]] = [
            _sources(document, _masked(scan.findings, model), vault)
            for document, scan in zip(request.documents, preview.document_scans, strict=True)
        ]
        messages = _pseudonymized_messages(request, preview, vault, model)
        # File names last, so that the placeholders of the texts are numbered as in the preview.
        sources: list[SourceText] = []
        for document, scan, parts in zip(request.documents, preview.name_scans, texts, strict=True):
            name = pseudonymize(document.source, scan.findings, vault)
            sources.extend(replace(part, document=name) for part in parts)
        task_input = TaskInput(
            prompt=prompt,
            sources=tuple(sources),
            options=dict(request.options),
            messages=messages,
        )
        return Run(self, request, preview, model, vault, task_input)

    def embed(self, request: AssistantRequest) -> list[list[float]]:
        """One vector per message of ``request``: same scan, decision, pseudonymisation and
        audit as a generation, with nothing to restore. ``request.task`` is not used."""
        request = normalized_request(request)
        preview = self._assess(request)
        model = self._record_decision(request, preview, action="embeddings")
        backend = self.backend(model)
        if not isinstance(backend, EmbeddingBackend):
            raise ModelError(f"le modèle « {model.name} » ne calcule pas de plongements")
        messages = _pseudonymized_messages(request, preview, Vault(), model)
        return backend.embed([m.content for m in messages])

    def _record_decision(
        self,
        request: AssistantRequest,
        preview: Preview,
        *,
        action: str,
        preview_state: str = "aucun",
    ) -> ModelSettings:
        """Audit the decision (failing closed), then raise PolicyRefused unless allowed.

        The level and counts recorded are those of the texts about to be sent."""
        decision = preview.decision
        model = decision.model
        self.audit.append(
            user=request.user,
            action=action if decision.allowed else "refusal",
            # The configured name only: what an agent typed for an unknown model is not logged.
            model=model.name if model else None,
            tier=model.tier if model else None,
            level=preview.assessment.level,
            counts=preview.counts,
            decision=decision.code,
            extra={
                "task": request.task,
                "documents": len(request.documents),
                "apercu": preview_state,
            },
        )
        if not decision.allowed or model is None:
            raise PolicyRefused(decision)
        return model


def _masked(findings: Sequence[Finding], model: ModelSettings) -> Sequence[Finding]:
    """What is replaced before ``model`` receives a text: every personal finding, health terms
    included unless an administrator keeps them in clear for it (``keep_health_terms``)."""
    if not model.keep_health_terms:
        return findings
    return [f for f in findings if f.label != HEALTH_LABEL]


def _pseudonymized_messages(
    request: AssistantRequest, preview: Preview, vault: Vault, model: ModelSettings
) -> tuple[Message, ...]:
    pairs = zip(request.messages, preview.message_scans, strict=True)
    return tuple(
        Message(m.role, pseudonymize(m.content, _masked(s.findings, model), vault))
        for m, s in pairs
    )


class Run:
    """One allowed request on its way through the model; iterate ``chunks()`` once."""

    def __init__(
        self,
        assistant: Assistant,
        request: AssistantRequest,
        preview: Preview,
        model: ModelSettings,
        vault: Vault,
        task_input: TaskInput,
    ) -> None:
        self._assistant = assistant
        self.request = request
        self.preview = preview
        self.model = model
        self._vault = vault
        self.task_input = task_input
        self.result: AssistantResult | None = None

    @property
    def decision(self) -> Decision:
        return self.preview.decision

    def chunks(self) -> Iterator[str]:
        task = task_named(self.request.task)
        backend = self._assistant.backend(self.model)
        restorer = StreamRestorer(self._vault)
        pieces: list[str] = []
        for chunk in task.generate(self.task_input, backend):
            restored = restorer.feed(chunk)
            if restored:
                pieces.append(restored)
                yield restored
        tail = restorer.flush()
        if tail:
            pieces.append(tail)
            yield tail
        self._finish("".join(pieces))

    def complete(self) -> AssistantResult:
        for _ in self.chunks():
            pass
        assert self.result is not None
        return self.result

    def _finish(self, text: str) -> None:
        assistant = self._assistant
        output_scan = assistant.guard.scan(text)
        warnings = list(self._output_warnings(text, output_scan))
        draft_id: str | None = None
        if assistant.drafts is not None and self.request.keep_draft:
            record = assistant.drafts.create(
                owner=self.request.user,
                task=self.request.task,
                model=self.model.name,
                tier=self.model.tier.value,
                level=self.preview.assessment.level.key,
                title=self.request.title or _default_title(self.request),
                content=text,
                source_name=", ".join(d.source for d in self.request.documents) or None,
                draft_id=self.request.draft_id,
            )
            draft_id = str(getattr(record, "id", record))
        assistant.audit.append(
            user=self.request.user,
            # Surfaces without drafts (the API gateway) hand the answer to their own application;
            # a conversation keeps it as a turn.
            action="draft_saved"
            if draft_id
            else ("answer_delivered" if self.request.keep_draft else "answer_saved"),
            model=self.model.name,
            tier=self.model.tier,
            level=self.preview.assessment.level,
            counts=output_scan.counts_by_label(),
            decision=self.decision.code,
            extra={"draft": draft_id or "", "warnings": len(warnings)},
        )
        self.result = AssistantResult(text, self.decision, draft_id, tuple(warnings))

    def _output_warnings(self, text: str, scan: ScanResult) -> Iterator[str]:
        """Leftover placeholders, or personal data that the inputs did not hold."""
        if placeholders_in_links(text):
            yield (
                "la réponse place une donnée personnelle dans une adresse web : elle a été "
                "laissée masquée (une consigne cachée dans un document peut chercher à la "
                "faire sortir ainsi) ; supprimez ce lien"
            )
        elif any(placeholder in text for placeholder in self._vault):
            yield "la réponse contient encore des marqueurs non restaurés : relisez-la"
        # Whitespace does not count: summaries join the lines a value was wrapped across.
        inputs = [
            _squeezed(part)
            for part in (
                self.request.prompt,
                *(d.text for d in self.request.documents),
                *(m.content for m in self.request.messages),
            )
        ]
        new = [
            f
            for f in scan.personal_findings
            if not any(_squeezed(f.text) in part for part in inputs)
        ]
        if new:
            yield (
                f"la réponse contient {len(new)} donnée(s) personnelle(s) absente(s) des "
                "documents fournis : vérifiez-les avant de valider"
            )


def _squeezed(text: str) -> str:
    return " ".join(text.split())


def _default_title(request: AssistantRequest) -> str:
    names = {"summarize": "Résumé", "draft": "Projet de rédaction", "chat": "Réponse"}
    title = names.get(request.task, request.task)
    if request.documents:
        title += " — " + os.path.basename(request.documents[0].source)
    return title
