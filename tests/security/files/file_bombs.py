"""Hostile files built in memory, small on the wire and huge once unpacked (fictitious content).

Each builder says what it inflates to; none needs more than a few megabytes to build.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from email.message import EmailMessage
from typing import NamedTuple

__all__ = [
    "Repeated", "docx_part_bomb", "eml_with_attachments", "eml_with_huge_part",
    "html_deeply_nested", "odt_part_bomb", "pdf_from_streams", "pdf_heavy_pages", "pdf_text_bomb", "xlsx",
    "xlsx_dimension_bomb", "xlsx_shared_strings_bomb",
]  # fmt: skip

_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


class Repeated(NamedTuple):
    """``head + unit * count + tail``, written to the archive piece by piece: a bomb of hundreds
    of megabytes costs the test a few kilobytes of memory."""

    head: bytes
    unit: bytes
    count: int
    tail: bytes

    def chunks(self) -> Iterator[bytes]:
        yield self.head
        block = self.unit * 4096
        for _ in range(self.count // 4096):
            yield block
        yield self.unit * (self.count % 4096)
        yield self.tail


def _deflate(raw: bytes | Repeated) -> bytes:
    if isinstance(raw, bytes):
        return zlib.compress(raw, 9)
    packer = zlib.compressobj(9)
    return b"".join(packer.compress(chunk) for chunk in raw.chunks()) + packer.flush()


def pdf_from_streams(contents: list[int], streams: dict[int, bytes | Repeated]) -> bytes:
    """One page per item of ``contents`` (the number of its content stream in ``streams``).

    Objects: 1 catalog, 2 page tree, 3 font, streams from 10, pages after them.
    """
    objects: dict[int, bytes] = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: _FONT}
    for number, raw in streams.items():
        packed = _deflate(raw)
        objects[number] = (
            b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed)
            + packed
            + b"\nendstream"
        )
    first_page = max(streams) + 1
    for offset, stream in enumerate(contents):
        objects[first_page + offset] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R >> >> >>" % stream
        )
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(len(contents)))
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(contents))
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += (
            b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
        )
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def _text_operators(size: int) -> Repeated:
    unit = b"(" + b"Bombe " * 30 + b") Tj\n"
    return Repeated(b"BT /F1 1 Tf 0 0 Td\n", unit, size // len(unit), b"ET\n")


def _drawing_operators(count: int) -> bytes:
    return b"0.1 w\n" + b"10 10 m 20 20 l S\n" * count


def pdf_text_bomb(inflated: int = 64 * 1024 * 1024) -> bytes:
    """One page whose FlateDecode content stream inflates to ``inflated`` bytes of text: PDFium
    keeps about 200 bytes per character it extracts, so 64 MB of text asks for gigabytes."""
    return pdf_from_streams([10], {10: _text_operators(inflated)})


def pdf_heavy_pages(pages: int = 200, drawings: int = 150_000) -> bytes:
    """Many pages sharing one content stream of ``drawings`` paths each: small in memory, but
    seconds of PDFium work per page (below the per-page object cap, so every page is loaded)."""
    return pdf_from_streams(
        [10] * pages, {10: b"BT /F1 9 Tf 50 800 Td (Note) Tj ET\n" + _drawing_operators(drawings)}
    )


def _zip(entries: dict[str, bytes | Repeated], *, level: int = 9) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, payload in entries.items():
            if isinstance(payload, bytes):
                archive.writestr(name, payload)
                continue
            with archive.open(name, "w", force_zip64=True) as part:
                for chunk in payload.chunks():
                    part.write(chunk)
    return buffer.getvalue()


_CONTENT_TYPES = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
_ROOT_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
_MAIN_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _shared_strings(texts: list[bytes]) -> bytes:
    return b"".join(b"<si><t>" + text + b"</t></si>" for text in texts)


def xlsx(sheet_rows: bytes, strings: bytes | Repeated, *, dimension: bytes = b"") -> bytes:
    """A minimal workbook: ``sheet_rows`` is the <sheetData> content; ``strings`` the <si> items
    of sharedStrings.xml."""
    sst = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst ' + _MAIN_NS + b">"
    if isinstance(strings, bytes):
        shared: bytes | Repeated = sst + strings + b"</sst>"
    else:
        shared = strings._replace(head=sst + strings.head, tail=strings.tail + b"</sst>")
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet '
        + _MAIN_NS
        + b">"
        + (b'<dimension ref="' + dimension + b'"/>' if dimension else b"")
        + b"<sheetData>"
        + sheet_rows
        + b"</sheetData></worksheet>"
    )
    return _zip({
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": _WORKBOOK,
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared,
    })  # fmt: skip


_HEADER_ROW = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
_DATA_ROW = b'<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'


def xlsx_shared_strings_bomb(inflated: int = 300 * 1024 * 1024) -> bytes:
    """A workbook whose sharedStrings.xml inflates to ``inflated`` bytes (openpyxl loads it whole,
    even in read-only mode)."""
    item = b"<si><t>Lorem ipsum dolor sit amet</t></si>"
    first = _shared_strings([b"objet", b"texte", b"Demande", b"Bonjour"])
    return xlsx(_HEADER_ROW + _DATA_ROW, Repeated(first, item, inflated // len(item), b""))


def xlsx_dimension_bomb() -> bytes:
    """A few hundred bytes: a header row and one cell in the last row of the last column; the
    reader pads every row in between with empty cells (16 384 × 1 048 576 of them)."""
    far = b'<row r="1048576"><c r="XFD1048576" t="s"><v>3</v></c></row>'
    strings = _shared_strings([b"objet", b"texte", b"Demande", b"x"])
    return xlsx(_HEADER_ROW + _DATA_ROW + far, strings, dimension=b"A1:XFD1048576")


def docx_part_bomb(inflated: int = 300 * 1024 * 1024) -> bytes:
    """A DOCX whose word/document.xml declares ``inflated`` bytes of paragraphs."""
    paragraph = b"<w:p><w:r><w:t>Bombe</w:t></w:r></w:p>"
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
        b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    )
    tail = b"</w:body></w:document>"
    document = Repeated(head, paragraph, inflated // len(paragraph), tail)
    return _zip({"word/document.xml": document})


def odt_part_bomb(inflated: int = 300 * 1024 * 1024) -> bytes:
    paragraph = b"<text:p>Bombe</text:p>"
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
        b'"urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text='
        b'"urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
    )
    tail = b"</office:text></office:body></office:document-content>"
    content = Repeated(head, paragraph, inflated // len(paragraph), tail)
    return _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": content})


def html_deeply_nested(depth: int = 1_000_000) -> bytes:
    return b"<!DOCTYPE html><html><body>" + b"<div><b>" * depth + b"fond" + b"</b></div>" * depth


def _message(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = "Jeanne Martin <jeanne.martin@example.fr>"
    message["To"] = "Accueil <accueil@example.fr>"
    message.set_content("Bonjour,\n\nVeuillez trouver le document ci-joint.\n")
    return message


def eml_with_huge_part(size: int = 30 * 1024 * 1024) -> bytes:
    """A message with one base64 attachment of ``size`` bytes of text (40 MB once encoded)."""
    message = _message("Pièce volumineuse")
    line = b"Ligne de texte sans importance pour le service.\n"
    message.add_attachment(line * (size // len(line)), maintype="text", subtype="plain",
                           filename="annexe.txt")  # fmt: skip
    return message.as_bytes()


def eml_with_attachments(attachments: list[tuple[str, bytes]]) -> bytes:
    message = _message("Plusieurs pièces")
    for filename, payload in attachments:
        message.add_attachment(payload, maintype="application", subtype="octet-stream",
                               filename=filename)  # fmt: skip
    return message.as_bytes()
