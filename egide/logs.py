"""The service's logs: plain text or one JSON object per line, and never personal data.

What may reach a log is decided here, once, for every logger of the process (Égide's, uvicorn's,
httpx's): the message, the fields of :data:`SAFE_FIELDS` a caller attaches (``extra=``), the
request id of the request being answered, and for an exception its type and where it was raised
— never its message, which may quote what a user sent (a ``KeyError`` on an e-mail address, a
``UnicodeDecodeError`` on a line of a file). Égide's own log calls say what failed in their own
words and with the exception's type only; the access log (egide/web/access_log.py) names the
route's template, never the path a client typed.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TextIO

from egide.config import LoggingSettings

__all__ = [
    "REQUEST_ID",
    "SAFE_FIELDS",
    "JsonFormatter",
    "TextFormatter",
    "configure_logging",
    "request_id_from",
]

# The request being answered, for every log line written while answering it (threads included,
# where the context is carried: Starlette's thread pool, the gateway's executor).
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "egide_request_id", default=None
)

# Fields a log call may attach; anything else given through ``extra=`` is left out.
SAFE_FIELDS = (
    "request_id",
    "method",
    "route",
    "status",
    "duration_ms",
    "app_id",
    "model",
    "job",
    "worker",
)

# A request id from a reverse proxy (nginx's $request_id, a UUID) is hex digits and dashes:
# anything else (a name, an address) is replaced, since it would be written in every log line.
_SAFE_REQUEST_ID = re.compile(r"[0-9A-Fa-f][0-9A-Fa-f-]{7,63}")
_HANDLER_NAME = "egide"
_QUIET = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "uvicorn.access": logging.WARNING}


def request_id_from(header: str | None) -> str:
    """The client's (or proxy's) ``X-Request-ID`` when it is a safe token, else a new one."""
    if header is not None and _SAFE_REQUEST_ID.fullmatch(header.strip()):
        return header.strip()
    return secrets.token_hex(16)


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
    if request_id:
        fields["request_id"] = request_id
    for name in SAFE_FIELDS[1:]:
        value = getattr(record, name, None)
        if value is not None:
            fields[name] = value
    return fields


def _where_raised(
    exc_info: tuple[type[BaseException], BaseException, TracebackType | None],
) -> tuple[str, list[str]]:
    """The exception's type and its frames (file:line in function), without its message."""
    kind, _, tb = exc_info
    frames = [
        f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(tb)
    ]
    return f"{kind.__module__}.{kind.__qualname__}", frames


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except (TypeError, ValueError):  # a broken format string: say so rather than lose the line
        return str(record.msg)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, safe fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": _message(record),
        }
        entry.update(_fields(record))
        if record.exc_info and record.exc_info[0] is not None:
            kind, frames = _where_raised(record.exc_info)
            entry["exception"] = {"type": kind, "frames": frames}
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``2025-01-31T09:15:02.123+00:00 INFO egide.access GET /v1/models 200 request_id=…``"""

    def format(self, record: logging.LogRecord) -> str:
        time = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        line = f"{time} {record.levelname} {record.name} {_message(record)}"
        fields = _fields(record)
        if fields:
            line += " " + " ".join(f"{key}={value}" for key, value in fields.items())
        if record.exc_info and record.exc_info[0] is not None:
            kind, frames = _where_raised(record.exc_info)
            line += f"\n  exception {kind}" + "".join(f"\n    {frame}" for frame in frames)
        return line


def configure_logging(settings: LoggingSettings, *, stream: TextIO | None = None) -> None:
    """Send every logger of the process to one handler on ``stream`` (standard error)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if settings.format == "json" else TextFormatter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME:
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(settings.level.upper())
    for name, level in _QUIET.items():
        logging.getLogger(name).setLevel(level)
    # uvicorn's loggers write through their own handlers unless told otherwise (log_config=None
    # leaves them without any): through ours, with the same format and the same rules.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
