"""Which row of the word vectors each word has: ``vocab/key2row`` as two sorted arrays, kept in
the user's cache folder.

``key2row`` maps the hashes of 500,000 words to 20,000 vector rows. Read from its msgpack file,
it costs a tenth of a second at every start (a 500,000-entry dictionary is built). The first
start derives it into two sorted numpy arrays in ``$XDG_CACHE_HOME/egide`` (by default
``~/.cache/egide``), which later starts map into memory in a millisecond; a batch of new words
is then looked up by binary search. The cached files are named after the source file's path,
size and modification time, so a reinstalled model is derived again, and are checked when read
(a damaged one is derived again). Where the folder cannot be written, the index is built in
memory at each start, as before.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["VectorIndex", "load_vector_index"]

_FORMAT = "1"  # bump when the files' layout changes


class VectorIndex:
    """Sorted word hashes and their vector rows."""

    def __init__(self, keys: np.ndarray, rows: np.ndarray) -> None:
        self._keys = keys
        self._rows = rows

    def __len__(self) -> int:
        return int(self._keys.shape[0])

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """The vector row of each word hash, -1 for a word without a vector."""
        if self._keys.shape[0] == 0:
            return np.full(ids.shape[0], -1, dtype=np.intp)
        ids = ids.astype(np.uint64, copy=False)
        where = np.searchsorted(self._keys, ids)
        where[where == self._keys.shape[0]] = 0
        found = self._keys[where] == ids
        return np.where(found, self._rows[where], -1).astype(np.intp)


def _cache_folder(source: Path) -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    info = source.stat()
    digest = hashlib.sha256(f"{source.resolve()}\0{_FORMAT}".encode()).hexdigest()[:16]
    name = f"{source.parent.parent.name}-{digest}-{info.st_size}-{info.st_mtime_ns}"
    return Path(root) / "egide" / "vectors" / name


def _read_cached(folder: Path, size: int) -> VectorIndex | None:
    try:
        keys = np.load(folder / "keys.npy", mmap_mode="r", allow_pickle=False)
        rows = np.load(folder / "rows.npy", mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return None
    if (
        keys.dtype != np.uint64
        or rows.dtype != np.int32
        or keys.shape != (size,)
        or rows.shape != (size,)
    ):
        return None
    return VectorIndex(keys, rows)


def _write_cached(folder: Path, keys: np.ndarray, rows: np.ndarray) -> None:
    """Write both files beside their final names, then rename: another process starting at
    the same time reads either nothing or whole files."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        size = str(keys.shape[0]).encode("ascii")
        for name, write in (
            ("keys.npy", lambda handle: np.save(handle, keys, allow_pickle=False)),
            ("rows.npy", lambda handle: np.save(handle, rows, allow_pickle=False)),
            ("size", lambda handle: handle.write(size)),  # last: it says the rest is there
        ):
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    write(handle)
                os.replace(tmp, folder / name)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    except OSError:
        return  # no cache: the next start derives it again


def load_vector_index(key2row: Path) -> VectorIndex:
    """The index of ``vocab/key2row``, from the cache when it is there."""
    try:
        folder: Path | None = _cache_folder(key2row)
    except (OSError, RuntimeError):  # no home folder
        folder = None
    if folder is not None:
        try:
            size = int((folder / "size").read_text(encoding="ascii"))
        except (OSError, ValueError):
            size = -1
        if size >= 0 and (cached := _read_cached(folder, size)) is not None:
            return cached
    import srsly

    mapping: dict[int, int] = srsly.msgpack_loads(key2row.read_bytes())
    keys = np.fromiter(mapping.keys(), dtype=np.uint64, count=len(mapping))
    rows = np.fromiter(mapping.values(), dtype=np.int32, count=len(mapping))
    order = np.argsort(keys, kind="stable")
    keys, rows = keys[order], rows[order]
    if folder is not None:
        _write_cached(folder, keys, rows)
    return VectorIndex(keys, rows)
