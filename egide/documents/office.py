"""Word (DOCX, python-docx) and OpenDocument text (ODT, odfpy): paragraphs, headings, tables."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from typing import Any

import docx
from docx.oxml.ns import qn
from odf import load as odf_load
from odf import opendocument

from egide.documents.limits import DEFAULT_LIMITS, Budget, LimitExceeded, human_size
from egide.documents.model import Document, DocumentError, DocumentFormat, TextBuilder

__all__ = [
    "MAX_UNPACKED_BYTES", "ODT_MIMETYPE", "open_archive", "open_budgeted", "read_docx", "read_odt",
]  # fmt: skip

ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"
# The libraries load every part in memory: refuse archives that would unpack to more than this
# (a "zip bomb"), or whose parts are compressed far beyond what real XML or images achieve.
MAX_UNPACKED_BYTES = DEFAULT_LIMITS.max_unpacked_bytes
MAX_ENTRIES = 10_000
_SUSPICIOUS_RATIO = 200
_RATIO_FLOOR = 8 * 1024 * 1024
_MAX_SPACES = 100  # <text:s text:c="…"> repeats a space; a huge count would fill the memory
_CELL_SEPARATOR = " | "
_HEADING_PREFIXES = ("heading", "title", "titre", "subtitle", "sous-titre")


def _bomb(name: str, why: str) -> LimitExceeded:
    return LimitExceeded(
        f"le fichier « {name} » {why} : il a été refusé par précaution (archive piégée ?)",
        "unpacked",
    )


def open_archive(
    data: bytes,
    name: str,
    *,
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
    budget: Budget | None = None,
) -> zipfile.ZipFile:
    """Open a ZIP container after checking the sizes its directory declares.

    ``zipfile`` never inflates an entry past its declared size, so checking the declared sizes
    bounds what python-docx, odfpy and openpyxl will unpack. With a ``budget``, the archive's
    unpacked size also counts against the whole parse (an e-mail and all its attachments).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except MemoryError:
        raise
    except Exception as exc:  # BadZipFile, but also NotImplementedError, EOFError, ValueError…
        raise DocumentError(f"le fichier « {name} » est endommagé (archive illisible)") from exc
    if len(entries) > MAX_ENTRIES:
        raise _bomb(name, f"contient plus de {MAX_ENTRIES} éléments")
    total = 0
    for entry in entries:
        total += entry.file_size
        if total > max_unpacked_bytes:
            raise _bomb(name, f"se décompresse en plus de {human_size(max_unpacked_bytes)}")
        ratio_too_high = entry.file_size > _SUSPICIOUS_RATIO * max(entry.compress_size, 1)
        if entry.file_size > _RATIO_FLOOR and ratio_too_high:
            raise _bomb(name, "contient une partie anormalement compressée")
    if budget is not None:
        budget.take_unpacked(total, name)
    return archive


def open_budgeted(data: bytes, name: str, budget: Budget) -> zipfile.ZipFile:
    """:func:`open_archive` under the limits of the parse in progress."""
    return open_archive(
        data, name, max_unpacked_bytes=budget.limits.max_unpacked_bytes, budget=budget
    )


# --- DOCX -------------------------------------------------------------------------------------

