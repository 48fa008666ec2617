"""A throw-away PostgreSQL cluster for the integration tests: the Debian server binaries, a
data folder in a temporary directory, TCP on loopback only, and nothing left behind.

PostgreSQL refuses to run as root: when the tests run as root (CI does), ``initdb`` and the
server run as an unprivileged account (``postgres``, created by the Debian package, else
``nobody``) that owns the temporary directory. Durability is switched off (``fsync``, full-page
writes, synchronous commit): a crash only loses a cluster that is deleted anyway.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import NoReturn

__all__ = [
    "PostgresServer",
    "PostgresUnavailable",
    "find_postgres_bin",
    "running_postgres",
]

SUPERUSER = "egide"
_BIN_GLOB = "/usr/lib/postgresql/*/bin"
_START_TIMEOUT_S = 60
_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "max_connections": "50",
    "shared_buffers": "32MB",
}


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server can be started here; the message says why, in French."""


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name)) or (0,)


def find_postgres_bin(pattern: str = _BIN_GLOB) -> Path | None:
    """The ``bin`` folder of the newest installed server (Debian layout), or None."""
    found = [
        Path(path)
        for path in sorted(Path("/").glob(pattern.lstrip("/")))
        if (Path(path) / "pg_ctl").is_file() and (Path(path) / "initdb").is_file()
    ]
    return max(found, key=_version_key) if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """A running cluster on ``127.0.0.1:port``; ``new_database()`` gives each test its own."""

    bin_dir: Path
    root: Path
    port: int
    run_as: str | None
    started_in_s: float = 0.0
    _numbers: Iterator[int] = field(default_factory=lambda: count(1), repr=False)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres", *, driver: str = "psycopg") -> str:
        return f"postgresql+{driver}://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        """For psycopg itself (no SQLAlchemy in between)."""
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={database}"

    def new_database(self, prefix: str = "egide_test") -> str:
        """Create an empty database and return its name."""
        import psycopg

        name = f"{prefix}_{next(self._numbers)}"
        with psycopg.connect(self.dsn(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, closing the connections a failed test may have left open."""
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def run_tool(self, tool: str, *args: str) -> subprocess.CompletedProcess[bytes]:
        """Run a client program of this server (``pg_dump``, ``psql``…) against it."""
        return subprocess.run(
            [
                str(self.bin_dir / tool),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                SUPERUSER,
                *args,
            ],
            capture_output=True,
            check=True,
            timeout=120,
        )


def _account() -> tuple[str, int, int] | None:
    """The unprivileged account that runs the server when we are root; None otherwise."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return entry.pw_name, entry.pw_uid, entry.pw_gid
    raise PostgresUnavailable(
        "exécution en root sans compte « postgres » ni « nobody » : PostgreSQL refuse de "
        "démarrer en root"
    )


def _run(
    command: Sequence[str], account: tuple[str, int, int] | None, root: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root),
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
    }
    # When root, subprocess drops to the account itself (setgid, setgroups, setuid) before exec.
    return subprocess.run(
        list(command),
        capture_output=True,
        text=True,
        env=environ,
        cwd=root,
        timeout=timeout,
        check=False,
        user=None if account is None else account[1],
        group=None if account is None else account[2],
        extra_groups=None if account is None else [],
    )


def _fail(what: str, result: subprocess.CompletedProcess[str], log: Path | None = None) -> NoReturn:
    details = (result.stderr or result.stdout).strip()
    if log is not None and log.exists():
        details += "\n" + log.read_text(errors="replace")[-2000:]
    raise PostgresUnavailable(f"{what} a échoué (code {result.returncode}) :\n{details}")


def _start(
    bin_dir: Path,
    root: Path,
    account: tuple[str, int, int] | None,
    settings: Mapping[str, str],
) -> PostgresServer:
    data, log = root / "data", root / "server.log"
    begun = time.monotonic()
    result = _run(
        [str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust",
         "-E", "UTF8", "--no-locale", "--no-sync"],
        account, root, _START_TIMEOUT_S,
    )  # fmt: skip
    if result.returncode != 0:
        _fail("initdb", result)
    with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write(f"unix_socket_directories = '{root}'\n")
        conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
    for _attempt in range(3):
        port = _free_port()
        result = _run(
            [str(bin_dir / "pg_ctl"), "start", "-D", str(data), "-l", str(log), "-w",
             "-t", str(_START_TIMEOUT_S), "-o", f"-p {port}"],
            account, root, _START_TIMEOUT_S + 10,
        )  # fmt: skip
        if result.returncode == 0:
            run_as = None if account is None else account[0]
            return PostgresServer(bin_dir, root, port, run_as, time.monotonic() - begun)
        # Another process may have taken the port between the probe and the start.
        if "already in use" not in log.read_text(errors="replace"):
            break
    _fail("pg_ctl start", result, log)


def _stop(server: PostgresServer, account: tuple[str, int, int] | None) -> None:
    # "immediate": nothing in this cluster is worth a clean checkpoint.
    _run(
        [str(server.bin_dir / "pg_ctl"), "stop", "-D", str(server.data_dir), "-m", "immediate"],
        account, server.root, 60,
    )  # fmt: skip


@contextlib.contextmanager
def running_postgres(
    bin_dir: Path | None = None, *, settings: Mapping[str, str] | None = None
) -> Iterator[PostgresServer]:
    """Start a throw-away cluster, yield it, then stop it and delete its files.

    ``settings`` override the server's (``postgresql.conf`` syntax): a measurement turns
    durability back on and allows more connections, for instance."""
    bin_dir = bin_dir or find_postgres_bin()
    if bin_dir is None:
        raise PostgresUnavailable(
            f"serveur PostgreSQL introuvable ({_BIN_GLOB}/pg_ctl) : lancez "
            "« bash tools/ensure_postgresql.sh » en root, ou « apt-get install postgresql »"
        )
    account = _account()
    # Not pytest's tmp_path (nor a TMPDIR of root's): its parents are private to root, and the
    # server account must reach its own folder. /tmp is world-traversable; the folder is private.
    root = Path(tempfile.mkdtemp(prefix="egide-pg-", dir="/tmp" if account else None))
    try:
        if account is not None:
            os.chown(root, account[1], account[2])
        server = _start(bin_dir, root, account, {**_SETTINGS, **(settings or {})})
        try:
            yield server
        finally:
            _stop(server, account)
    finally:
        shutil.rmtree(root, ignore_errors=True)
