"""A tiny hand-written PDF generator for tests and benchmarks (no dependency, no Égide import).

Pages are either text (standard Type1 font Helvetica with WinAnsiEncoding, so French accents
survive) or ``None`` for a page that only carries a grey image, like a scan without a text layer.
Content streams stay uncompressed so the output is predictable and quick to build.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

__all__ = ["A4_HEIGHT", "A4_WIDTH", "LINES_PER_PAGE", "build_pdf", "paginate", "wrap_lines"]

A4_WIDTH = 595
A4_HEIGHT = 842
_MARGIN = 56
_FONT_SIZE = 11
_LEADING = 14
LINES_PER_PAGE = (A4_HEIGHT - 2 * _MARGIN) // _LEADING
_IMAGE_SIDE = 16  # pixels of the fake scan; scaled to the whole page


def wrap_lines(text: str, *, width: int = 90) -> list[str]:
    """Lines of at most ``width`` characters; blank lines in ``text`` are kept."""
    lines: list[str] = []
    for raw in text.split("\n"):
        lines.extend(textwrap.wrap(raw, width=width) or [""])
    return lines


def paginate(text: str, *, width: int = 90) -> list[str]:
    """Split a long text into page-sized chunks for :func:`build_pdf`."""
    lines = wrap_lines(text, width=width)
    return [
        "\n".join(lines[start : start + LINES_PER_PAGE])
        for start in range(0, max(len(lines), 1), LINES_PER_PAGE)
    ]


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _text_stream(text: str) -> bytes:
    top = A4_HEIGHT - _MARGIN
    parts = [b"BT", b"/F1 %d Tf" % _FONT_SIZE, b"%d TL" % _LEADING, b"%d %d Td" % (_MARGIN, top)]
    for index, line in enumerate(wrap_lines(text)[:LINES_PER_PAGE]):
        if index:
            parts.append(b"T*")
        parts.append(b"(" + _escape(line) + b") Tj")
    parts.append(b"ET")
    return b"\n".join(parts)


def _image_stream() -> bytes:
    return b"q %d 0 0 %d 0 0 cm /Im1 Do Q" % (A4_WIDTH, A4_HEIGHT)


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def build_pdf(pages: Sequence[str | None], *, title: str | None = None) -> bytes:
    """A valid PDF with one page per item: text, or ``None`` for an image-only page."""
    if not pages:
        raise ValueError("a PDF needs at least one page")
    # Fixed object numbers: 1 catalog, 2 page tree, 3 font, 4 image, 5 info; pages from 6 on.
    objects: dict[int, bytes] = {}
    page_ids: list[int] = []
    next_id = 6
    for page in pages:
        page_id, content_id = next_id, next_id + 1
        next_id += 2
        page_ids.append(page_id)
        data = _image_stream() if page is None else _text_stream(page)
        objects[content_id] = _stream(b"", data)
        resources = b"/XObject << /Im1 4 0 R >>" if page is None else b"/Font << /F1 3 0 R >>"
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
            b"/Resources << %s >> >>" % (A4_WIDTH, A4_HEIGHT, content_id, resources)
        )
    kids = b" ".join(b"%d 0 R" % page_id for page_id in page_ids)
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(page_ids)
    objects[3] = (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    pixels = bytes(
        (96 + (x * 7 + y * 13) % 64) for y in range(_IMAGE_SIDE) for x in range(_IMAGE_SIDE)
    )
    objects[4] = _stream(
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8" % (_IMAGE_SIDE, _IMAGE_SIDE),
        pixels,
    )
    objects[5] = b"<< /Producer (pdf_builder) /Title (" + _escape(title or "") + b") >>"

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref_at = len(out)
    count = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % count
    for number in range(1, count):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        count,
        xref_at,
    )
    return bytes(out)
