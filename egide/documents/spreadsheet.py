"""Spreadsheets as rows of text: CSV (``;`` or ``,``, UTF-8 or Windows-1252) and XLSX.

Rows keep the number the agent sees in the spreadsheet (the header is line 1), so that a report
saying "ligne 12" can be checked in Excel or LibreOffice without counting.

This is the in-process parser, run by the parse worker under the limits of
:mod:`egide.documents.limits`; :mod:`egide.tasks.tables` is what the rest of Égide calls.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

from egide.documents.limits import Budget
from egide.documents.model import DocumentError, DocumentProblem
from egide.documents.office import open_budgeted

__all__ = ["MAX_ROWS", "Row", "Table", "TableError", "check_table_suffix", "parse_table"]

MAX_ROWS = 50_000
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


def check_table_suffix(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    if suffix in (".csv", ".xlsx", ".xlsm"):
        return suffix
    if suffix in (".xls", ".ods"):
        raise TableError(f"{name} : enregistrez le tableau au format XLSX ou CSV")
    raise TableError(f"{name} : format non pris en charge (attendu : CSV ou XLSX)")


def parse_table(data: bytes, name: str, budget: Budget) -> Table:
    """Read a table here, in this process; TableError (French) when it cannot be read."""
    suffix = check_table_suffix(name)
    try:
        if suffix == ".csv":
            return _read_csv(data, name, budget)
        return _read_xlsx(data, name, budget)
    except DocumentError as exc:  # a limit reached, or a damaged archive
        raise TableError(exc.message) from exc


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
    counts: dict[str, int] = {}
    for column in named:
        counts[column] = counts.get(column, 0) + 1
    duplicates = sorted(c for c, n in counts.items() if n > 1)
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


def _too_many_rows(name: str) -> TableError:
    return TableError(f"{name} : plus de {MAX_ROWS} lignes ; découpez-le")


def _read_csv(data: bytes, name: str, budget: Budget) -> Table:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader, None)
        if header is None:
            raise TableError(f"{name} est vide")
        budget.take_cells(len(header), name)
        columns = _columns(header, name)
        rows: list[Row] = []
        for number, cells in enumerate(reader, start=2):
            budget.take_cells(len(cells), name)
            row = _row(number, columns, cells)
            if row is not None:
                rows.append(row)
                if len(rows) > MAX_ROWS:
                    raise _too_many_rows(name)
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


def _read_xlsx(data: bytes, name: str, budget: Budget) -> Table:
    import openpyxl

    unreadable = f"{name} n'est pas un classeur XLSX lisible"
    try:
        open_budgeted(data, name, budget)  # openpyxl loads sharedStrings.xml whole
    except DocumentError as exc:
        if exc.problem is DocumentProblem.CORRUPT:
            raise TableError(unreadable) from None
        raise
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception:  # InvalidFileException, BadZipFile, KeyError, lxml and parser errors…
        raise TableError(unreadable) from None
    try:
        if not book.worksheets:
            raise TableError(f"{name} ne contient aucune feuille")
        # A sheet may declare a dimension of A1:XFD1048576 in a few bytes; openpyxl then
        # yields every empty cell of it, which the cell budget counts.
        lines = book.worksheets[0].iter_rows(values_only=True)
        header = next(lines, None)
        if header is None:
            raise TableError(f"{name} : la première feuille est vide")
        budget.take_cells(len(header), name)
        columns = _columns([_cell(v) for v in header], name)
        rows: list[Row] = []
        for number, cells in enumerate(lines, start=2):
            budget.take_cells(len(cells), name)
            row = _row(number, columns, [_cell(v) for v in cells])
            if row is not None:
                rows.append(row)
                if len(rows) > MAX_ROWS:
                    raise _too_many_rows(name)
    except (TableError, DocumentError, MemoryError):
        raise
    except Exception:  # a sheet damaged past the workbook's header: zip, XML or value errors
        raise TableError(unreadable) from None
    finally:
        book.close()
    return _finish(name, columns, rows)
