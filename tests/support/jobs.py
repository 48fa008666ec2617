"""Jobs for the tests of the queue, registered the way an extension registers its own
(``jobs.modules = ["tests.support.jobs"]``).

``essai.compter`` does ``n`` numbered steps, each written to a journal file once done (and
synced), skipping the steps the journal already holds: what a real job does with its journal in
the store. A worker killed in the middle leaves the journal as it was; the worker that takes the
job up again finishes it, and no step appears twice.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from egide.jobs import JobContext, register_job

__all__ = ["count"]


def _done(journal: Path) -> set[int]:
    try:
        return {int(line) for line in journal.read_text().split()}
    except FileNotFoundError:
        return set()


@register_job("essai.compter", queue="essais", lock=lambda p: f"essai:{p['journal']}")
def count(context: JobContext, payload: Mapping[str, Any]) -> None:
    journal = Path(payload["journal"])
    runs = journal.with_suffix(".essais")
    with runs.open("a") as handle:  # one line per run of the job: who took it up
        handle.write(f"{os.getpid()} {context.attempt}\n")
    done = _done(journal)
    for step in range(int(payload["n"])):
        if step in done:
            continue
        if context.should_stop():
            return
        time.sleep(float(payload.get("pause_s", 0)))
        with journal.open("a") as handle:
            handle.write(f"{step}\n")
            handle.flush()
            os.fsync(handle.fileno())


@register_job("essai.echouer", queue="essais", max_attempts=2)
def fail(context: JobContext, payload: Mapping[str, Any]) -> None:
    with Path(payload["journal"]).open("a") as handle:
        handle.write(f"essai {context.attempt}\n")
    raise RuntimeError("échec voulu")