_W_P, _W_TBL, _W_TR, _W_TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_W_T, _W_TAB, _W_BR, _W_CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_W_VAL = qn("w:val")
# Deleted revisions, properties and the fallback copy of drawings hold no visible text (or a
# duplicate of it); everything else (insertions, content controls, hyperlinks…) is walked into.
_DOCX_SKIPPED = frozenset(
    {qn("w:del"), qn("w:moveFrom"), qn("w:pPr"), qn("w:rPr"), qn("w:sectPr"), qn("w:tblPr"),
     qn("w:tblGrid"), qn("w:trPr"), qn("w:tcPr"), qn("w:instrText"),
     "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}
)  # fmt: skip


def _docx_paragraph_text(paragraph: Any) -> str:
    parts: list[str] = []
    stack = [iter(paragraph)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        tag = child.tag
        if tag == _W_T:
            parts.append(child.text or "")
        elif tag == _W_TAB:
            parts.append("\t")
        elif tag in (_W_BR, _W_CR):
            parts.append("\n")
        elif tag not in _DOCX_SKIPPED:
            if tag == _W_P:  # a paragraph inside a text box
                parts.append("\n")
            stack.append(iter(child))
    return "".join(parts)


def _docx_blocks(container: Any) -> Iterator[Any]:
    """Paragraphs and tables in reading order, looking through content controls and revisions."""
    for child in container:
        if child.tag in (_W_P, _W_TBL):
            yield child
        elif child.tag not in _DOCX_SKIPPED and child.tag != _W_TR:
            yield from _docx_blocks(child)


def _wrapped(container: Any, tag: str) -> Iterator[Any]:
    """Children with ``tag``, also when wrapped in content controls, but not in nested tables."""
    for child in container:
        if child.tag == tag:
            yield child
        elif child.tag not in _DOCX_SKIPPED and child.tag not in (_W_TBL, _W_P):
            yield from _wrapped(child, tag)


def _docx_rows(table: Any) -> Iterator[str]:
    for row in _wrapped(table, _W_TR):
        cells = []
        for cell in _wrapped(row, _W_TC):
            texts = (_docx_block_text(block) for block in _docx_blocks(cell))
            cell_text = " ".join(" ".join(text.split()) for text in texts if text.strip())
            if cell_text:
                cells.append(cell_text)
        yield _CELL_SEPARATOR.join(cells)


def _docx_block_text(block: Any) -> str:
    if block.tag == _W_TBL:
        return " ".join(_docx_rows(block))
    return _docx_paragraph_text(block)


def _docx_heading_styles(document: Any) -> set[str]:
    """Style ids that are headings: by name (English or French) or by outline level."""
    styles: dict[str, tuple[str, str | None, bool]] = {}
    for style in document.styles.element.iterchildren(qn("w:style")):
        style_id = style.get(qn("w:styleId")) or ""
        name_el = style.find(qn("w:name"))
        based_el = style.find(qn("w:basedOn"))
        outline = style.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
        name = (name_el.get(_W_VAL) if name_el is not None else "") or ""
        based = based_el.get(_W_VAL) if based_el is not None else None
        styles[style_id] = (name.lower(), based, outline is not None)
    headings = set()
    for style_id in styles:
        current: str | None = style_id
        for _ in range(10):  # basedOn chains are short; a cycle must not hang the reader
            if current is None or current not in styles:
                break
            name, based, has_outline = styles[current]
            if has_outline or name.startswith(_HEADING_PREFIXES):
                headings.add(style_id)
                break
            current = based
    return headings


def read_docx(data: bytes, name: str, budget: Budget) -> Document:
    open_budgeted(data, name, budget)
    document = docx.Document(io.BytesIO(data))
    headings = _docx_heading_styles(document)
    builder = TextBuilder(name, max_chars=budget.limits.max_chars)
    heading: str | None = None
    for block in _docx_blocks(document.element.body):
        if block.tag == _W_TBL:
            for row in _docx_rows(block):
                if not builder.add(row, heading=heading) and builder.is_full:
                    break
            continue
        text = _docx_paragraph_text(block)
        style = block.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        outline = block.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
        if text.strip() and (
            outline is not None or (style is not None and style.get(_W_VAL) in headings)
        ):
            heading = " ".join(text.split())
        if not builder.add(text, heading=heading) and builder.is_full:
            break
    return builder.build(DocumentFormat.DOCX)


# --- ODT --------------------------------------------------------------------------------------

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODT_P, _ODT_H = (_TEXT_NS, "p"), (_TEXT_NS, "h")
_ODT_TABLE, _ODT_ROW, _ODT_CELL = (
    (_TABLE_NS, "table"),
    (_TABLE_NS, "table-row"),
    (_TABLE_NS, "table-cell"),
)
_ODT_SKIPPED = frozenset(
    {(_OFFICE_NS, "annotation"), (_OFFICE_NS, "annotation-end"), (_TEXT_NS, "note-citation"),
     (_TEXT_NS, "table-of-content"), (_TEXT_NS, "tracked-changes"), (_TABLE_NS, "covered-table-cell"),
     (_TEXT_NS, "sequence-decls"), (_TEXT_NS, "variable-decls"), (_TABLE_NS, "table-columns"),
     (_TABLE_NS, "table-column")}
)  # fmt: skip


def _odt_text(element: Any) -> str:
    parts: list[str] = []
    stack = [iter(element.childNodes)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        if child.nodeType == child.TEXT_NODE:
            parts.append(child.data)
            continue
        qname = child.qname
        if qname == (_TEXT_NS, "s"):
            count = child.getAttrNS(_TEXT_NS, "c")
            parts.append(" " * min(int(count) if count and count.isdigit() else 1, _MAX_SPACES))
        elif qname == (_TEXT_NS, "tab"):
            parts.append("\t")
        elif qname == (_TEXT_NS, "line-break"):
            parts.append("\n")
        elif qname not in _ODT_SKIPPED:
            if qname in (_ODT_P, _ODT_H) and parts:  # a paragraph inside a frame or a note
                parts.append(" ")
            stack.append(iter(child.childNodes))
    return "".join(parts)


def _odt_heading_styles(document: Any) -> set[str]:
    parents: dict[str, str | None] = {}
    marked: set[str] = set()
    for container in (document.styles, document.automaticstyles):
        for style in container.childNodes:
            if getattr(style, "qname", None) != (_STYLE_NS, "style"):
                continue
            name = style.getAttrNS(_STYLE_NS, "name") or ""
            parents[name] = style.getAttrNS(_STYLE_NS, "parent-style-name")
            shown = (style.getAttrNS(_STYLE_NS, "display-name") or name).lower()
            if shown.startswith(_HEADING_PREFIXES) or name.lower().startswith(_HEADING_PREFIXES):
                marked.add(name)
            if style.getAttrNS(_STYLE_NS, "default-outline-level"):
                marked.add(name)
    headings = set()
    for name in parents:
        current: str | None = name
        for _ in range(10):
            if current is None:
                break
            if current in marked:
                headings.add(name)
                break
            current = parents.get(current)
    return headings


def _odt_blocks(container: Any, headings: set[str]) -> Iterator[tuple[str, bool]]:
    """(text, is_heading) for each paragraph and table row, in reading order."""
    for child in container.childNodes:
        qname = getattr(child, "qname", None)
        if qname is None or qname in _ODT_SKIPPED:
            continue
        if qname in (_ODT_P, _ODT_H):
            style = child.getAttrNS(_TEXT_NS, "style-name")
            yield _odt_text(child), qname == _ODT_H or style in headings
        elif qname == _ODT_TABLE:
            for row in _odt_rows(child):
                yield row, False
        else:
            yield from _odt_blocks(child, headings)


def _odt_rows(table: Any) -> Iterator[str]:
    stack = [iter(table.childNodes)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        qname = getattr(child, "qname", None)
        if qname == _ODT_ROW:
            cells = []
            for cell in child.childNodes:
                if getattr(cell, "qname", None) == _ODT_CELL:
                    text = " ".join(_odt_text(cell).split())
                    if text:
                        cells.append(text)
            yield _CELL_SEPARATOR.join(cells)
        elif qname not in (_ODT_TABLE, None) and qname not in _ODT_SKIPPED:
            stack.append(iter(child.childNodes))  # header rows, row groups


_odfpy_state = threading.local()


def _odfpy_complaint(*args: object, **kwargs: object) -> None:
    # odfpy prints a whole XML part (the document's content, personal data included) on stdout
    # when it fails to parse it, then carries on with a partial document. Shadowing `print` in
    # its modules keeps the content out of the logs and lets us refuse the file instead.
    _odfpy_state.failed = True


for _module in (opendocument, odf_load):
    setattr(_module, "print", _odfpy_complaint)  # noqa: B010 - a module global, on purpose


def read_odt(data: bytes, name: str, budget: Budget) -> Document:
    open_budgeted(data, name, budget)
    _odfpy_state.failed = False
    document = opendocument.load(io.BytesIO(data))
    if _odfpy_state.failed:
        raise DocumentError(f"le fichier « {name} » est endommagé ou n'est pas un ODT valide")
    if document.text is None:
        raise DocumentError(f"le fichier « {name} » n'est pas un document texte OpenDocument")
    headings = _odt_heading_styles(document)
    builder = TextBuilder(name, max_chars=budget.limits.max_chars)
    heading: str | None = None
    for text, is_heading in _odt_blocks(document.text, headings):
        if is_heading and text.strip():
            heading = " ".join(text.split())
        if not builder.add(text, heading=heading) and builder.is_full:
            break
    return builder.build(DocumentFormat.ODT)
