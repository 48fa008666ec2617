"""What every command shares: exit codes, French errors, settings and file helpers."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from egide.config import ConfigError, Settings, load_settings
from egide.files import write_atomic

__all__ = [
    "EXIT_OK", "EXIT_ERROR", "EXIT_USAGE", "EXIT_REFUSED", "CliError", "apply_document_limits",
    "fail", "settings_from",
    "write_text_atomic", "write_bytes_atomic", "read_text_file",
]  # fmt: skip

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3  # the charter's policy refused the request (DESIGN.md)


class CliError(Exception):
    def __init__(self, message: str, exit_code: int = EXIT_ERROR, *, kind: str = "erreur") -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.kind = kind  # what stderr calls it: "erreur", "refus de la charte"


def fail(message: str, exit_code: int = EXIT_ERROR, *, kind: str = "erreur") -> int:
    print(f"egide : {kind} : {message}", file=sys.stderr)
    return exit_code


def settings_from(args: argparse.Namespace, *, documents: bool = True) -> Settings:
    """The checked settings; with ``documents`` (commands that may read a file), the
    ``[documents]`` parse limits applied. Commands that never parse a document (accounts,
    applications, audit, drafts, models, ``detect``, ``restore``) pass False: the document
    readers are then not even imported (a third of a second)."""
    try:
        settings = load_settings(getattr(args, "config", None))
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    if documents:
        apply_document_limits(settings)
    return settings


def apply_document_limits(settings: Settings) -> None:
    """Every file this process reads from now on is parsed under ``[documents]``."""
    from egide.documents import ParseLimits, configure
    from egide.documents.ocr import find_engine

    limits = settings.documents
    configure(
        ParseLimits(
            max_unpacked_bytes=limits.max_unpacked_mb * 1024 * 1024,
            max_pages=limits.max_pages,
            max_cells=limits.max_cells,
            timeout_s=limits.timeout_s,
            memory_mb=limits.memory_mb,
            ocr_pages=limits.ocr_max_pages,
            ocr_timeout_s=limits.ocr_timeout_s,
        ),
        workers=limits.workers,
        ocr=find_engine(limits.tesseract, limits.ocr_languages) if limits.ocr else None,
    )


def read_text_file(path: Path) -> str:
    """A plain-text file, for commands that take text produced by Égide itself."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CliError(f"fichier introuvable : {path}") from None
    except IsADirectoryError:
        raise CliError(f"{path} est un dossier, pas un fichier") from None
    except OSError as exc:
        raise CliError(f"impossible de lire {path} : {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CliError(
            f"{path} n'est pas un texte UTF-8 (octet invalide à la position {exc.start}) ; "
            "enregistrez-le en UTF-8"
        ) from None


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes, *, private: bool = False) -> None:
    """egide.files.write_atomic, with the folder created and a French error."""
    path = path.expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data, private=private)
    except OSError as exc:
        raise CliError(
            f"impossible d'écrire {path} : {exc.strerror} ; rien n'a été modifié "
            "(vérifiez l'espace disque et les droits)"
        ) from None


def current_user() -> str:
    """Who is acting on the command line: EGIDE_USER, else the system login."""
    name = os.environ.get("EGIDE_USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        raise CliError(
            "utilisateur inconnu : définissez la variable EGIDE_USER", EXIT_USAGE
        ) from None
