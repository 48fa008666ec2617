"""Low-level file primitives of the audit trail: whole writes, durable renames, locks."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

__all__ = ["FileLock", "write_all", "fsync_dir"]


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new file in ``directory`` survive a power cut."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileLock:
    """An advisory lock (flock) held across processes.

    The lock file is opened here, so that an unwritable folder fails before the ``with``;
    each instance has its own open file description, so threads of one process exclude each
    other too. Use an instance once.
    """

    def __init__(self, path: Path, *, shared: bool = False) -> None:
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self._operation = fcntl.LOCK_SH if shared else fcntl.LOCK_EX

    def __enter__(self) -> FileLock:
        try:
            fcntl.flock(self._fd, self._operation)
        except BaseException:
            os.close(self._fd)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        os.close(self._fd)  # closing the only descriptor releases the lock
