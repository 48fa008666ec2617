"""``egide backup -o ARCHIVE`` and ``egide restore ARCHIVE``: an installation in one encrypted,
consistent archive, taken while the service runs, restored into an empty ``EGIDE_HOME``.

``egide restore FICHIER --vault COFFRE`` (a pseudonymised text) is another command of the same
name (:mod:`egide.cli.guard`): with ``--vault`` it restores a text's values, without it an
archive.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import BinaryIO

from egide.cli.common import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CliError, settings_from

__all__ = ["register", "run_restore_archive"]

_KEY_MISSING = (
    "clé de la base absente : donnez EGIDE_STORE_KEY (depuis votre coffre de secrets) ou copiez "
    "keys/store.key de l'installation sauvegardée dans {home}/keys/ (droits 0600) ; les clés ne "
    "sont jamais dans la sauvegarde"
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = subparsers.add_parser(
        "backup",
        help="sauvegarder l'installation (base, fichiers, journal d'audit, configuration) dans "
        "une archive chiffrée, service en marche",
    )
    backup.add_argument(
        "-o", "--output", required=True, type=Path, metavar="ARCHIVE", help="archive à écrire"
    )
    backup.set_defaults(handler=run_backup)


def _store_keys(home: Path) -> list[bytes]:
    """The store's keys, the current one (which seals a backup) first; the others open the
    backups made before a rotation."""
    from egide.store import StoreError
    from egide.store.crypto import load_store_keyring

    try:
        return [key for _kid, key in load_store_keyring(home, create=False).items()]
    except StoreError:
        raise CliError(_KEY_MISSING.format(home=home), EXIT_USAGE) from None


def _opening_key(archive: BinaryIO, keys: list[bytes]) -> bytes:
    """The key of ``keys`` that opens the archive (the last error when none does)."""
    from egide.backup.sealed_stream import ArchiveError, SealedReader

    error: ArchiveError | None = None
    for key in keys:
        archive.seek(0)
        try:
            SealedReader(archive, key).read(1)
        except ArchiveError as exc:
            error = exc
            continue
        archive.seek(0)
        return key
    assert error is not None
    raise error


def run_backup(args: argparse.Namespace) -> int:
    from egide.audit import AuditError
    from egide.backup import ArchiveError, write_archive
    from egide.store import StoreError, open_store

    settings = settings_from(args, documents=False)
    target: Path = args.output
    if target.exists():
        raise CliError(f"{target} existe déjà : choisissez un autre nom (rien n'est écrasé)")
    key = _store_keys(Path(settings.home))[0]
    partial = target.with_name(f".{target.name}.partielle")
    try:
        with open_store(settings) as store:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                summary = write_archive(settings, store, out, key)
                out.flush()
                os.fsync(out.fileno())
        os.replace(partial, target)
    except (StoreError, AuditError, ArchiveError) as exc:
        partial.unlink(missing_ok=True)
        raise CliError(f"sauvegarde non écrite : {exc}") from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CliError(f"sauvegarde non écrite dans {target} : {exc.strerror}") from None
    rows = sum(summary.tables.values())
    print(
        f"Sauvegarde écrite dans {target} : {len(summary.tables)} tables ({rows} lignes), "
        f"{summary.files} fichiers de {settings.home}, la configuration. Elle est chiffrée par "
        "une clé dérivée de la clé de la base (EGIDE_STORE_KEY ou keys/store.key) : gardez "
        "cette clé, et celles du journal d'audit et du coffre, à part de la sauvegarde."
    )
    return EXIT_OK


def run_restore_archive(args: argparse.Namespace) -> int:
    """``egide restore ARCHIVE``: into an empty ``EGIDE_HOME`` (its ``keys/`` folder aside)
    and an empty database; then the audit trail is verified."""
    from egide.audit import AuditError, AuditLog
    from egide.backup import ArchiveError, read_archive
    from egide.store import StoreError, open_store
    from egide.store.batches import BatchJobStore
    from egide.store.db import database_engine

    settings = settings_from(args, documents=False)
    home = Path(settings.home)
    archive: Path = args.file
    present = sorted(p.name for p in home.iterdir() if p.name != "keys") if home.is_dir() else []
    if present:
        raise CliError(
            f"EGIDE_HOME ({home}) n'est pas vide ({', '.join(present[:5])}) : la restauration se "
            "fait dans un dossier vide (seul keys/ peut s'y trouver) ; rien n'a été modifié",
            EXIT_USAGE,
        )
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    keys = _store_keys(home)
    try:
        source = archive.open("rb")
    except OSError as exc:
        raise CliError(f"sauvegarde illisible : {archive} ({exc.strerror})", EXIT_USAGE) from None
    try:
        with source:
            key = _opening_key(source, keys)  # the key, before anything is created
            engine = database_engine(settings)
            try:
                summary = read_archive(settings, source, key, engine)
            finally:
                engine.dispose()
        _align_audit(settings)
        with open_store(settings) as store:
            interrupted = BatchJobStore(store).interrupt_unfinished()
        report = AuditLog.open(settings).verify()
    except (ArchiveError, StoreError, AuditError) as exc:
        raise CliError(f"restauration impossible : {exc}") from None
    rows = sum(summary.tables.values())
    print(
        f"Sauvegarde d'Égide {summary.version} restaurée dans {home} : {len(summary.tables)} "
        f"tables ({rows} lignes), {summary.files} fichiers."
    )
    if summary.configuration is not None:
        print(
            f"La configuration sauvegardée est dans {summary.configuration} : comparez-la avec "
            "celle de cette machine (egide.toml), elle ne l'a pas remplacée."
        )
    if interrupted:
        print(f"{interrupted} travaux répétitifs en cours lors de la sauvegarde sont interrompus : "
              "leurs propriétaires les reprennent d'un clic.")  # fmt: skip
    print(f"Journal d'audit : {report.message_fr}")
    return EXIT_OK if report.ok else EXIT_ERROR


def _align_audit(settings: object) -> None:
    """A backup of one engine restored on the other: the audit chain moves to where this
    installation keeps it (a file log taken over by the database, or the reverse)."""
    from egide.audit import AuditLog
    from egide.audit.anchor import write_anchor
    from egide.audit.dbchain import DatabaseChain
    from egide.audit.events import AuditEvent
    from egide.audit.witness import anchor_key, import_file_log
    from egide.config import Settings
    from egide.store.db import database_engine

    assert isinstance(settings, Settings)
    log = AuditLog.open(settings)
    if log.chain is not None:
        import_file_log(log.path, log.anchor_path, log.keys, log.chain)
        return
    if log.path.exists():
        return
    engine = database_engine(settings)
    try:
        chain = DatabaseChain(engine)
        with chain.snapshot() as (_head, lines):
            records = list(lines)
    finally:
        engine.dispose()
    if not records:
        return
    log.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(log.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.writelines(records)
    # The head's copy in the database came with the rows; the file's head joins it.
    last = AuditEvent.from_record(json.loads(records[-1]))
    write_anchor(log.anchor_path, last.seq, last.hash, anchor_key(log.keys, last), mirrored=True)
