"""``egide detect``: the machine contract, streamed, on every core.

The input is read line by line and the output written as it comes (through a file beside the
destination, renamed at the end), so a JSONL file of any size goes through in bounded memory:
a few batches of lines per worker are in flight at any time, never the whole file.

With ``--jobs N`` (by default, the cores this process may use), lines go in batches to N
worker processes, each started fresh (``spawn``: no copy of a parent's threads or state) and
loading the guard once; results are written in input order. An input that fits in one batch
is analysed in this process: starting workers would cost more than it saves.
"""

from __future__ import annotations

import json
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from egide.cli.common import EXIT_USAGE, CliError

__all__ = ["default_jobs", "detect_lines", "run"]

Line = tuple[int, str]  # (line number, raw line)
Result = tuple[str, str | None]  # (output line, warning or None)

_BATCH_LINES = 64
_BATCH_CHARS = 1_000_000
_IN_FLIGHT_PER_JOB = 2
# Each worker computes alone on its core: the numerical libraries must not start threads of
# their own on top (set before numpy is imported in the worker).
_ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def default_jobs() -> int:
    """The cores this process may run on (its CPU affinity), at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _numbered_lines(path: Path) -> Iterator[Line]:
    if str(path) == "-":
        yield from enumerate(sys.stdin, start=1)
        return
    try:
        with path.open(encoding="utf-8-sig", errors="strict") as handle:
            yield from enumerate(handle, start=1)
    except FileNotFoundError:
        raise CliError(f"fichier introuvable : {path}") from None
    except IsADirectoryError:
        raise CliError(f"{path} est un dossier, pas un fichier JSONL") from None
    except UnicodeDecodeError:
        raise CliError(f"{path} n'est pas en UTF-8 : enregistrez-le en UTF-8") from None


def _batches(lines: Iterable[Line]) -> Iterator[list[Line]]:
    batch: list[Line] = []
    size = 0
    for number, line in lines:
        if not line.strip():
            continue
        batch.append((number, line))
        size += len(line)
        if len(batch) >= _BATCH_LINES or size >= _BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def detect_lines(guard: Any, batch: list[Line]) -> list[Result]:
    """The output line of each input line, with a French warning for a line in error."""
    from egide.guard import GuardInputError

    results: list[Result] = []
    for number, line in batch:
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise ValueError
        except ValueError:
            output: dict[str, Any] = {"id": None, "spans": [], "error": "ligne illisible"}
            warning = f"ligne {number} : objet JSON avec un champ « text » attendu"
            results.append((json.dumps(output, ensure_ascii=False), warning))
            continue
        try:
            findings = guard.detect(record["text"])
        except GuardInputError as exc:
            output = {"id": record.get("id"), "spans": [], "error": str(exc)}
            results.append((json.dumps(output, ensure_ascii=False), f"ligne {number} : {exc}"))
            continue
        output = {
            "id": record.get("id"),
            "spans": [
                {"start": f.start, "end": f.end, "label": f.label, "score": round(f.score, 4)}
                for f in findings
            ],
        }
        results.append((json.dumps(output, ensure_ascii=False), None))
    return results


# --- worker processes -------------------------------------------------------------------------

_worker_guard: Any = None
_worker_error: str | None = None


class WorkerError(RuntimeError):
    """A worker could not analyse (its guard did not load); the message is in French."""


def _load_guard() -> Any:
    from egide.guard import Guard
    from egide.guard.ner.model import ModelUnavailableError

    try:
        return Guard()
    except ModelUnavailableError as exc:
        raise CliError(str(exc)) from None


def _start_worker() -> None:
    global _worker_guard, _worker_error
    for name in _ONE_THREAD:
        os.environ.setdefault(name, "1")
    try:
        _worker_guard = _load_guard()
    except CliError as exc:  # reported with the first batch, in French
        _worker_error = str(exc)


def _worker_batch(batch: list[Line]) -> list[Result]:
    if _worker_guard is None:
        raise WorkerError(_worker_error or "le garde n'a pas pu être chargé")
    return detect_lines(_worker_guard, batch)


def _in_workers(batches: Iterator[list[Line]], jobs: int) -> Iterator[list[Result]]:
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker) as pool:
        pending: deque[Future[list[Result]]] = deque()
        try:
            for batch in batches:
                pending.append(pool.submit(_worker_batch, batch))
                if len(pending) >= jobs * _IN_FLIGHT_PER_JOB:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except WorkerError as exc:
            raise CliError(str(exc)) from None
        except BrokenProcessPool:
            raise CliError(
                "un processus d'analyse s'est arrêté (mémoire insuffisante ?) : relancez avec "
                "moins de processus (--jobs)"
            ) from None
        finally:
            for future in pending:
                future.cancel()


def _in_process(batches: Iterable[list[Line]]) -> Iterator[list[Result]]:
    guard = _load_guard()
    for batch in batches:
        yield detect_lines(guard, batch)


def _results(path: Path, jobs: int) -> Iterator[list[Result]]:
    batches = _batches(_numbered_lines(path))
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None) if jobs > 1 else None
    if second is None:
        yield from _in_process([first, *batches])
        return
    from itertools import chain

    yield from _in_workers(chain([first, second], batches), jobs)


def _write(
    results: Iterator[list[Result]], write: Callable[[str], object]
) -> tuple[int, list[str]]:
    count = 0
    warnings: list[str] = []
    for batch in results:
        write("".join(line + "\n" for line, _ in batch))
        warnings.extend(w for _, w in batch if w is not None)
        count += len(batch)
    return count, warnings


def run(input_path: Path, output: Path | None, jobs: int) -> tuple[int, list[str]]:
    """Analyse ``input_path`` into ``output`` (standard output when None): the number of
    documents written and the warnings, one per line in error."""
    if jobs < 1:
        raise CliError("--jobs attend un nombre de processus supérieur ou égal à 1", EXIT_USAGE)
    results = _results(input_path, jobs)
    if output is None:
        return _write(results, sys.stdout.write)
    from egide.files import atomic_writer

    output = output.expanduser()
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with atomic_writer(output) as handle:
            return _write(results, lambda text: handle.write(text.encode("utf-8")))
    except OSError as exc:
        raise CliError(
            f"impossible d'écrire {output} : {exc.strerror} ; rien n'a été modifié "
            "(vérifiez l'espace disque et les droits)"
        ) from None
