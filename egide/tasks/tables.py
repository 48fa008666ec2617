"""Spreadsheets as rows of text, for batches: CSV (``;`` or ``,``, UTF-8 or Windows-1252) and XLSX.

Rows keep the number the agent sees in the spreadsheet (the header is line 1), so that a report
saying "ligne 12" can be checked in Excel or LibreOffice without counting. Like every untrusted
file, a spreadsheet is parsed in a worker process under the limits of
:mod:`egide.documents.limits` (:mod:`egide.documents.spreadsheet` is the parser itself).
"""

from __future__ import annotations

from pathlib import Path

from egide.documents.limits import human_size
from egide.documents.sandbox import ParsePool, default_pool
from egide.documents.spreadsheet import MAX_ROWS, Row, Table, TableError, check_table_suffix

__all__ = ["MAX_ROWS", "Row", "Table", "TableError", "read_table", "read_table_bytes"]


def read_table(path: Path, *, pool: ParsePool | None = None) -> Table:
    check_table_suffix(path.name)
    pool = pool or default_pool()
    return pool.read_table(_raw(path, pool.limits.max_bytes), path.name)


def read_table_bytes(data: bytes, *, name: str, pool: ParsePool | None = None) -> Table:
    """A table received as bytes (an upload); ``name`` gives its format and its messages."""
    check_table_suffix(name)
    pool = pool or default_pool()
    if len(data) > pool.limits.max_bytes:
        raise _too_large(name, pool.limits.max_bytes)
    return pool.read_table(data, name)


def _too_large(name: str, max_bytes: int) -> TableError:
    return TableError(f"{name} est trop volumineux ({human_size(max_bytes)} au plus)")


def _raw(path: Path, max_bytes: int) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise TableError(f"fichier introuvable : {path}") from None
    except IsADirectoryError:
        raise TableError(f"{path} est un dossier, pas un fichier") from None
    except OSError as exc:
        raise TableError(f"impossible de lire {path} : {exc.strerror}") from None
    if len(data) > max_bytes:
        raise _too_large(path.name, max_bytes)
    return data
