"""What the service and a parse worker say to each other: length-prefixed frames of JSON or bytes.

The worker's answers are JSON, checked field by field on arrival, never pickle: a worker that a
hostile file managed to take over must not be able to run code in the service by what it sends
back. The file itself travels as raw bytes, in a frame of its own.
"""

from __future__ import annotations

import json
from typing import IO, Any

from egide.documents.model import Document, DocumentFormat, Section
from egide.documents.spreadsheet import Row, Table

__all__ = [
    "HEADER_BYTES", "WireError", "decode_json", "document_from_wire", "document_to_wire",
    "encode_frame", "encode_json", "read_frame", "table_from_wire", "table_to_wire",
    "write_frame",
]  # fmt: skip

HEADER_BYTES = 4


class WireError(ValueError):
    """A frame or an answer that does not have the agreed shape."""


def encode_frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(HEADER_BYTES, "big") + payload


def encode_json(value: object) -> bytes:
    # "replace": a lone surrogate left in a heading or a file name becomes "?" rather than an
    # answer the worker cannot send (one code point for one: positions in the text hold).
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", errors="replace")


def decode_json(payload: bytes | bytearray) -> Any:
    try:
        return json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WireError("answer is not JSON") from exc


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(encode_frame(payload))
    stream.flush()


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: IO[bytes], *, max_bytes: int) -> bytes | None:
    """The next frame, or None at the end of the stream (blocking; used by the worker)."""
    header = _read_exactly(stream, HEADER_BYTES)
    if header is None:
        return None
    size = int.from_bytes(header, "big")
    if size > max_bytes:
        raise WireError(f"frame of {size} bytes")
    return _read_exactly(stream, size) if size else b""


# --- documents and tables -------------------------------------------------------------------


def document_to_wire(document: Document) -> dict[str, Any]:
    return {
        "text": document.text,
        "source": document.source,
        "format": document.format.value,
        "warnings": list(document.warnings),
        "sections": [
            [s.text_start, s.text_end, s.page, s.paragraph, s.heading, s.attachment]
            for s in document.sections
        ],
    }


def _expect(value: object, kind: type | tuple[type, ...], what: str) -> Any:
    # bool is an int in Python; no field of ours is a bool.
    if not isinstance(value, kind) or isinstance(value, bool):
        raise WireError(f"{what}: unexpected {type(value).__name__}")
    return value


def _optional(value: object, kind: type, what: str) -> Any:
    return None if value is None else _expect(value, kind, what)


def _section(raw: object, text_length: int) -> Section:
    fields = _expect(raw, list, "section")
    if len(fields) != 6:
        raise WireError("section: six fields expected")
    start = _expect(fields[0], int, "text_start")
    end = _expect(fields[1], int, "text_end")
    if not 0 <= start <= end <= text_length:
        raise WireError("section outside the text")
    return Section(
        start,
        end,
        _optional(fields[2], int, "page"),
        _optional(fields[3], int, "paragraph"),
        _optional(fields[4], str, "heading"),
        _optional(fields[5], str, "attachment"),
    )


def document_from_wire(raw: object) -> Document:
    fields = _expect(raw, dict, "document")
    text = _expect(fields.get("text"), str, "text")
    try:
        fmt = DocumentFormat(_expect(fields.get("format"), str, "format"))
    except ValueError as exc:
        raise WireError("unknown format") from exc
    warnings = tuple(_expect(w, str, "warning") for w in _expect(fields.get("warnings"), list, "w"))
    sections = tuple(
        _section(item, len(text)) for item in _expect(fields.get("sections"), list, "sections")
    )
    source = _expect(fields.get("source"), str, "source")
    return Document(text, sections, source, fmt, warnings)


def table_to_wire(table: Table) -> dict[str, Any]:
    return {
        "columns": list(table.columns),
        "rows": [
            [row.line, [row.values[c] for c in table.columns], row.problem] for row in table.rows
        ],
    }


def _row(raw: object, columns: tuple[str, ...]) -> Row:
    fields = _expect(raw, list, "row")
    if len(fields) != 3:
        raise WireError("row: three fields expected")
    values = _expect(fields[1], list, "values")
    if len(values) != len(columns):
        raise WireError("row: one value per column expected")
    return Row(
        _expect(fields[0], int, "line"),
        {
            column: _expect(value, str, "value")
            for column, value in zip(columns, values, strict=True)
        },
        _optional(fields[2], str, "problem"),
    )


def table_from_wire(raw: object) -> Table:
    fields = _expect(raw, dict, "table")
    columns = tuple(_expect(c, str, "column") for c in _expect(fields.get("columns"), list, "c"))
    rows = tuple(_row(item, columns) for item in _expect(fields.get("rows"), list, "rows"))
    return Table(columns, rows)
