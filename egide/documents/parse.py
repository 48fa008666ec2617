"""In-process parsing: recognise a document by its content and hand it to the right reader.

This runs inside the parse worker (see sandbox.py and worker.py), under the time and memory
limits of that process; the service itself reads documents through :mod:`egide.documents.reader`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from egide.documents.htmltext import looks_like_html, read_html
from egide.documents.images import looks_like_image, read_image
from egide.documents.limits import DEFAULT_LIMITS, Budget
from egide.documents.mail import looks_like_email, read_eml
from egide.documents.model import (
    ACCEPTED_FORMATS,
    Document,
    DocumentError,
    DocumentFormat,
    DocumentProblem,
)
from egide.documents.office import ODT_MIMETYPE, open_archive, read_docx, read_odt
from egide.documents.pdf import read_pdf
from egide.documents.text import looks_binary, read_txt

__all__ = ["parse_document", "sniff_format"]

# Attachments of the message are read; attachments of an attached message are only listed.
MAX_ATTACHMENT_DEPTH = 1

_SUFFIXES: dict[DocumentFormat, tuple[str, ...]] = {
    DocumentFormat.PDF: (".pdf",),
    DocumentFormat.DOCX: (".docx",),
    DocumentFormat.ODT: (".odt",),
    DocumentFormat.EML: (".eml",),
    DocumentFormat.HTML: (".html", ".htm", ".xhtml"),
    DocumentFormat.TXT: (".txt", ".text", ".md", ".csv", ".log"),
    DocumentFormat.IMAGE: (".jpg", ".jpeg", ".png", ".tif", ".tiff"),
}
_BY_SUFFIX = {suffix: fmt for fmt, suffixes in _SUFFIXES.items() for suffix in suffixes}
_CONTAINERS = (DocumentFormat.PDF, DocumentFormat.DOCX, DocumentFormat.ODT, DocumentFormat.IMAGE)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 (.doc, .xls, .msg…)
_OLD_OFFICE_HINT = " (enregistrez-le au format DOCX, ODT ou PDF)"

Reader = Callable[[bytes, str, Budget], Document]


def _unsupported(suffix: str, hint: str = "") -> DocumentError:
    return DocumentError(
        f"format non pris en charge : {suffix or 'inconnu'}{hint} ; "
        f"formats acceptés : {ACCEPTED_FORMATS}",
        DocumentProblem.UNSUPPORTED,
    )


def _corrupt(name: str, fmt: DocumentFormat) -> DocumentError:
    if fmt is DocumentFormat.IMAGE:
        return DocumentError(
            f"le fichier « {name} » est endommagé ou n'est pas une image JPEG, PNG ou TIFF "
            "(une photo HEIC ou WebP s'enregistre en JPEG depuis le téléphone ou l'ordinateur)"
        )
    return DocumentError(
        f"le fichier « {name} » est endommagé ou n'est pas un {fmt.upper()} valide"
    )


def _sniff_zip(data: bytes, name: str, suffix: str, max_unpacked_bytes: int) -> DocumentFormat:
    archive = open_archive(data, name, max_unpacked_bytes=max_unpacked_bytes)
    names = set(archive.namelist())
    if "word/document.xml" in names:
        return DocumentFormat.DOCX
    if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
        try:
            mimetype = archive.read("mimetype").decode("ascii", errors="replace").strip()
        except Exception as exc:  # a damaged entry: zlib, CRC or header errors
            raise DocumentError(f"le fichier « {name} » est endommagé (archive illisible)") from exc
        if mimetype.startswith(ODT_MIMETYPE):
            return DocumentFormat.ODT
        raise _unsupported(suffix or f"OpenDocument ({mimetype})")
    expected = _BY_SUFFIX.get(suffix)
    if expected in _CONTAINERS:
        raise _corrupt(name, expected)
    raise _unsupported(suffix or ".zip")


def sniff_format(
    data: bytes, name: str, *, max_unpacked_bytes: int = DEFAULT_LIMITS.max_unpacked_bytes
) -> DocumentFormat:
    """The format from the content; the extension only decides between text formats."""
    suffix = PurePath(name).suffix.lower()
    expected = _BY_SUFFIX.get(suffix)
    # PDF readers accept a header preceded by junk, but a text file may merely quote one.
    if data.startswith(b"%PDF-") or (b"%PDF-" in data[:1024] and expected in (None, *_CONTAINERS)):
        return DocumentFormat.PDF
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data, name, suffix, max_unpacked_bytes)
    if looks_like_image(data):
        return DocumentFormat.IMAGE
    if expected in _CONTAINERS:
        raise _corrupt(name, expected)
    if data.startswith(_OLE) or data.startswith(b"{\\rtf"):
        raise _unsupported(suffix, _OLD_OFFICE_HINT)
    if looks_binary(data):
        raise _unsupported(suffix)
    if expected is not None:
        return expected
    if looks_like_html(data):
        return DocumentFormat.HTML
    if looks_like_email(data):
        return DocumentFormat.EML
    if not suffix:
        return DocumentFormat.TXT
    raise _unsupported(suffix)


def parse_document(data: bytes, name: str, budget: Budget) -> Document:
    """Read ``data`` here, in this process; DocumentError (French) when it cannot be read."""
    return _read(data, PurePath(name).name or "document", budget, 0)


def _read(data: bytes, name: str, budget: Budget, depth: int) -> Document:
    if not data:
        raise DocumentError(f"le fichier « {name} » est vide", DocumentProblem.EMPTY)
    fmt = sniff_format(data, name, max_unpacked_bytes=budget.limits.max_unpacked_bytes)

    def read_attachment(payload: bytes, filename: str) -> Document:
        return _read(payload, PurePath(filename).name, budget, depth + 1)

    readers: dict[DocumentFormat, Reader] = {
        DocumentFormat.PDF: read_pdf,
        DocumentFormat.DOCX: read_docx,
        DocumentFormat.ODT: read_odt,
        DocumentFormat.HTML: read_html,
        DocumentFormat.TXT: read_txt,
        DocumentFormat.IMAGE: read_image,
        DocumentFormat.EML: lambda payload, filename, budget: read_eml(
            payload,
            filename,
            budget,
            read_attachment=read_attachment if depth < MAX_ATTACHMENT_DEPTH else None,
        ),
    }
    try:
        document = readers[fmt](data, name, budget)
    except (DocumentError, MemoryError):
        raise  # MemoryError: the worker reports the memory limit, not a damaged file
    except Exception as exc:  # the libraries raise anything from KeyError to lxml errors
        raise _corrupt(name, fmt) from exc
    if not document.sections:
        raise DocumentError(
            f"le document « {name} » ne contient aucun texte", DocumentProblem.EMPTY
        )
    suffix = PurePath(name).suffix.lower()
    if suffix in _BY_SUFFIX and suffix not in _SUFFIXES[fmt]:
        warning = (
            f"le fichier « {name} » porte l'extension {suffix} mais c'est un fichier "
            f"{fmt.upper()} : il a été lu comme tel"
        )
        document = Document(
            document.text, document.sections, document.source, document.format,
            (warning, *document.warnings),
        )  # fmt: skip
    return document
