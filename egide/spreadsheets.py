"""The spreadsheets Égide writes (CSV reports), safe to open in Excel or LibreOffice Calc.

A cell is data the agent reads, never a formula: file names, labels and reasons come from
uploaded files and spreadsheets, and a cell such as ``=HYPERLINK("http://…", "Ouvrir")`` or
``@SUM(…)`` would run in the agent's spreadsheet software. Following OWASP's CSV injection
guidance, a cell that starts (after spaces) with ``=``, ``+``, ``-``, ``@``, a tab, a carriage
return or a line feed — or their full-width forms, which some software folds — is prefixed with
an apostrophe, which spreadsheet software shows as text. Cells are quoted by the ``csv``
module whenever they contain the separator, a quote or a line break, so that no value spills
into the next cell.

Every CSV or XLSX Égide produces goes through :func:`safe_cell` (:func:`csv_bytes` does).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

__all__ = ["FORMULA_STARTS", "csv_bytes", "safe_cell"]

FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
_SPACES = " \u00a0\u202f"


def safe_cell(value: object) -> str:
    """The text of a cell, with an apostrophe in front when software could take it for a
    formula."""
    text = "" if value is None else str(value)
    if text and (text[0] in FORMULA_STARTS or text.lstrip(_SPACES)[:1] in FORMULA_STARTS):
        return "'" + text
    return text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV file as French Excel opens it right: UTF-8 with a BOM (accents), ``;`` between
    cells, CRLF between lines; every cell through :func:`safe_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
