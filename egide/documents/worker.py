"""The parse worker: a small process that reads untrusted files, one at a time, under hard limits.

Started by :mod:`egide.documents.sandbox` as ``python -m egide.documents.worker --memory-mb N``.
It imports the readers only (not spaCy, not the store), caps its own address space, core dumps
and file writes before it reads anything, then answers requests on its standard input until
that closes:

    request:  frame 1 = JSON {"kind": "document" | "table", "name", "limits": {...},
                               "ocr": {"command", "languages"} | null}
              frame 2 = the file's bytes
    notice:   at most one JSON frame {"ocr": true} when OCR of scanned pages starts: the service
              then waits ``ocr_timeout_s`` longer, and this process gets that much more CPU time
    answer:   one JSON frame: {"document": …} | {"table": …} | {"error": {...}}
              plus "recycle": true when this process grew past half of its memory limit.

Standard output carries the frames only: whatever a library prints goes to /dev/null.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import resource
import sys
from typing import IO, Any

# Every reader is imported here, before the limits are set: the limits are for the file, not
# for the imports (openpyxl is otherwise imported on the first spreadsheet).
import openpyxl  # noqa: F401
from PIL import Image, ImageOps, JpegImagePlugin, PngImagePlugin, TiffImagePlugin  # noqa: F401

from egide.documents.limits import Budget, LimitExceeded, ParseLimits, limit_exceeded
from egide.documents.model import DocumentError
from egide.documents.ocr import OcrEngine
from egide.documents.parse import parse_document
from egide.documents.spreadsheet import TableError, parse_table
from egide.documents.wire import (
    decode_json,
    document_to_wire,
    encode_json,
    read_frame,
    table_to_wire,
    write_frame,
)

__all__ = ["main", "serve"]

_MB = 1024 * 1024
_MAX_REQUEST_HEADER = 64 * 1024
# The file descriptors a worker may hold: its pipes, /dev/null, and what the libraries open.
_MAX_OPEN_FILES = 64


def _limit_process(memory_mb: int) -> None:
    """Limits the worker cannot raise again: the hard values are lowered with the soft ones."""
    memory = memory_mb * _MB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # Reading never writes a file; a taken-over worker should not either.
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (_MAX_OPEN_FILES, _MAX_OPEN_FILES))


def _limit_cpu(seconds: float) -> None:
    """This request's CPU time: past it, the kernel ends the process (SIGXCPU)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (math.ceil(used + seconds) + 1, hard))


def _protocol_streams() -> tuple[IO[bytes], IO[bytes]]:
    """Keep private copies of stdin/stdout for the frames; point fd 0 and 1 at /dev/null."""
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process' life
    return requests, answers


def _peak_rss_mb() -> int:
    """This process's own peak resident size. Not ru_maxrss: Linux carries into it, across
    exec, the size of the process that started us (the service, with spaCy loaded)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def _handle(header: dict[str, Any], data: bytes, answers: IO[bytes]) -> dict[str, Any]:
    limits = ParseLimits(**header["limits"])
    name = str(header["name"])

    def ocr_starts() -> None:
        # Rendering pages and waiting for Tesseract take time the parse limit did not foresee.
        write_frame(answers, encode_json({"ocr": True}))
        _limit_cpu(limits.timeout_s + limits.ocr_timeout_s)

    budget = Budget(limits, ocr=OcrEngine.from_wire(header.get("ocr")), on_ocr=ocr_starts)
    try:
        if header["kind"] == "table":
            return {"table": table_to_wire(parse_table(data, name, budget))}
        return {"document": document_to_wire(parse_document(data, name, budget))}
    except LimitExceeded as exc:
        return {"error": {"message": exc.message, "problem": exc.problem, "limit": exc.limit}}
    except DocumentError as exc:
        return {"error": {"message": exc.message, "problem": exc.problem, "limit": None}}
    except TableError as exc:
        return {"error": {"message": str(exc), "problem": "table", "limit": None}}
    except MemoryError:
        error = limit_exceeded(name, "memory", limits)
        return {"error": {"message": error.message, "problem": error.problem, "limit": "memory"}}


def serve(requests: IO[bytes], answers: IO[bytes], *, memory_mb: int) -> None:
    write_frame(answers, encode_json({"ready": os.getpid()}))
    while True:
        raw_header = read_frame(requests, max_bytes=_MAX_REQUEST_HEADER)
        if raw_header is None:
            return  # the service closed the pipe: it stopped, or retired this worker
        header = decode_json(raw_header)
        data = read_frame(requests, max_bytes=int(header["limits"]["max_bytes"]))
        if data is None:
            return
        _limit_cpu(float(header["limits"]["timeout_s"]))
        answer = _handle(header, data, answers)
        del data
        if _peak_rss_mb() * 2 > memory_mb:
            answer["recycle"] = True  # a fresh process is cheaper than a fragmented heap
        write_frame(answers, encode_json(answer))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="egide.documents.worker")
    parser.add_argument("--memory-mb", type=int, required=True)
    args = parser.parse_args(argv)
    sys.dont_write_bytecode = True  # RLIMIT_FSIZE: a late import must not try to write a .pyc
    requests, answers = _protocol_streams()
    _limit_process(args.memory_mb)
    with contextlib.suppress(BrokenPipeError):  # the service went away while we answered
        serve(requests, answers, memory_mb=args.memory_mb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
