"""Model backends: any OpenAI-compatible server, a local GGUF file, the built-in local engine."""

from egide.models.base import (
    GenerationRequest,
    Message,
    ModelBackend,
    ModelError,
    ModelTimeout,
    ModelUnavailable,
    UnanswerableRequest,
)
from egide.models.registry import (
    backend_for,
    backend_kind,
    is_generative,
    model_label_fr,
    register_backend,
)

__all__ = [
    "GenerationRequest",
    "Message",
    "ModelBackend",
    "ModelError",
    "ModelTimeout",
    "ModelUnavailable",
    "UnanswerableRequest",
    "backend_for",
    "backend_kind",
    "is_generative",
    "model_label_fr",
    "register_backend",
]
