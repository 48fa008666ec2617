"""Spreadsheets as rows of text: CSV (``;`` or ``,``, UTF-8 or Windows-1252) and XLSX.

Rows keep the number the agent sees in the spreadsheet (the header is line 1), so that a report
saying "ligne 12" can be checked in Excel or LibreOffice without counting.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path, PurePath
from typing import Any

__all__ = ["MAX_ROWS", "Row", "Table", "TableError", "read_table", "read_table_bytes"]

MAX_ROWS = 50_000
_MAX_BYTES = 50 * 1024 * 1024
_DELIMITERS = (";", ",", "\t")


class TableError(ValueError):
    """The file cannot be read as a table; the message says why and what to do, in French."""


@dataclass(frozen=True)
class Row:
    line: int  # the spreadsheet's own row number
    values: dict[str, str]
    problem: str | None = field(default=None)  # a row that cannot be trusted, and why


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def read_table(path: Path) -> Table:
    _check_suffix(path.name)
    return read_table_bytes(_raw(path), name=path.name)


def read_table_bytes(data: bytes, *, name: str) -> Table:
    """A table received as bytes (an upload); ``name`` gives its format and its messages."""
    suffix = _check_suffix(name)
    if len(data) > _MAX_BYTES:
        raise TableError(f"{name} est trop volumineux (50 Mo au plus)")
    if suffix == ".csv":
        return _read_csv(data, name)
    return _read_xlsx(data, name)


def _check_suffix(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    if suffix in (".csv", ".xlsx", ".xlsm"):
        return suffix
    if suffix in (".xls", ".ods"):
        raise TableError(f"{name} : enregistrez le tableau au format XLSX ou CSV")
    raise TableError(f"{name} : format non pris en charge (attendu : CSV ou XLSX)")


def _raw(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(_MAX_BYTES + 1)
    except FileNotFoundError:
        raise TableError(f"fichier introuvable : {path}") from None
    except IsADirectoryError:
        raise TableError(f"{path} est un dossier, pas un fichier") from None
    except OSError as exc:
        raise TableError(f"impossible de lire {path} : {exc.strerror}") from None
    if len(data) > _MAX_BYTES:
        raise TableError(f"{path.name} est trop volumineux (50 Mo au plus)")
    return data


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel for Windows saves "CSV" in Windows-1252, which decodes any byte.
        return data.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _columns(raw: list[str], name: str) -> tuple[str, ...]:
    columns = tuple(cell.strip() for cell in raw)
    named = [c for c in columns if c]
    if not named:
        raise TableError(f"{name} : la première ligne doit donner le nom des colonnes")
    duplicates = sorted({c for c in named if named.count(c) > 1})
    if duplicates:
        raise TableError(f"{name} : colonnes en double : {', '.join(duplicates)}")
    return columns


def _row(line: int, columns: tuple[str, ...], cells: list[str]) -> Row | None:
    if not any(cell.strip() for cell in cells):
        return None  # blank lines are layout, not items
    problem = None
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        problem = (
            "la ligne a plus de cellules que l'en-tête (séparateur ou guillemets mal placés ?)"
        )
    values = {
        column: cells[i].replace("\r\n", "\n").strip() if i < len(cells) else ""
        for i, column in enumerate(columns)
        if column
    }
    return Row(line, values, problem)


def _finish(name: str, columns: tuple[str, ...], rows: list[Row]) -> Table:
    if not rows:
        raise TableError(f"{name} : aucune ligne de données sous l'en-tête")
    return Table(tuple(c for c in columns if c), tuple(rows))


def _read_csv(data: bytes, name: str) -> Table:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader, None)
        if header is None:
            raise TableError(f"{name} est vide")
        columns = _columns(header, name)
        rows: list[Row] = []
        for number, cells in enumerate(reader, start=2):
            row = _row(number, columns, cells)
            if row is not None:
                rows.append(row)
                if len(rows) > MAX_ROWS:
                    raise TableError(f"{name} : plus de {MAX_ROWS} lignes ; découpez-le")
    except csv.Error as exc:
        raise TableError(f"{name}, ligne {reader.line_num} : CSV illisible ({exc})") from None
    return _finish(name, columns, rows)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, name: str) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise TableError(f"{name} n'est pas un classeur XLSX lisible") from None
    try:
        if not book.worksheets:
            raise TableError(f"{name} ne contient aucune feuille")
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None)
        if header is None:
            raise TableError(f"{name} : la première feuille est vide")
        columns = _columns([_cell(v) for v in header], name)
        rows: list[Row] = []
        for number, cells in enumerate(lines, start=2):
            row = _row(number, columns, [_cell(v) for v in cells])
            if row is not None:
                rows.append(row)
                if len(rows) > MAX_ROWS:
                    raise TableError(f"{name} : plus de {MAX_ROWS} lignes ; découpez-le")
    finally:
        book.close()
    return _finish(name, columns, rows)
