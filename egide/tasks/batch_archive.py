"""One ZIP for a whole batch, written as it is sent: nothing of it ever lies on disk.

The letters come from the drafts in the store (decrypted for their owner only), the report from
the sealed journal; the archive is streamed entry by entry, so that 2,000 letters neither wait
for the last one before the first byte leaves nor sit whole in memory.

File names inside are content made safe: folded to ASCII letters, digits, dots, dashes and
underscores, never a path (no ``/``, ``\\``, ``..``), never starting with what a spreadsheet or
a shell would read as something else (``=``, ``+``, ``-``, ``@``, ``.``), never a device name
Windows reserves, and never twice the same.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime

__all__ = ["safe_file_name", "zip_stream"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RUNS = re.compile(r"([._-])[._-]+")
_EDGES = "._- =+@"
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
     *(f"lpt{i}" for i in range(1, 10))]
)  # fmt: skip
_MAX_STEM = 80


def safe_file_name(stem: str, suffix: str, taken: set[str]) -> str:
    """``stem.suffix`` made safe and unique among ``taken`` (which it joins, case folded)."""
    decomposed = unicodedata.normalize("NFKD", stem)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = _RUNS.sub(r"\1", _UNSAFE.sub("-", plain)).strip(_EDGES)[:_MAX_STEM].strip(_EDGES)
    if not cleaned:
        cleaned = "document"
    if cleaned.split(".")[0].lower() in _RESERVED:
        cleaned = f"fichier-{cleaned}"
    extension = _UNSAFE.sub("", suffix).strip(".")
    name = f"{cleaned}.{extension}" if extension else cleaned
    number = 1
    while name.lower() in taken:
        number += 1
        name = f"{cleaned}-{number}.{extension}" if extension else f"{cleaned}-{number}"
    taken.add(name.lower())
    return name


class _Sink(io.RawIOBase):
    """Where zipfile writes: the bytes are taken away after each entry."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def zip_stream(entries: Iterable[tuple[str, bytes]], *, now: datetime) -> Iterator[bytes]:
    """The ZIP of ``entries`` (name, content), in pieces, one entry at a time."""
    sink = _Sink()
    stamp = (now.year, now.month, now.day, now.hour, now.minute, now.second)
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16  # private once extracted, like all Égide writes
            archive.writestr(info, data)
            chunk = sink.take()
            if chunk:
                yield chunk
    yield sink.take()
