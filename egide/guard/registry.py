"""The one registry of recognizers: built-in ones register exactly as an external one would."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar, runtime_checkable

from egide.guard.findings import Finding

__all__ = ["Recognizer", "register_recognizer", "registered_recognizers"]


@runtime_checkable
class Recognizer(Protocol):
    """Finds spans in a text. Must be linear-time in the length of the text and never do I/O."""

    name: str
    labels: tuple[str, ...]

    def find(self, text: str) -> Iterable[Finding]: ...


_FACTORIES: dict[str, Callable[[], Recognizer]] = {}

F = TypeVar("F", bound=Callable[[], Recognizer])


def register_recognizer(name: str) -> Callable[[F], F]:
    """Decorate a zero-argument factory (a class or a function) that builds a recognizer."""

    def decorator(factory: F) -> F:
        if name in _FACTORIES:
            raise ValueError(f"recognizer {name!r} is already registered")
        _FACTORIES[name] = factory
        return factory

    return decorator


def registered_recognizers() -> dict[str, Callable[[], Recognizer]]:
    # Importing the package registers the built-in recognizers (one module per family).
    import egide.guard.recognizers  # noqa: F401

    return dict(_FACTORIES)
