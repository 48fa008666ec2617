"""Entry point: recognise a document by its content, check its size, hand it to the right reader."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path, PurePath

from egide.documents.htmltext import looks_like_html, read_html
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

__all__ = [
    "DEFAULT_MAX_BYTES",
    "human_size",
    "read_document",
    "read_document_bytes",
    "sniff_format",
]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# Attachments of the message are read; attachments of an attached message are only listed.
MAX_ATTACHMENT_DEPTH = 1

_SUFFIXES: dict[DocumentFormat, tuple[str, ...]] = {
    DocumentFormat.PDF: (".pdf",),
    DocumentFormat.DOCX: (".docx",),
    DocumentFormat.ODT: (".odt",),
    DocumentFormat.EML: (".eml",),
    DocumentFormat.HTML: (".html", ".htm", ".xhtml"),
    DocumentFormat.TXT: (".txt", ".text", ".md", ".csv", ".log"),
}
_BY_SUFFIX = {suffix: fmt for fmt, suffixes in _SUFFIXES.items() for suffix in suffixes}
_CONTAINERS = (DocumentFormat.PDF, DocumentFormat.DOCX, DocumentFormat.ODT)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 (.doc, .xls, .msg…)
_OLD_OFFICE_HINT = " (enregistrez-le au format DOCX, ODT ou PDF)"

Reader = Callable[[bytes, str], Document]


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} octets"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} Ko"
    megabytes = f"{size / (1024 * 1024):.1f}".replace(".", ",").removesuffix(",0")
    return f"{megabytes} Mo"


def _unsupported(suffix: str, hint: str = "") -> DocumentError:
    return DocumentError(
        f"format non pris en charge : {suffix or 'inconnu'}{hint} ; "
        f"formats acceptés : {ACCEPTED_FORMATS}",
        DocumentProblem.UNSUPPORTED,
    )


def _corrupt(name: str, fmt: DocumentFormat) -> DocumentError:
    return DocumentError(
        f"le fichier « {name} » est endommagé ou n'est pas un {fmt.upper()} valide"
    )


def _sniff_zip(data: bytes, name: str, suffix: str) -> DocumentFormat:
    archive = open_archive(data, name)
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


def sniff_format(data: bytes, name: str) -> DocumentFormat:
    """The format from the content; the extension only decides between text formats."""
    suffix = PurePath(name).suffix.lower()
    expected = _BY_SUFFIX.get(suffix)
    # PDF readers accept a header preceded by junk, but a text file may merely quote one.
    if data.startswith(b"%PDF-") or (b"%PDF-" in data[:1024] and expected in (None, *_CONTAINERS)):
        return DocumentFormat.PDF
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data, name, suffix)
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


def _read(data: bytes, name: str, depth: int) -> Document:
    if not data:
        raise DocumentError(f"le fichier « {name} » est vide", DocumentProblem.EMPTY)
    fmt = sniff_format(data, name)

    def read_attachment(payload: bytes, filename: str) -> Document:
        return _read(payload, PurePath(filename).name, depth + 1)

    readers: dict[DocumentFormat, Reader] = {
        DocumentFormat.PDF: read_pdf,
        DocumentFormat.DOCX: read_docx,
        DocumentFormat.ODT: read_odt,
        DocumentFormat.HTML: read_html,
        DocumentFormat.TXT: read_txt,
        DocumentFormat.EML: lambda payload, filename: read_eml(
            payload,
            filename,
            read_attachment=read_attachment if depth < MAX_ATTACHMENT_DEPTH else None,
        ),
    }
    try:
        document = readers[fmt](data, name)
    except DocumentError:
        raise
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


def read_document_bytes(data: bytes, *, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read a document received as bytes (an upload); ``name`` is its file name, for messages."""
    name = PurePath(name).name or "document"
    if len(data) > max_bytes:
        raise _too_large(name, len(data), max_bytes)
    return _read(data, name, 0)


def _too_large(name: str, size: int, max_bytes: int) -> DocumentError:
    return DocumentError(
        f"le fichier « {name} » est trop volumineux ({human_size(size)}) : la taille maximale "
        f"acceptée est de {human_size(max_bytes)}",
        DocumentProblem.TOO_LARGE,
    )


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read a PDF, DOCX, ODT, EML, HTML or TXT file; raise DocumentError with a French reason."""
    name = path.name
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise _too_large(name, size, max_bytes)
            # One byte past the limit, in case the file grew since fstat().
            data = handle.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise _too_large(name, len(data), max_bytes)
    except FileNotFoundError:
        raise DocumentError(
            f"fichier introuvable : « {path} »", DocumentProblem.NOT_FOUND
        ) from None
    except IsADirectoryError:
        raise DocumentError(f"« {path} » est un dossier, pas un fichier") from None
    except PermissionError:
        raise DocumentError(f"impossible de lire « {path} » : accès refusé") from None
    except OSError as exc:
        raise DocumentError(f"impossible de lire « {path} » : {exc.strerror}") from None
    return _read(data, name, 0)
