"""Writing files so that a reader, a crash or a full disk never leaves half of one, and so that
what Égide keeps is readable by the account that runs it only.

Every command and the server start by :func:`restrict_umask`: whatever they (or a library:
SQLite's journals, templates, exports) create is private, mode 0700 for folders and 0600 for
files, whatever umask the shell or the service manager handed over.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["PRIVATE_UMASK", "atomic_writer", "make_private_dir", "restrict_umask", "write_atomic"]

PRIVATE_UMASK = 0o077  # nothing for the group, nothing for others


def restrict_umask() -> None:
    """Withdraw every group and other permission from what this process creates from now on.

    Bits the inherited umask already withdrew stay withdrawn.
    """
    os.umask(os.umask(PRIVATE_UMASK) | PRIVATE_UMASK)


def _current_umask() -> int:
    # Reading the umask means setting it: set the strictest while reading, so that a thread
    # creating a file in between gets a more private file, never a less private one.
    mask = os.umask(0o777)
    os.umask(mask)
    return mask


def make_private_dir(path: Path) -> bool:
    """Create ``path`` (and its missing parents) with mode 0700; an existing folder that its
    group or others can open is closed to them. True when an existing folder was tightened.

    Raises OSError as is: callers turn it into a French message.
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o077 or info.st_uid != os.geteuid():
        return False
    os.chmod(path, mode & 0o700)
    return True


def write_atomic(path: Path, data: bytes, *, private: bool = False) -> Path:
    """Write beside ``path``, flush to disk, then rename over it; the old file stays intact on
    any error (which is raised as is: callers turn it into a French message). ``private``
    keeps the file readable by its owner only (mode 0600), else the umask decides, as for
    any new file."""
    with atomic_writer(path, private=private) as handle:
        handle.write(data)
    return path


@contextmanager
def atomic_writer(path: Path, *, private: bool = False) -> Iterator[BinaryIO]:
    """:func:`write_atomic` for output written piece by piece (``egide detect`` on a 100 MB
    JSONL: the whole result is never held in memory). The pieces go to a file beside ``path``,
    renamed over it, flushed to disk, when the block ends without error; on any error the
    temporary file is removed and ``path`` is left as it was."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if not private:
            os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
