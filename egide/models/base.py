"""The one interface every model backend implements, and its errors (in French)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

__all__ = [
    "EmbeddingBackend",
    "GenerationRequest",
    "Message",
    "ModelBackend",
    "ModelError",
    "ModelTimeout",
    "ModelUnavailable",
    "SourceText",
    "UnanswerableRequest",
]

Role = Literal["system", "user", "assistant"]
Task = Literal["chat", "summarize", "draft", "reduce"]


@dataclass(frozen=True, slots=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class SourceText:
    """A passage of a (pseudonymised) document with where it comes from in the source.

    ``document`` is the document's file name, pseudonymised like its text (a file name is
    content: "dossier-Dupont.pdf"), so that answers can cite it.
    """

    text: str
    page: int | None = None
    paragraph: int | None = None
    document: str | None = None


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    """What a task asks of a model, already pseudonymised.

    Generative backends read ``messages``; the built-in extractive engine reads the structured
    fields (``task``, ``sources``, ``options``), since it cannot follow instructions.
    """

    task: Task
    messages: Sequence[Message]
    sources: Sequence[SourceText] = ()
    options: dict[str, Any] = field(default_factory=dict)
    max_tokens: int | None = None
    temperature: float | None = None


class ModelError(Exception):
    """A model could not answer; the message is for the agent, in French."""


class ModelUnavailable(ModelError):
    """The model server cannot be reached or refuses to answer."""


class ModelTimeout(ModelError):
    """The model server did not answer in time."""


class UnanswerableRequest(ModelError):
    """The request lacks what this model needs (a document for the extractive engine): the
    caller must change it, the model is not at fault."""


@runtime_checkable
class ModelBackend(Protocol):
    name: str
    context_chars: int

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        """Yield the answer in chunks; raise ModelError on failure."""
        ...

    def complete(self, request: GenerationRequest) -> str:
        """The whole answer at once."""
        ...


@runtime_checkable
class EmbeddingBackend(Protocol):
    """A backend that also computes embeddings (optional: not every model offers them)."""

    name: str

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order; raise ModelError on failure."""
        ...
