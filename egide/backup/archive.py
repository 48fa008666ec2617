"""One encrypted, consistent archive of an installation (``egide backup``) and its restore.

The archive is a tar stream, sealed by :mod:`egide.store.sealed_stream`, holding in order:

- ``version.json``: Égide's version, the schema's revision, the engine and the audit's place;
- ``configuration/egide.toml``: the settings file, which never holds a secret;
- ``fichiers/…``: what ``EGIDE_HOME`` holds besides the database and the keys (templates,
  and, with SQLite, the audit log with its head);
- ``base/TABLE.jsonl``: every table (:mod:`egide.store.dump`), from one instant;
- ``manifeste.json``: what was written (counts), last.

With SQLite, the audit log's lock is held while the database is copied and the log read, so
that the log, its head and the head's copy in the database are of the same instant. With
PostgreSQL the audit chain is in the database, hence in its snapshot.

The keys are not in the archive: they travel separately (environment, or ``EGIDE_HOME/keys``),
and the archive is sealed with a key derived from the store's key.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tarfile
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from egide import __version__
from egide.audit.files import FileLock
from egide.audit.log import audit_log_path
from egide.backup.sealed_stream import ArchiveError, SealedReader, SealedWriter
from egide.config import Settings
from egide.store.db import Store
from egide.store.dump import DumpError, dump_database, load_database

__all__ = ["ArchiveError", "RestoreSummary", "BackupSummary", "read_archive", "write_archive"]

_SKIPPED_DIRS = {"keys", "metriques", "sauvegarde-configuration"}
_SQLITE_FILES = ("egide.db", "egide.db-journal", "egide.db-wal", "egide.db-shm")


@dataclass(frozen=True)
class BackupSummary:
    tables: dict[str, int]
    files: int


@dataclass(frozen=True)
class RestoreSummary:
    tables: dict[str, int]
    files: int
    version: str
    configuration: Path | None


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _home_files(settings: Settings, *, with_audit: bool, exclude: Path | None) -> Iterator[Path]:
    home = Path(settings.home)
    audit_dir = audit_log_path(home).parent
    for path in sorted(home.rglob("*")):
        relative = path.relative_to(home)
        if relative.parts[0] in _SKIPPED_DIRS or relative.as_posix() in _SQLITE_FILES:
            continue
        if path.is_symlink() or not path.is_file() or path.suffix in (".lock", ".tmp"):
            continue
        if exclude is not None and path.resolve() == exclude.resolve():
            continue
        if path.parent == audit_dir and not with_audit:
            continue  # with PostgreSQL, this machine's witness only: not part of the data
        yield path


def write_archive(
    settings: Settings, store: Store, out: BinaryIO, store_key: bytes
) -> BackupSummary:
    """Write the sealed archive of this installation to ``out``, while it keeps running."""
    sealed = SealedWriter(out, store_key)
    home = Path(settings.home)
    file_log = not settings.is_shared_database
    lock_path = audit_log_path(home).with_suffix(".lock")
    lock_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    exclude = (
        Path(getattr(out, "name", "")) if isinstance(getattr(out, "name", None), str) else None
    )
    files = 0
    with tarfile.open(fileobj=sealed, mode="w|gz") as tar:  # type: ignore[call-overload]
        lock = FileLock(lock_path) if file_log else contextlib.nullcontext()
        with lock:  # no audit append between the log's copy and the database's
            revision = _revision(store)
            _add(tar, "version.json", json.dumps({
                "egide": __version__, "revision": revision, "base": store.engine.dialect.name,
                "journal_audit": "fichier" if file_log else "base",
            }).encode())  # fmt: skip
            if settings.config_path is not None and Path(settings.config_path).is_file():
                _add(tar, "configuration/egide.toml", Path(settings.config_path).read_bytes())
            for path in _home_files(settings, with_audit=file_log, exclude=exclude):
                _add(tar, f"fichiers/{path.relative_to(home).as_posix()}", path.read_bytes())
                files += 1

            def emit(name: str, lines: Iterable[bytes]) -> None:
                # tarfile wants each member's size first: a table is gathered (on disk past
                # 64 MiB, in a private temporary file), then written.
                with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as spool:
                    for line in lines:
                        spool.write(line)
                    info = tarfile.TarInfo(name)
                    info.size, info.mtime, info.mode = spool.tell(), int(time.time()), 0o600
                    spool.seek(0)
                    tar.addfile(info, spool)

            dumped = dump_database(store.engine, emit)
        _add(tar, "manifeste.json", json.dumps({"tables": dumped["tables"], "fichiers": files},
                                                sort_keys=True).encode())  # fmt: skip
    sealed.close()
    return BackupSummary(tables=dumped["tables"], files=files)


def _revision(store: Store) -> str:
    from sqlalchemy import text

    with store.engine.connect() as connection:
        return str(connection.execute(text("SELECT version_num FROM alembic_version")).scalar())


def _safe_relative(name: str) -> Path:
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ArchiveError(f"chemin refusé dans la sauvegarde : {name}")
    return Path(*relative.parts)


def read_archive(
    settings: Settings, source: BinaryIO, store_key: bytes, engine: Any
) -> RestoreSummary:
    """Restore into this installation's empty ``EGIDE_HOME`` and empty database."""
    home = Path(settings.home)
    reader = SealedReader(source, store_key)
    version: dict[str, Any] = {}
    configuration: Path | None = None
    files = 0
    tables: dict[str, int] = {}
    try:
        with tarfile.open(fileobj=reader, mode="r|gz") as tar:  # type: ignore[call-overload]
            members = iter(tar)
            first = next(members, None)
            if first is None or first.name != "version.json":
                raise ArchiveError("sauvegarde incomplète : version.json manquant")
            version = json.loads(_read(tar, first))

            def table_members() -> Iterator[tuple[str, Iterable[bytes]]]:
                nonlocal configuration, files
                for member in members:
                    if not member.isfile():
                        raise ArchiveError(f"élément refusé dans la sauvegarde : {member.name}")
                    if member.name.startswith("base/"):
                        handle = tar.extractfile(member)
                        assert handle is not None
                        yield member.name, handle
                    elif member.name == "configuration/egide.toml":
                        configuration = home / "sauvegarde-configuration" / "egide.toml"
                        _write(configuration, _read(tar, member))
                    elif member.name.startswith("fichiers/"):
                        relative = _safe_relative(member.name[len("fichiers/") :])
                        _write(home / relative, _read(tar, member))
                        files += 1

            tables = load_database(engine, str(version["revision"]), table_members())
    except tarfile.TarError:
        raise ArchiveError("sauvegarde illisible (archive tar altérée)") from None
    except DumpError as exc:
        raise ArchiveError(str(exc)) from None
    return RestoreSummary(tables, files, str(version.get("egide", "?")), configuration)


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(member)
    assert handle is not None
    return handle.read()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
