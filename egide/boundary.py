"""The pipeline's boundary: every text is normalised on the way in, and bound by a digest.

Two rules of DESIGN.md live here, because they were each broken once under attack:

- **Text is normalised before it is judged**, and the normalised text is what a model receives
  (:func:`normalized_request`): an identifier hidden by invisible or look-alike characters is
  both found by the guard and sent without its disguise.
- **The decision is made on exactly what is sent**: :func:`request_digest` fingerprints the
  texts a preview judged, so that a preview shown to the agent is only reused by
  :meth:`egide.assistant.Assistant.start` when the texts it is about to send are the same.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import TYPE_CHECKING

from egide.documents import Document, Section
from egide.guard.normalize import normalize
from egide.models.base import Message

if TYPE_CHECKING:
    from egide.assistant import AssistantRequest

__all__ = ["normalized_document", "normalized_request", "request_digest"]


def normalized_document(document: Document) -> Document:
    """``document`` with its text and its name normalised (a name reaches models too, in
    citations) and its sections moved onto the new offsets."""
    name = normalize(document.source).text
    normalized = normalize(document.text)
    if not normalized.changed:
        return document if name == document.source else replace(document, source=name)
    sections = tuple(
        replace(
            section,
            text_start=normalized.in_normalized(section.text_start),
            text_end=normalized.in_normalized(section.text_end, end=True),
        )
        for section in document.sections
    )
    return Document(
        text=normalized.text,
        sections=_ordered(sections),
        source=name,
        format=document.format,
        warnings=document.warnings,
    )


def _ordered(sections: tuple[Section, ...]) -> tuple[Section, ...]:
    # A section made only of removed characters becomes empty: drop it, keep the others.
    return tuple(s for s in sections if s.text_end > s.text_start)


def normalized_request(request: AssistantRequest) -> AssistantRequest:
    """The request as the pipeline judges and sends it (idempotent)."""
    return replace(
        request,
        prompt=normalize(request.prompt).text,
        documents=tuple(normalized_document(d) for d in request.documents),
        messages=tuple(Message(m.role, normalize(m.content).text) for m in request.messages),
    )


def request_digest(request: AssistantRequest) -> str:
    """SHA-256 over every text of ``request`` that reaches a model, in the order sent.

    Each part is length-prefixed so that moving text from one part to the next changes it.
    """
    digest = hashlib.sha256()

    def part(kind: str, text: str) -> None:
        data = text.encode("utf-8", "surrogatepass")
        digest.update(f"{kind}:{len(data)}:".encode())
        digest.update(data)

    part("task", request.task)
    part("prompt", request.prompt)
    for document in request.documents:
        part("document", document.text)
        part("name", document.source)
    for message in request.messages:
        part("message", f"{message.role}\n{message.content}")
    return digest.hexdigest()
