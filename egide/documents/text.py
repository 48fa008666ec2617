"""Plain text: encoding detection and paragraphs separated by blank lines."""

from __future__ import annotations

import codecs
import re

from egide.documents.limits import Budget
from egide.documents.model import Document, DocumentFormat, TextBuilder

__all__ = ["decode_text", "looks_binary", "read_txt", "split_paragraphs"]

_BOMS = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_SAMPLE = 8192


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text saved without a BOM: Latin text then has a zero byte in every other place."""
    sample = data[:_SAMPLE]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_zeros = sample[0::2].count(0)
    odd_zeros = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_zeros > 0.3 * half and even_zeros == 0:
        return "utf-16-le"
    if even_zeros > 0.3 * half and odd_zeros == 0:
        return "utf-16-be"
    return None


def looks_binary(data: bytes) -> bool:
    """True for bytes that are not text in any encoding we read (images, executables…)."""
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return False
    return b"\x00" in data[:_SAMPLE] and _utf16_without_bom(data) is None


# A document may name any codec Python knows; only character sets take a linear time to decode
# (punycode, for one, is quadratic) and give text rather than escapes: anything else is ignored.
_PLAIN_CHARSET_PREFIXES = (
    "utf_8", "utf_16", "utf_32", "ascii", "latin_1", "iso8859", "cp", "mac_", "koi8", "kz1048",
    "hp_roman8", "tis_620", "ptcp154", "euc_", "shift_jis", "gb", "big5", "hz", "johab",
    "iso2022",
)  # fmt: skip


def _is_plain_charset(label: str) -> bool:
    return codecs.lookup(label).name.replace("-", "_").startswith(_PLAIN_CHARSET_PREFIXES)


def decode_text(data: bytes, name: str, *, declared: str | None = None) -> tuple[str, list[str]]:
    """The text and warnings: BOM, then ``declared`` charset, then UTF-8, then Windows-1252."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), []
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16, errors="replace"), []
    if declared:
        try:
            if _is_plain_charset(declared):
                return data.decode(declared), []
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        label = "Windows-1252"
    except UnicodeDecodeError:
        # Five bytes have no meaning in cp1252; Latin-1 maps every byte, so it cannot fail.
        text = data.decode("latin-1")
        label = "Latin-1"
    warning = (
        f"le fichier « {name} » n'est pas encodé en UTF-8 : il a été lu comme du {label} ; "
        "vérifiez que les caractères accentués sont corrects"
    )
    return text, [warning]


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by at least one blank line; single line breaks stay inside."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [part for part in _BLANK_LINE.split(text) if part.strip()]


def read_txt(data: bytes, name: str, budget: Budget) -> Document:
    text, warnings = decode_text(data, name)
    builder = TextBuilder(name, max_chars=budget.limits.max_chars)
    builder.warnings.extend(warnings)
    for paragraph in split_paragraphs(text):
        if not builder.add(paragraph) and builder.is_full:
            break
    return builder.build(DocumentFormat.TXT)
