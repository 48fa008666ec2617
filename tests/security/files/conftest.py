"""Parse pools with tight limits, and a probe of this process's peak memory."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from egide.documents import ParseLimits, ParsePool

_STATUS = Path("/proc/self/status")


@pytest.fixture
def tight_pool() -> Iterator[ParsePool]:
    """Two workers, three seconds and 768 MB per file: bombs are refused quickly."""
    pool = ParsePool(ParseLimits(timeout_s=3.0, memory_mb=768), workers=2)
    yield pool
    pool.close()


def _peak_rss_mb() -> int:
    match = re.search(r"VmHWM:\s+(\d+) kB", _STATUS.read_text())
    assert match is not None
    return int(match.group(1)) // 1024


class MemoryProbe:
    """The peak resident memory of this process (the service) since :meth:`reset`, in MB."""

    def reset(self) -> None:
        Path("/proc/self/clear_refs").write_text("5")  # the peak becomes the current size
        self._baseline = _peak_rss_mb()

    def growth(self) -> int:
        return _peak_rss_mb() - self._baseline


@pytest.fixture
def service_memory() -> MemoryProbe:
    probe = MemoryProbe()
    probe.reset()
    return probe
