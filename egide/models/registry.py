"""Backends register here by name; built-in ones use the same mechanism as a plugin would.

A backend also says what it is, for the agents who choose a model: a generative model is
described by its tier ("modèle interne du ministère"), the built-in extractive engine by what it
really returns ("extraits du document"), never as a model it is not.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from egide.config import ModelSettings
from egide.models.base import ModelBackend, ModelError

__all__ = [
    "BackendKind",
    "backend_for",
    "backend_kind",
    "is_generative",
    "model_label_fr",
    "register_backend",
    "registered_backends",
]

BackendFactory = Callable[[ModelSettings], ModelBackend]
F = TypeVar("F", bound=BackendFactory)


@dataclass(frozen=True, slots=True)
class BackendKind:
    """What a backend is, whatever model it serves."""

    generative: bool = True  # False: it returns passages of the documents, it writes nothing
    label_fr: str | None = None  # what agents are told it is; None: the model's tier says it


_FACTORIES: dict[str, BackendFactory] = {}
_KINDS: dict[str, BackendKind] = {}
_BUILTIN_MODULES = {
    "openai": "egide.models.openai_compat",
    "llama_cpp": "egide.models.llama_cpp",
    "local": "egide.models.local",
}


def register_backend(
    name: str, *, generative: bool = True, label_fr: str | None = None
) -> Callable[[F], F]:
    def decorator(factory: F) -> F:
        _FACTORIES[name] = factory
        _KINDS[name] = BackendKind(generative=generative, label_fr=label_fr)
        return factory

    return decorator


def registered_backends() -> dict[str, BackendFactory]:
    return dict(_FACTORIES)


def _load(backend: str) -> None:
    if backend not in _FACTORIES and backend in _BUILTIN_MODULES:
        # Imported on demand: the llama.cpp bindings are an optional extra (the module itself
        # imports them only when a model is loaded).
        importlib.import_module(_BUILTIN_MODULES[backend])


def backend_kind(backend: str) -> BackendKind:
    """What the backend named ``backend`` is; an unknown one is taken for a generative model."""
    _load(backend)
    return _KINDS.get(backend, BackendKind())


def is_generative(models: Sequence[ModelSettings], name: str) -> bool:
    """Whether the model named ``name`` writes text of its own (a draft's mention says « IA »
    only then); a model no longer configured is taken for a generative one."""
    for candidate in models:
        if candidate.name == name:
            return backend_kind(candidate.backend).generative
    return True


def model_label_fr(settings: ModelSettings) -> str:
    """How agents see this model next to its name: its tier, or what the engine really is."""
    return backend_kind(settings.backend).label_fr or settings.tier.label_fr


def backend_for(settings: ModelSettings) -> ModelBackend:
    _load(settings.backend)
    try:
        factory = _FACTORIES[settings.backend]
    except KeyError:
        raise ModelError(f"moteur de modèle inconnu « {settings.backend} »") from None
    return factory(settings)
