"""JSON request bodies, read under limits before anything parses them (every JSON route).

The declared type must be JSON (``application/json`` or ``application/…+json``): a body of
another type is refused unread, so that nothing is parsed as what it does not claim to be, and
a form of another site, which cannot declare JSON without the browser asking first, is refused
too. Two limits hold before :func:`json.loads` sees a byte: the size (a client that sends more is
answered 413, and cut off when it sends far more) and the nesting depth. Python's JSON parser
recurses once per nested array or object, so a few kilobytes of ``[[[[…`` would end in a
``RecursionError`` (an unexpected 500) and a deep structure would then cost every walker that
reads it; an OpenAI request is nested five or six levels, so :data:`MAX_DEPTH` is ample.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request

from egide.api.errors import (
    body_too_large,
    invalid_json,
    invalid_value,
    json_too_deep,
    unsupported_media_type,
)

__all__ = ["MAX_DEPTH", "check_depth", "is_json", "load_json", "read_body", "read_json"]

MAX_DEPTH = 32
# A client that sends far more than allowed is cut off instead of being read to the end.
_DRAIN_FACTOR = 16
# One token per match: a whole string (possessive, so that a long string is one linear pass),
# an opening or closing bracket, or a lone quote (a string that never ends: invalid JSON).
_TOKENS = re.compile(rb'"(?:[^"\\]++|\\.)*+"|[\[{]|[\]}]|"', re.DOTALL)
_QUOTE, _OPENING = ord('"'), frozenset(b"[{")


async def read_body(request: Request, limit: int) -> bytes:
    """The body, or 413 past ``limit`` bytes (read to the end, so that the client sees 413)."""
    declared = request.headers.get("content-length", "")
    too_large = declared.isdigit() and int(declared) > limit
    pieces: list[bytes] = []
    size = 0
    async for piece in request.stream():
        size += len(piece)
        if size > limit:
            too_large = True
            if size > limit * _DRAIN_FACTOR:
                break
        if not too_large:
            pieces.append(piece)
    if too_large:
        raise body_too_large(limit)
    return b"".join(pieces)


def check_depth(raw: bytes, max_depth: int = MAX_DEPTH) -> None:
    """400 when arrays and objects nest deeper than ``max_depth`` (in linear time)."""
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return  # cannot be deeper than the number of openings: the usual case, in C
    depth = 0
    for match in _TOKENS.finditer(raw):
        first = raw[match.start()]
        if first == _QUOTE:
            if match.end() - match.start() == 1:
                raise invalid_json()  # a string that never ends: stop before any rescan
        elif first in _OPENING:
            depth += 1
            if depth > max_depth:
                raise json_too_deep(max_depth)
        else:
            depth -= 1


def load_json(raw: bytes, *, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """A JSON object from ``raw``, its depth checked first; 400 with a French message."""
    check_depth(raw, max_depth)
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid_json() from None
    except RecursionError:  # unreachable after check_depth; kept so that it can never be a 500
        raise json_too_deep(max_depth) from None
    if not isinstance(value, dict):
        raise invalid_value("Le corps de la requête doit être un objet JSON.", param=None)
    return value


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


async def read_json(request: Request, limit: int) -> dict[str, Any]:
    """The request's JSON object: declared as JSON, read under the size and depth limits."""
    if not is_json(request.headers.get("content-type", "")):
        raise unsupported_media_type()
    return load_json(await read_body(request, limit))
