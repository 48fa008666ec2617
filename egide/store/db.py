"""Opening the store: engine, migrations on start, encryption key, sessions with French errors.

SQLite (the default, ``EGIDE_HOME/egide.db``) and PostgreSQL (``postgresql+psycopg://…``) are both
supported; nothing here depends on one of them except the SQLite file's creation and pragmas.

The key is checked when the store opens, against a value sealed at its creation: a wrong or
missing key stops Égide at once with a clear message, instead of failing on the first draft
read, and a lost key file is never silently replaced by a new one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import create_engine, event, insert, select
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from egide.config import Settings
from egide.store.crypto import KEY_ENV, StoreCipher, key_path, load_store_keyring
from egide.store.errors import StoreError
from egide.store.models import StoreMeta

__all__ = ["Store", "database_engine", "explain_database_error", "open_store", "upgrade"]

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_KEY_CHECK = "key_check"
# SQLite says "database is locked"/"busy"; PostgreSQL speaks of lock timeouts and deadlocks.
_LOCK_MARKERS = ("locked", "busy", "lock timeout", "could not obtain lock", "deadlock")
_NOTHING_LOST = (
    "l'opération n'a pas été enregistrée ; rien de ce qui était déjà enregistré n'a été perdu"
)


def explain_database_error(exc: DBAPIError) -> StoreError:
    """A driver error in French; never the SQL statement nor its parameters."""
    detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else ""
    lowered = detail.lower()
    if any(marker in lowered for marker in _LOCK_MARKERS):
        return StoreError(
            "la base de données est occupée par un autre processus : "
            f"{_NOTHING_LOST} ; réessayez dans un instant"
        )
    if "full" in lowered or "no space" in lowered:
        return StoreError(
            f"la base de données ou le disque est plein : {_NOTHING_LOST} ; "
            "libérez de la place puis réessayez"
        )
    if "readonly" in lowered or "read-only" in lowered or "permission denied" in lowered:
        return StoreError(
            f"la base de données n'est pas accessible en écriture : {_NOTHING_LOST} ; "
            "vérifiez les droits du fichier et du dossier EGIDE_HOME"
        )
    return StoreError(f"la base de données est indisponible ({detail}) : {_NOTHING_LOST}")


class Store:
    """An open store: the engine, the cipher of its free-text columns, and sessions."""

    def __init__(self, engine: Engine, cipher: StoreCipher) -> None:
        self.engine = engine
        self.cipher = cipher
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error."""
        try:
            with self._sessions.begin() as session:
                yield session
        except DBAPIError as exc:
            raise explain_database_error(exc) from None

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (the latest by default); a no-op when it already is.
    A restore creates the schema of its backup's revision, loads it, then goes to the latest."""
    from alembic import command
    from alembic.config import Config
    from alembic.util import CommandError

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except CommandError as exc:
        raise StoreError(
            f"schéma de la base inconnu de cette version d'Égide ({exc}) : la base a sans doute "
            "été mise à jour par une version plus récente ; rien n'a été modifié"
        ) from None


def _prepare_sqlite_file(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created private before SQLite creates it with the umask's permissions.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600))
    except OSError as exc:
        raise StoreError(f"impossible de créer la base {path} : {exc.strerror}") from None


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # Deleted drafts (retention) leave no ciphertext behind in free pages.
        cursor.execute("PRAGMA secure_delete = ON")
    finally:
        cursor.close()


def _create_engine(url: URL, busy_timeout_s: float) -> Engine:
    if url.get_backend_name() == "sqlite":
        _prepare_sqlite_file(url)
        engine = create_engine(url, connect_args={"timeout": busy_timeout_s})
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    return create_engine(url, pool_pre_ping=True)


def database_engine(settings: Settings, *, busy_timeout_s: float = 5.0) -> Engine:
    """An engine on the settings' database, without migrating it (a restore fills an empty
    one); StoreError in French when the address or the driver is wrong."""
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        raise StoreError("adresse de base de données invalide (storage.url)") from None
    try:
        return _create_engine(url, busy_timeout_s)
    except ImportError as exc:
        raise StoreError(f"pilote de base de données absent ({exc.name})") from None


def _read_key_check(engine: Engine) -> bytes | None:
    with engine.connect() as connection:
        return connection.execute(
            select(StoreMeta.value).where(StoreMeta.name == _KEY_CHECK)
        ).scalar_one_or_none()


def _check_key(engine: Engine, cipher: StoreCipher, sealed: bytes | None, home: Path) -> None:
    where = {"table": "store_meta", "column": "value", "row_id": _KEY_CHECK}
    if sealed is None:
        try:
            with engine.begin() as connection:
                connection.execute(
                    insert(StoreMeta).values(name=_KEY_CHECK, value=cipher.seal("egide", **where))
                )
            return
        except IntegrityError:
            # Another process created the same new store at the same time: check its value.
            sealed = _read_key_check(engine)
            if sealed is None:
                raise
    try:
        cipher.open(sealed, **where)
    except StoreError:
        raise StoreError(
            f"la clé de chiffrement ({KEY_ENV} ou {key_path(home)}, et les anciennes : "
            f"{KEY_ENV}_PREVIOUS ou keys/store.previous/) n'est pas celle qui a chiffré cette "
            "base : restaurez la clé d'origine depuis votre sauvegarde ; rien n'a été modifié"
        ) from None


def open_store(
    settings: Settings,
    *,
    environ: Mapping[str, str] | None = None,
    busy_timeout_s: float = 5.0,
) -> Store:
    """Open (and create or migrate when needed) the store described by ``settings``."""
    home = Path(settings.home).expanduser()
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"impossible de créer le dossier EGIDE_HOME {home} : {exc.strerror}"
        ) from None
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        raise StoreError(
            "adresse de base de données invalide (storage.url) : attendu sqlite:///CHEMIN "
            "ou postgresql+psycopg://UTILISATEUR@HOTE/BASE"
        ) from None
    try:
        engine = _create_engine(url, busy_timeout_s)
    except ImportError as exc:
        raise StoreError(
            f"pilote de base de données absent ({exc.name}) : pour PostgreSQL, installez psycopg"
        ) from None
    try:
        upgrade(engine)
        sealed = _read_key_check(engine)
        cipher = StoreCipher(load_store_keyring(home, create=sealed is None, environ=environ))
        _check_key(engine, cipher, sealed, home)
    except DBAPIError as exc:
        engine.dispose()
        raise explain_database_error(exc) from None
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, cipher)
