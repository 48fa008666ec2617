"""Untrusted files are parsed in worker processes under hard limits, never in the service itself.

A few kilobytes of PDF or XLSX can ask a reader library for gigabytes and minutes, and PDFium is
not thread-safe (it needed a lock that made every upload wait behind the slowest). So each parse
runs in a :mod:`worker <egide.documents.worker>` process that imports the readers only:

- **memory**: the worker's address space is capped (``RLIMIT_AS``); past it the worker fails
  (MemoryError, or PDFium aborts) and the file is refused;
- **time**: the service waits ``timeout_s`` for the answer, then kills the worker; the kernel
  also ends it past its CPU time (``RLIMIT_CPU``); a worker that starts OCR on scanned pages says
  so, once, and the wait grows by ``ocr_timeout_s`` (egide/documents/ocr.py);
- **isolation**: the worker gets a bare environment (no keys, no secrets), no core dumps, may
  not write files, and answers in checked JSON frames, so a worker taken over by a hostile file
  can neither read the service's secrets from its environment nor run code in the service;
- **concurrency**: ``workers`` processes parse side by side, so a bomb occupies one worker while
  the other uploads go on; a dead or killed worker is replaced at once.

Workers are started ahead of need and reused (a Python start costs a few hundred milliseconds,
an exchange with a warm worker about a millisecond); one is retired after ``_MAX_JOBS`` files,
after any refusal for memory or time, or when it grew past half of its memory limit.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import egide
from egide.documents.limits import DEFAULT_LIMITS, LimitExceeded, ParseLimits, limit_exceeded
from egide.documents.model import Document, DocumentError, DocumentProblem
from egide.documents.ocr import FIND_OCR, OcrEngine, find_engine
from egide.documents.spreadsheet import Table, TableError
from egide.documents.wire import (
    HEADER_BYTES,
    WireError,
    decode_json,
    document_from_wire,
    encode_frame,
    encode_json,
    table_from_wire,
)

__all__ = ["DEFAULT_WORKERS", "STOPPED_MESSAGE", "ParsePool", "configure", "default_pool"]

DEFAULT_WORKERS = 2
_MAX_JOBS = 200
# A worker imports pypdfium2, pypdf, python-docx, odfpy and openpyxl: about half a second on an
# idle machine, several seconds on a loaded one. Not counted in the parse's own time.
_START_TIMEOUT_S = 60.0
_CHUNK = 1024 * 1024
# PDFium aborts when an allocation fails under RLIMIT_AS; the kernel's OOM killer sends SIGKILL.
_MEMORY_SIGNALS = (signal.SIGABRT, signal.SIGKILL)
STOPPED_MESSAGE = "s'est arrêtée anormalement"

T = TypeVar("T")
_UNAVAILABLE = (
    "Égide n'a pas pu démarrer son lecteur de documents : réessayez dans une minute ; si cela "
    "se reproduit, prévenez l'administrateur"
)


class _WorkerFailed(Exception):
    """The worker stopped or broke the protocol; ``limit`` says which limit that most likely was."""

    def __init__(self, limit: str | None) -> None:
        super().__init__(limit)
        self.limit = limit


class _WorkerUnavailable(Exception):
    """The worker could not be started, or did not say it was ready."""


def _worker_environment() -> dict[str, str]:
    """Only what Python needs to find Égide and its libraries; nothing of the service's secrets."""
    package_root = str(Path(egide.__file__).resolve().parents[1])
    paths = [package_root, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {
        "PYTHONPATH": os.pathsep.join(dict.fromkeys(paths)),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


class _Worker:
    def __init__(self, memory_mb: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "egide.documents.worker", "--memory-mb", str(memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_worker_environment(),
            cwd="/",
            bufsize=0,
            start_new_session=True,  # a Ctrl-C in the terminal is for the service, not for us
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._in = self.process.stdin.fileno()
        self._out = self.process.stdout.fileno()
        os.set_blocking(self._in, False)
        os.set_blocking(self._out, False)
        self.ready = False
        self.jobs = 0

    @property
    def pid(self) -> int:
        return self.process.pid

    def exchange(
        self, frames: bytes, *, timeout_s: float, max_answer: int, ocr_s: float = 0.0
    ) -> Any:
        """Send ``frames``, wait for one answer frame; _WorkerFailed when there is none in time.

        With ``ocr_s``, one notice that OCR started may come first: the wait grows by ``ocr_s``.
        """
        if not self.ready:
            try:
                hello = self._converse(b"", time.monotonic() + _START_TIMEOUT_S, 4096)
            except (_WorkerFailed, WireError, OSError) as exc:
                raise _WorkerUnavailable() from exc
            if not isinstance(hello, dict) or "ready" not in hello:
                raise _WorkerUnavailable()
            self.ready = True
        self.jobs += 1
        return self._converse(frames, time.monotonic() + timeout_s, max_answer, ocr_s)

    def _converse(
        self, outgoing: bytes, deadline: float, max_answer: int, ocr_s: float = 0.0
    ) -> Any:
        view = memoryview(outgoing)
        sent = 0
        received = bytearray()
        with selectors.DefaultSelector() as selector:
            selector.register(self._out, selectors.EVENT_READ)
            if view:
                selector.register(self._in, selectors.EVENT_WRITE)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _WorkerFailed("time")
                for key, _ in selector.select(remaining):
                    if key.fd == self._in:
                        try:
                            sent += os.write(self._in, view[sent : sent + _CHUNK])
                        except BlockingIOError:
                            continue
                        except BrokenPipeError:
                            raise _WorkerFailed(self._death_cause()) from None
                        if sent == len(view):
                            selector.unregister(self._in)
                        continue
                    try:
                        chunk = os.read(self._out, _CHUNK)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        raise _WorkerFailed(self._death_cause())
                    received += chunk
                    while (end := _frame_end(received, max_answer)) is not None:
                        # One copy of the frame, and the buffer released before decoding: an
                        # answer of 10 million characters is held once, not three times.
                        payload = received[HEADER_BYTES:end]
                        more = len(received) > end
                        if more:
                            del received[:end]
                        else:
                            received.clear()
                        frame = decode_json(payload)
                        del payload
                        if ocr_s and frame == {"ocr": True}:
                            # The one notice a parse may send (OCR starts), honoured once.
                            deadline, ocr_s = deadline + ocr_s, 0.0
                            continue
                        if more:
                            raise _WorkerFailed(None)  # one question, one answer
                        return frame

    def _death_cause(self) -> str | None:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None
        if code == -signal.SIGXCPU:
            return "time"
        if code in tuple(-s for s in _MEMORY_SIGNALS):
            return "memory"
        return None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        with contextlib.suppress(subprocess.TimeoutExpired):  # SIGKILL is not refused
            self.process.wait(timeout=5)


def _frame_end(received: bytearray, max_answer: int) -> int | None:
    """Where the first frame of ``received`` ends, once it is all there; None until then."""
    if len(received) < HEADER_BYTES:
        return None
    end = HEADER_BYTES + int.from_bytes(received[:HEADER_BYTES], "big")
    if end > HEADER_BYTES + max_answer:
        raise _WorkerFailed(None)
    return end if len(received) >= end else None


class ParsePool:
    """Worker processes that parse untrusted files under ``limits``, ``workers`` at a time."""

    def __init__(
        self,
        limits: ParseLimits = DEFAULT_LIMITS,
        *,
        workers: int = DEFAULT_WORKERS,
        ocr: OcrEngine | None = FIND_OCR,
    ) -> None:
        """``ocr``: Tesseract (found in PATH by default), or None to refuse scans instead."""
        if workers < 1:
            raise ValueError("a parse pool needs at least one worker")
        self.limits = limits
        self.ocr = find_engine() if ocr is FIND_OCR else ocr
        self.workers = workers
        self._slots = threading.BoundedSemaphore(workers)
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._closed = False

    # -- public ------------------------------------------------------------------------------

    def read_document(self, data: bytes, name: str) -> Document:
        """The document in ``data``; DocumentError (French) when it cannot or may not be read."""
        if len(data) > self.limits.max_bytes:
            raise limit_exceeded(name, "bytes", self.limits, found=len(data))
        answer = self._run("document", data, name, DocumentError)
        return self._decode(answer, "document", document_from_wire, name, DocumentError)

    def read_table(self, data: bytes, name: str) -> Table:
        """The table in ``data`` (CSV or XLSX); TableError (French) when it cannot be read."""
        if len(data) > self.limits.max_bytes:
            raise TableError(limit_exceeded(name, "bytes", self.limits, found=len(data)).message)
        answer = self._run("table", data, name, TableError)
        return self._decode(answer, "table", table_from_wire, name, TableError)

    def worker_pids(self) -> list[int]:
        """The idle workers' process ids (for tests and diagnostics)."""
        with self._lock:
            return [worker.pid for worker in self._idle]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()

    # -- inside ------------------------------------------------------------------------------

    def _run(self, kind: str, data: bytes, name: str, error: type[Exception]) -> Any:
        if not self._slots.acquire(timeout=self.limits.timeout_s):
            raise self._unavailable(
                error,
                f"trop de documents sont en cours de lecture : « {name} » n'a pas pu être lu ; "
                "réessayez dans une minute",
            )
        try:
            try:
                worker = self._take()
            except OSError:
                raise self._unavailable(error, _UNAVAILABLE) from None
            limits = dataclasses.asdict(self.limits)
            ocr = self.ocr.to_wire() if self.ocr is not None else None
            header = encode_json({"kind": kind, "name": name, "limits": limits, "ocr": ocr})
            try:
                answer = worker.exchange(
                    encode_frame(header) + encode_frame(data),
                    timeout_s=self.limits.timeout_s,
                    ocr_s=self.limits.ocr_timeout_s if self.ocr and self.ocr.command else 0.0,
                    max_answer=self.limits.memory_bytes,
                )
            except _WorkerUnavailable:
                self._replace(worker)
                raise self._unavailable(error, _UNAVAILABLE) from None
            except (_WorkerFailed, WireError, OSError) as exc:
                self._replace(worker)
                limit = exc.limit if isinstance(exc, _WorkerFailed) else None
                raise self._failure(error, name, limit) from None
            retire = (
                not isinstance(answer, dict)
                or answer.get("recycle") is True
                or worker.jobs >= _MAX_JOBS
                or _error_limit(answer) in ("time", "memory")
            )
            if retire:
                self._replace(worker)
            else:
                self._give_back(worker)
            return answer
        finally:
            self._slots.release()

    def _take(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise RuntimeError("parse pool closed")
            while self._idle:
                worker = self._idle.pop()
                if worker.process.poll() is None:
                    return worker
                worker.kill()
        return _Worker(self.limits.memory_mb)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed:
                self._idle.append(worker)
                return
        worker.kill()

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start its successor now, so that it is warm for the next file."""
        worker.kill()
        try:
            successor = _Worker(self.limits.memory_mb)
        except OSError:
            return  # the next file starts one, or says why it cannot
        self._give_back(successor)

    def _decode(
        self, answer: Any, kind: str, decode: Callable[[Any], T], name: str, error: type[Exception]
    ) -> T:
        if isinstance(answer, dict) and "error" in answer:
            raise _refusal(answer["error"], error, name)
        try:
            return decode(answer.get(kind) if isinstance(answer, dict) else None)
        except WireError:
            raise self._failure(error, name, None) from None

    def _failure(self, error: type[Exception], name: str, limit: str | None) -> Exception:
        refusal = (
            limit_exceeded(name, limit, self.limits)
            if limit is not None
            else DocumentError(
                f"la lecture du fichier « {name} » {STOPPED_MESSAGE} : le fichier est "
                "probablement endommagé ou piégé ; il a été refusé par précaution"
            )
        )
        return refusal if error is DocumentError else error(refusal.message)

    def _unavailable(self, error: type[Exception], message: str) -> Exception:
        if error is DocumentError:
            return DocumentError(message, DocumentProblem.UNAVAILABLE)
        return error(message)


def _error_limit(answer: Any) -> object:
    if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
        return answer["error"].get("limit")
    return None


def _refusal(raw: Any, error: type[Exception], name: str) -> Exception:
    if not isinstance(raw, dict) or not isinstance(raw.get("message"), str):
        return error(f"le fichier « {name} » n'a pas pu être lu")
    message = raw["message"]
    if error is not DocumentError:
        return error(message)
    limit = raw.get("limit")
    if isinstance(limit, str):
        return LimitExceeded(message, limit)
    try:
        problem = DocumentProblem(str(raw.get("problem")))
    except ValueError:
        problem = DocumentProblem.CORRUPT
    return DocumentError(message, problem)


# --- the process-wide pool ----------------------------------------------------------------------

_default: ParsePool | None = None
_default_pid = 0
_default_settings: tuple[ParseLimits, int, OcrEngine | None] = (
    DEFAULT_LIMITS,
    DEFAULT_WORKERS,
    FIND_OCR,
)
_default_lock = threading.Lock()


def default_pool() -> ParsePool:
    """The pool that :func:`egide.documents.read_document` and friends use in this process."""
    global _default, _default_pid
    with _default_lock:
        # After a fork, the parent's workers belong to the parent: start our own.
        if _default is None or _default_pid != os.getpid():
            limits, workers, ocr = _default_settings
            _default, _default_pid = ParsePool(limits, workers=workers, ocr=ocr), os.getpid()
        return _default


def configure(
    limits: ParseLimits = DEFAULT_LIMITS,
    *,
    workers: int = DEFAULT_WORKERS,
    ocr: OcrEngine | None = FIND_OCR,
) -> None:
    """Set the limits and the number of workers of the process-wide pool (at start-up)."""
    global _default, _default_settings
    with _default_lock:
        if (limits, workers, ocr) == _default_settings:
            return  # the warm workers already work under these limits
        _default_settings = (limits, workers, ocr)
        previous, _default = _default, None
    if previous is not None and _default_pid == os.getpid():
        previous.close()


@atexit.register
def _close_default() -> None:
    if _default is not None and _default_pid == os.getpid():
        _default.close()
