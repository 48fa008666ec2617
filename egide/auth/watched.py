"""Configuration texts of the portal (charter, training module), read again when they change."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from egide.store.errors import StoreError

__all__ = ["WatchedFile"]

T = TypeVar("T")


class WatchedFile(Generic[T]):
    """A text file parsed again when its size or modification time changes (a charter, a
    training module): a new version applies at the next page, without a restart.

    ``parse`` raises its own French errors; an unreadable file raises StoreError naming
    ``what``.
    """

    def __init__(self, path: Path, parse: Callable[[str], T], *, what: str) -> None:
        self.path = path.expanduser()
        self._parse = parse
        self._what = what
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._value: T | None = None

    def current(self) -> T:
        try:
            info = self.path.stat()
            stamp = (info.st_mtime_ns, info.st_size)
            with self._lock:
                if self._value is None or stamp != self._stamp:
                    text = self.path.read_text(encoding="utf-8")
                    self._value, self._stamp = self._parse(text), stamp
                return self._value
        except (OSError, UnicodeDecodeError) as exc:
            raise StoreError(f"{self._what} illisible ({self.path}) : {exc}") from None
