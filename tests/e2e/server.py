"""``egide serve`` on loopback in a subprocess, and where the browser tests find Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

__all__ = ["ARTIFACTS", "CHROMIUM", "CHROMIUM_ARGS", "EgideServer"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
_START_TIMEOUT_S = 30.0
# The console script installed beside the interpreter running the tests.
EGIDE = Path(sys.executable).parent / "egide"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class EgideServer:
    """``egide serve`` in a subprocess, with its own EGIDE_HOME."""

    def __init__(self, home: Path, *, config: Path | None = None, port: int | None = None) -> None:
        """``config``: an ``egide.toml``; without one, the embedded defaults of ``make run``."""
        self.home = home
        self.port = port or _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"EGIDE_STORE_KEY", "EGIDE_CONFIG"}
        }
        self.env["EGIDE_HOME"] = str(home)
        if config is not None:
            self.env["EGIDE_CONFIG"] = str(config)
        self._process: subprocess.Popen[bytes] | None = None
        # The service's output (one access line per request) goes to a file: a pipe nobody
        # reads fills up after a few hundred requests and the service blocks on its next line.
        self.log_path = home.parent / f"egide-serve-{self.port}.log"

    def _launch(self, command: list[str]) -> subprocess.Popen[bytes]:
        with self.log_path.open("ab") as log:
            return subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL, stderr=log)

    def output(self) -> str:
        """What the service wrote so far (its errors, its access lines)."""
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def egide(self, *args: str) -> str:
        done = subprocess.run(
            [str(EGIDE), *args],
            env=self.env,
            capture_output=True,
            check=True,
            timeout=60,
        )
        return done.stdout.decode()

    def add_agent(self, login: str) -> str:
        """Creates an agent with ``egide users add``; returns the temporary password it prints."""
        return self.egide("users", "add", login, "--role", "agent").strip()

    def start(self) -> None:
        command = [str(EGIDE), "serve", "--port", str(self.port)]
        self._process = self._launch(command)
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"egide serve s'est arrêté au démarrage :\n{self.output()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"egide serve ne répond pas sur /healthz après {_START_TIMEOUT_S} s")

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None
