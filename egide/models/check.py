"""Does each configured model answer, does it stream, and what may the charter send it?

``egide models check`` runs this for the administrator. It is the one place where Égide calls a
model backend outside the pipeline (egide/assistant.py), and it may: it sends only
:data:`PROBE`, a fixed sentence that holds no data at all, and says so in its report.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from egide.config import ModelSettings
from egide.models.base import GenerationRequest, Message, ModelError, SourceText
from egide.models.registry import backend_for, backend_kind, model_label_fr
from egide.policy.decide import Assessment, model_accepts
from egide.policy.levels import Level

__all__ = ["PROBE", "ModelCheck", "ReplicaCheck", "charter_levels", "check_model"]

PROBE = "Réponds seulement par le mot : bonjour."
_PROBE_TOKENS = 16
_EXCERPT = 80


@dataclass(frozen=True)
class ReplicaCheck:
    """One server of a model with several replicas: did it answer the probe, and how fast."""

    url: str
    answers: bool
    first_chunk_s: float | None
    problem: str | None


@dataclass
class ModelCheck:
    """What one check found; ``problems`` and ``notes`` are French sentences."""

    name: str
    label_fr: str
    where: str  # the server address, the GGUF file, or "intégré"
    generative: bool
    answers: bool = False
    streams: bool = False
    chunks: int = 0
    load_s: float | None = None  # llama_cpp: loading the GGUF file
    first_chunk_s: float | None = None
    total_s: float | None = None
    excerpt: str = ""  # the beginning of the answer to the probe
    accepts: tuple[Level, ...] = ()
    refuses: tuple[Level, ...] = ()
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # A model with several replicas: each one probed on its own (empty for a single server).
    replicas: list[ReplicaCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.answers and not self.problems


def charter_levels(settings: ModelSettings) -> tuple[tuple[Level, ...], tuple[Level, ...]]:
    """The levels of request the charter lets this model receive, and those it never will.

    From ``personnel`` up, a request is taken to hold personal data, as such requests do (the
    administration page's table asks the same question).
    """
    accepts: list[Level] = []
    refuses: list[Level] = []
    for level in Level:
        personal = {"PERSON": 1} if level >= Level.PERSONNEL else {}
        assessment = Assessment(level=level, personal_counts=personal)
        (accepts if model_accepts(settings, assessment) else refuses).append(level)
    return tuple(accepts), tuple(refuses)


def _where(settings: ModelSettings) -> str:
    if settings.backend == "openai":
        return ", ".join(settings.endpoints)
    if settings.backend == "llama_cpp":
        return f"fichier {settings.path}"
    return "intégré"


def check_model(settings: ModelSettings, *, timeout_s: float | None = None) -> ModelCheck:
    """Send the probe once, streamed, and time it; never raises for a model that fails.

    A model with several replicas is probed on each one: it works for the agents when one
    answers, and each replica that does not is named in a note.
    """
    if len(settings.endpoints) < 2:
        return _check_one(settings, timeout_s=timeout_s)
    reports = [
        _check_one(
            settings.model_copy(update={"base_url": url, "replicas": ()}), timeout_s=timeout_s
        )
        for url in settings.endpoints
    ]
    merged = next((r for r in reports if r.ok), reports[0])
    merged.where = _where(settings)
    merged.replicas = [
        ReplicaCheck(
            url=url,
            answers=r.ok,
            first_chunk_s=r.first_chunk_s,
            problem=None if r.ok else "; ".join(r.problems + r.notes),
        )
        for url, r in zip(settings.endpoints, reports, strict=True)
    ]
    if merged.ok:
        for replica in merged.replicas:
            if not replica.answers:
                merged.notes.append(
                    f"la réplique {replica.url} ne répond pas ({replica.problem}) : les demandes "
                    "vont aux autres"
                )
    return merged


def _check_one(settings: ModelSettings, *, timeout_s: float | None) -> ModelCheck:
    kind = backend_kind(settings.backend)
    accepts, refuses = charter_levels(settings)
    report = ModelCheck(
        name=settings.name,
        label_fr=model_label_fr(settings),
        where=_where(settings),
        generative=kind.generative,
        accepts=accepts,
        refuses=refuses,
    )
    if timeout_s is not None:
        # One try, within the administrator's patience: a check reports, it does not insist.
        settings = settings.model_copy(update={"timeout_s": timeout_s, "max_retries": 0})
    if settings.api_key_env and not os.environ.get(settings.api_key_env):
        report.notes.append(
            f"la variable d'environnement {settings.api_key_env} (clé d'API) n'est pas définie "
            "pour cette commande"
        )
    started = time.monotonic()
    try:
        backend = backend_for(settings)
    except ModelError as exc:
        report.problems.append(str(exc))
        return report
    if settings.backend == "llama_cpp":
        report.load_s = time.monotonic() - started
    request = GenerationRequest(
        task="chat" if kind.generative else "summarize",
        messages=(Message("user", PROBE),),
        # The extractive engine reads sources, not instructions: the probe is its document.
        sources=() if kind.generative else (SourceText(PROBE),),
        max_tokens=_PROBE_TOKENS,
        temperature=0.0,
    )
    pieces: list[str] = []
    started = time.monotonic()
    try:
        for chunk in backend.stream(request):
            if report.first_chunk_s is None:
                report.first_chunk_s = time.monotonic() - started
            pieces.append(chunk)
    except ModelError as exc:
        # "Your text is kept" is for an agent whose request failed; a probe has nothing to keep.
        report.problems.append(str(exc).split(" Votre texte est conservé")[0])
    report.total_s = time.monotonic() - started
    try:
        _server_models(backend, settings, report)
    finally:
        close = getattr(backend, "close", None)
        if callable(close):
            close()
    text = "".join(pieces)
    report.chunks = len(pieces)
    report.answers = bool(text.strip()) and not report.problems
    report.streams = report.chunks > 1
    excerpt = " ".join(text.split())
    report.excerpt = excerpt[:_EXCERPT] + ("…" if len(excerpt) > _EXCERPT else "")
    if not text.strip() and not report.problems:
        report.problems.append(
            "le modèle a répondu par un texte vide : vérifiez le nom du modèle côté serveur "
            "(model) et son format de conversation"
        )
    return report


def _server_models(backend: object, settings: ModelSettings, report: ModelCheck) -> None:
    """For an OpenAI-compatible server: is the configured model among those it serves?"""
    listing = getattr(backend, "server_models", None)
    if not callable(listing):
        return
    try:
        served: Sequence[str] = listing()
    except ModelError as exc:
        if not report.problems:  # otherwise the same cause is already reported
            report.notes.append(f"liste des modèles du serveur indisponible ({exc})")
        return
    wanted = settings.model or settings.name
    if served and wanted not in served:
        shown = ", ".join(served[:8]) + ("…" if len(served) > 8 else "")
        report.notes.append(
            f"le serveur ne déclare pas le modèle « {wanted} » (il sert : {shown}) : vérifiez "
            "la clé model"
        )
