"""Keyrings: the key that seals, and the keys that may still open, for one kind of key.

A rotation never makes data unreadable: a keyring holds

- the **current** key, the only one that seals;
- a **next** key, readable but not yet sealing: it is deployed on every machine *before* the
  switch, so that a process that has not switched yet still reads what the others seal;
- **previous** keys, readable until they are retired, once nothing sealed with them is left.

Each key is known by its *fingerprint* (16 hexadecimal digits, derived from the key by HMAC,
never revealing it), which sealed values carry so that the right key is found at once.

Where the keys are, for a kind ``store`` (and likewise ``vault``, ``audit``)::

    EGIDE_STORE_KEY           or  EGIDE_HOME/keys/store.key           current
    EGIDE_STORE_KEY_NEXT      or  EGIDE_HOME/keys/store.next.key      next
    EGIDE_STORE_KEY_PREVIOUS  and EGIDE_HOME/keys/store.previous/EMPREINTE.key   previous

(``_PREVIOUS`` holds several keys separated by commas.) A process reloads its keyring from the
files when it meets an unknown fingerprint, and every 30 s at most before sealing, so that a
rotation on one machine needs no restart; keys given through the environment change with a
restart, in the order that docs/exploitation.md gives.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from egide.keys import KeyFileError, create_key_file, decode_key, load_key, read_key_file

__all__ = [
    "KeyKind",
    "Keyring",
    "fingerprint",
    "promote",
    "retire",
    "stage_next",
]

_REFRESH_S = 30.0


def fingerprint(key: bytes, domain: str) -> str:
    """16 hexadecimal digits naming ``key``; the key cannot be found back from them."""
    return hmac.new(key, b"egide-key-id\x00" + domain.encode(), hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class KeyKind:
    """One kind of key: its name (the file's), its variable, its French name, its fingerprint."""

    name: str
    env_var: str
    label: str  # « la clé de la base »…
    identify: Callable[[bytes], str]

    def current_path(self, home: Path) -> Path:
        return Path(home) / "keys" / f"{self.name}.key"

    def next_path(self, home: Path) -> Path:
        return Path(home) / "keys" / f"{self.name}.next.key"

    def previous_dir(self, home: Path) -> Path:
        return Path(home) / "keys" / f"{self.name}.previous"

    @property
    def next_var(self) -> str:
        return f"{self.env_var}_NEXT"

    @property
    def previous_var(self) -> str:
        return f"{self.env_var}_PREVIOUS"


@dataclass(frozen=True)
class _State:
    current: bytes
    current_id: str
    next_id: str | None
    previous_ids: tuple[str, ...]
    keys: Mapping[str, bytes]  # every readable key by fingerprint, current first


def _state(kind: KeyKind, current: bytes, next_key: bytes | None, previous: list[bytes]) -> _State:
    keys: dict[str, bytes] = {kind.identify(current): current}
    next_id = None
    if next_key is not None:
        next_id = kind.identify(next_key)
        keys.setdefault(next_id, next_key)
    previous_ids = []
    for key in previous:
        kid = kind.identify(key)
        if kid not in keys:
            keys[kid] = key
            previous_ids.append(kid)
    return _State(current, kind.identify(current), next_id, tuple(previous_ids), keys)


class Keyring:
    """The readable keys of one kind; see the module's documentation."""

    def __init__(
        self,
        kind: KeyKind,
        current: bytes,
        *,
        next_key: bytes | None = None,
        previous: list[bytes] | None = None,
        home: Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.kind = kind
        self._home = None if home is None else Path(home)
        self._environ = environ
        self._lock = threading.Lock()
        self._checked = time.monotonic()
        self._state = _state(kind, current, next_key, list(previous or []))

    @classmethod
    def load(
        cls,
        kind: KeyKind,
        home: Path,
        *,
        create: bool = True,
        environ: Mapping[str, str] | None = None,
    ) -> Keyring:
        """The keyring of ``home`` and the environment; KeyFileError (French) on a bad key."""
        current, next_key, previous = _read(kind, Path(home), create=create, environ=environ)
        return cls(kind, current, next_key=next_key, previous=previous, home=home, environ=environ)

    # -- reading --------------------------------------------------------------------------

    @property
    def current(self) -> bytes:
        return self._state.current

    @property
    def current_id(self) -> str:
        return self._state.current_id

    @property
    def next_id(self) -> str | None:
        return self._state.next_id

    @property
    def previous_ids(self) -> tuple[str, ...]:
        return self._state.previous_ids

    def items(self) -> list[tuple[str, bytes]]:
        """Every readable key, the current one first."""
        return list(self._state.keys.items())

    def get(self, kid: str) -> bytes | None:
        """The key of fingerprint ``kid``; the files are read again once when it is unknown
        (a rotation made by another process), None when it is still unknown."""
        key = self._state.keys.get(kid)
        if key is None and self.refresh():
            key = self._state.keys.get(kid)
        return key

    # -- reloading ------------------------------------------------------------------------

    def refresh(self) -> bool:
        """Read the keys again (from files: only for a keyring loaded from a home); whether
        it could. A key that became unreadable keeps the keyring as it was."""
        if self._home is None:
            return False
        with self._lock:
            try:
                current, next_key, previous = _read(
                    self.kind, self._home, create=False, environ=self._environ
                )
            except (KeyFileError, OSError):
                return False
            self._state = _state(self.kind, current, next_key, previous)
            self._checked = time.monotonic()
        return True

    def refresh_if_stale(self, max_age_s: float = _REFRESH_S) -> None:
        """Before sealing: pick up a rotation made by another process within ``max_age_s``."""
        if self._home is not None and time.monotonic() - self._checked > max_age_s:
            self.refresh()


def _env_keys(text: str, source: str) -> list[bytes]:
    parts = [part for part in text.replace(";", ",").replace(" ", ",").split(",") if part]
    return [decode_key(part, source) for part in parts]


def _read(
    kind: KeyKind, home: Path, *, create: bool, environ: Mapping[str, str] | None
) -> tuple[bytes, bytes | None, list[bytes]]:
    env = os.environ if environ is None else environ
    current = load_key(kind.current_path(home), env_var=kind.env_var, create=create, environ=env)
    next_key: bytes | None = None
    if env.get(kind.next_var):
        next_key = decode_key(env[kind.next_var], kind.next_var)
    else:
        with contextlib.suppress(FileNotFoundError):
            next_key = read_key_file(kind.next_path(home))
    previous = _env_keys(env.get(kind.previous_var, ""), kind.previous_var)
    folder = kind.previous_dir(home)
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for path in sorted(folder.iterdir()):
            if path.suffix == ".key" and not path.name.startswith("."):
                previous.append(read_key_file(path))
    return current, next_key, previous


# -- changing the files (egide keys rotate / retire) ---------------------------------------


def _text(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def _refuse_environment(kind: KeyKind, environ: Mapping[str, str] | None) -> None:
    env = os.environ if environ is None else environ
    if env.get(kind.env_var):
        raise KeyFileError(
            f"{kind.label} vient de la variable {kind.env_var} : Égide ne peut pas la changer "
            f"lui-même. Donnez la nouvelle clé dans {kind.next_var} sur toutes les machines et "
            f"redémarrez-les ; puis mettez-la dans {kind.env_var}, l'ancienne dans "
            f"{kind.previous_var}, et redémarrez-les de nouveau (docs/exploitation.md, "
            "« Rotation des clés ») ; rien n'a été modifié"
        )


def stage_next(kind: KeyKind, home: Path, *, environ: Mapping[str, str] | None = None) -> str:
    """Create the next key (``keys/KIND.next.key``) unless there is one; its fingerprint."""
    _refuse_environment(kind, environ)
    path = kind.next_path(home)
    try:
        if not path.exists():
            create_key_file(path)
        return kind.identify(read_key_file(path))
    except OSError as exc:
        raise KeyFileError(f"impossible d'écrire {path} : {exc.strerror}") from None


def promote(
    kind: KeyKind, home: Path, *, environ: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """The next key becomes current, the current one previous: (old, new) fingerprints.

    The old key is copied among the previous ones first, then the next key takes its place
    by a rename: a crash in between leaves the old key in both places, never in none.
    """
    _refuse_environment(kind, environ)
    stage_next(kind, home, environ=environ)
    current_path, next_path = kind.current_path(home), kind.next_path(home)
    try:
        old = read_key_file(current_path)
        new = read_key_file(next_path)
        old_id = kind.identify(old)
        folder = kind.previous_dir(home)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        create_key_file(folder / f"{old_id}.key", _text(old))
        if read_key_file(folder / f"{old_id}.key") != old:
            raise KeyFileError(f"copie de l'ancienne clé incorrecte dans {folder}")
        os.replace(next_path, current_path)
        _fsync_dir(current_path.parent)
    except FileNotFoundError as exc:
        raise KeyFileError(f"clé introuvable : {exc.filename}") from None
    except OSError as exc:
        raise KeyFileError(f"impossible de changer les clés : {exc.strerror}") from None
    return old_id, kind.identify(new)


def retire(
    kind: KeyKind, home: Path, kid: str, *, environ: Mapping[str, str] | None = None
) -> Path:
    """Remove the previous key ``kid`` from ``keys/KIND.previous/``; the file removed."""
    env = os.environ if environ is None else environ
    for key in _env_keys(env.get(kind.previous_var, ""), kind.previous_var):
        if kind.identify(key) == kid:
            raise KeyFileError(
                f"la clé {kid} vient de la variable {kind.previous_var} : retirez-la de cette "
                "variable sur chaque machine, puis redémarrez"
            )
    path = kind.previous_dir(home) / f"{kid}.key"
    try:
        path.unlink()
    except FileNotFoundError:
        raise KeyFileError(f"aucune ancienne clé {kid} dans {path.parent}") from None
    _fsync_dir(path.parent)
    return path


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
