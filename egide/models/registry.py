"""Backends register here by name; built-in ones use the same mechanism as a plugin would."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TypeVar

from egide.config import ModelSettings
from egide.models.base import ModelBackend, ModelError

__all__ = ["register_backend", "backend_for", "registered_backends"]

BackendFactory = Callable[[ModelSettings], ModelBackend]
F = TypeVar("F", bound=BackendFactory)

_FACTORIES: dict[str, BackendFactory] = {}
_BUILTIN_MODULES = {
    "openai": "egide.models.openai_compat",
    "llama_cpp": "egide.models.llama_cpp",
    "local": "egide.models.local",
}


def register_backend(name: str) -> Callable[[F], F]:
    def decorator(factory: F) -> F:
        _FACTORIES[name] = factory
        return factory

    return decorator


def registered_backends() -> dict[str, BackendFactory]:
    return dict(_FACTORIES)


def backend_for(settings: ModelSettings) -> ModelBackend:
    if settings.backend not in _FACTORIES and settings.backend in _BUILTIN_MODULES:
        # Imported on demand: the llama.cpp bindings are an optional extra.
        importlib.import_module(_BUILTIN_MODULES[settings.backend])
    try:
        factory = _FACTORIES[settings.backend]
    except KeyError:
        raise ModelError(f"moteur de modèle inconnu « {settings.backend} »") from None
    return factory(settings)
