"""The one set of limits every reader works under, and the French refusals when one is reached.

Untrusted files are small on the wire and huge once unpacked: a few kilobytes of PDF, XLSX or
DOCX can inflate to gigabytes. Each limit below bounds one way a file can cost more than its
size says; the time and memory limits are enforced from outside the reader (the parse runs in a
child process, see :mod:`egide.documents.sandbox`) so that even a reader library that misbehaves
cannot take the service down with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from egide.documents.model import MAX_TEXT_CHARS, DocumentError, DocumentProblem

if TYPE_CHECKING:
    from egide.documents.ocr import OcrEngine

__all__ = [
    "DEFAULT_LIMITS", "Budget", "LimitExceeded", "ParseLimits", "french_number",
    "french_page_list", "human_size", "limit_exceeded", "too_large",
]  # fmt: skip

_MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """What one parse of one untrusted file may cost; e-mail attachments share their message's."""

    max_bytes: int = 50 * _MB  # the file as received
    max_unpacked_bytes: int = 256 * _MB  # what its archives (DOCX, ODT, XLSX) unpack to, in all
    max_pages: int = 5_000  # PDF pages
    max_cells: int = 2_000_000  # spreadsheet cells visited, empty ones included
    max_chars: int = MAX_TEXT_CHARS  # text kept; the rest is cut, with a warning
    timeout_s: float = 20.0  # wall-clock time of the parse
    memory_mb: int = 1024  # address space of the process that parses
    # Scanned pages recognised by OCR (egide/documents/ocr.py): how many, and how long in all,
    # on top of timeout_s (the worker tells the service when OCR starts).
    ocr_pages: int = 100
    ocr_timeout_s: float = 300.0

    def __post_init__(self) -> None:
        for name in ParseLimits.__slots__:
            if getattr(self, name) <= 0:
                raise ValueError(f"parse limit {name} must be positive")

    @property
    def memory_bytes(self) -> int:
        return self.memory_mb * _MB


DEFAULT_LIMITS = ParseLimits()


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} octets"
    if size < _MB:
        return f"{round(size / 1024)} Ko"
    if size < 1024 * _MB:
        megabytes = f"{size / _MB:.1f}".replace(".", ",").removesuffix(",0")
        return f"{megabytes} Mo"
    gigabytes = f"{size / (1024 * _MB):.1f}".replace(".", ",").removesuffix(",0")
    return f"{gigabytes} Go"


def french_page_list(numbers: list[int]) -> str:
    """``[2, 3, 4, 7, 8]`` → ``"2 à 4, 7 et 8"``: runs of three pages or more become ranges."""
    items: list[str] = []
    start = 0
    while start < len(numbers):
        end = start
        while end + 1 < len(numbers) and numbers[end + 1] == numbers[end] + 1:
            end += 1
        if end - start >= 2:
            items.append(f"{numbers[start]} à {numbers[end]}")
        else:
            items.extend(str(number) for number in numbers[start : end + 1])
        start = end + 1
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


def french_number(number: int) -> str:
    """``200000`` → ``"200 000"`` (narrow no-break space, as French typography wants)."""
    return f"{number:,}".replace(",", "\u202f")


class LimitExceeded(DocumentError):
    """A file refused because reading it would cost more than a limit allows.

    ``limit`` names which one (``bytes``, ``unpacked``, ``pages``, ``cells``, ``time``,
    ``ocr_time``, ``memory``); the problem is always :attr:`DocumentProblem.TOO_LARGE`.
    """

    def __init__(self, message: str, limit: str) -> None:
        super().__init__(message, DocumentProblem.TOO_LARGE)
        self.limit = limit


def too_large(name: str, size: int, max_bytes: int) -> LimitExceeded:
    """The file itself is larger than ``max_bytes``: refused before anything reads it."""
    return LimitExceeded(
        f"le fichier « {name} » est trop volumineux ({human_size(size)}) : la taille maximale "
        f"acceptée est de {human_size(max_bytes)}",
        "bytes",
    )


_ADVICE = "s'il est légitime, découpez-le ou enregistrez-le sous une forme plus simple"


def limit_exceeded(name: str, limit: str, limits: ParseLimits, *, found: int = 0) -> LimitExceeded:
    """The French refusal for ``limit``; ``found`` is what the file has, when it is known."""
    if limit == "bytes":
        return too_large(name, found, limits.max_bytes)
    if limit == "unpacked":
        why = f"se décompresse en plus de {human_size(limits.max_unpacked_bytes)}"
    elif limit == "pages":
        why = f"compte {french_number(found)} pages, au-delà des {french_number(limits.max_pages)} qu'Égide lit"
    elif limit == "cells":
        why = f"compte plus de {french_number(limits.max_cells)} cellules"
    elif limit == "time":
        why = f"demande plus de {limits.timeout_s:g} secondes de lecture"
    elif limit == "ocr_time":
        seconds = f"{limits.ocr_timeout_s:g}".replace(".", ",")
        why = f"demande plus de {seconds} secondes de reconnaissance de caractères (OCR)"
    elif limit == "memory":
        why = f"demande plus de {human_size(limits.memory_bytes)} de mémoire pour être lu"
    else:  # pragma: no cover - a programming error, caught by the tests of each limit
        raise ValueError(f"unknown limit {limit!r}")
    return LimitExceeded(
        f"le fichier « {name} » {why} : il a été refusé par précaution (fichier piégé ou trop "
        f"complexe) ; {_ADVICE}",
        limit,
    )


class Budget:
    """What is left of the limits during one parse, shared by a message and its attachments."""

    def __init__(
        self,
        limits: ParseLimits = DEFAULT_LIMITS,
        *,
        ocr: OcrEngine | None = None,
        on_ocr: Callable[[], None] | None = None,
    ) -> None:
        self.limits = limits
        self.ocr = ocr  # None: OCR is switched off, scanned pages are refused
        self._on_ocr = on_ocr
        self._unpacked = 0
        self._cells = 0

    def begin_ocr(self) -> float:
        """OCR starts: tell whoever watches the time (once); the seconds OCR may take."""
        if self._on_ocr is not None:
            self._on_ocr()
            self._on_ocr = None
        # Leave room to finish the parse before the service's extended wait runs out.
        return max(self.limits.ocr_timeout_s - 2.0, 0.8 * self.limits.ocr_timeout_s)

    def take_unpacked(self, size: int, name: str) -> None:
        """Count ``size`` bytes an archive will unpack to; refuse the file past the limit.

        A refused archive is not counted: the attachments after it may still be read.
        """
        if self._unpacked + size > self.limits.max_unpacked_bytes:
            raise limit_exceeded(name, "unpacked", self.limits)
        self._unpacked += size

    def take_cells(self, count: int, name: str) -> None:
        if self._cells + count > self.limits.max_cells:
            raise limit_exceeded(name, "cells", self.limits)
        self._cells += count

    def check_pages(self, count: int, name: str) -> None:
        if count > self.limits.max_pages:
            raise limit_exceeded(name, "pages", self.limits, found=count)
