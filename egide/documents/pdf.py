"""PDF: text page by page with PDFium, pypdf as a fallback; scans without a text layer refused."""

from __future__ import annotations

import io
import logging
import threading
from typing import NamedTuple

import pypdf
import pypdf.errors
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from egide.documents.limits import DEFAULT_LIMITS, Budget, french_number
from egide.documents.model import (
    Document,
    DocumentError,
    DocumentFormat,
    DocumentProblem,
    TextBuilder,
    clean_text,
)

__all__ = ["MIN_PAGE_CHARS", "SCANNED_MESSAGE", "french_page_list", "read_pdf"]

# pypdf logs each repair it attempts; without this, a process that configured no logging would
# print them on the agent's terminal. Applications that configure logging still receive them.
logging.getLogger("pypdf").addHandler(logging.NullHandler())

# Below this many non-blank characters, a page that shows an image is taken for a scan: a stamp
# or a page number may sit in a real text layer on top of the picture.
MIN_PAGE_CHARS = 20
# PDFium is not thread-safe. The service parses in single-threaded child processes (see
# sandbox.py), where this lock is never contended; it only guards in-process callers.
_PDFIUM_LOCK = threading.Lock()
_MAX_IMAGE_DEPTH = 3
# Drawing operators by the million (a map, or a few kilobytes of compressed "0 0 m 1 1 l S"
# repeated) make a page that costs seconds to extract and holds no readable text: such a page
# is skipped with a warning rather than read.
MAX_PAGE_OBJECTS = 200_000

SCANNED_MESSAGE = (
    "ce PDF semble être une numérisation sans couche texte : Égide ne fait pas de reconnaissance "
    "de caractères ; demandez une version texte ou passez-le dans un logiciel d'OCR"
)


class _Page(NamedTuple):
    number: int
    text: str
    has_image: bool
    too_complex: bool = False

    @property
    def visible_chars(self) -> int:
        return sum(not char.isspace() for char in self.text)

    @property
    def is_scan(self) -> bool:
        return self.has_image and self.visible_chars < MIN_PAGE_CHARS


def _corrupt(name: str) -> DocumentError:
    return DocumentError(f"le fichier « {name} » est endommagé ou n'est pas un PDF valide")


def _encrypted(name: str) -> DocumentError:
    return DocumentError(
        f"le PDF « {name} » est protégé par un mot de passe : enregistrez-en une copie sans mot de "
        "passe, puis déposez-la à nouveau",
        DocumentProblem.ENCRYPTED,
    )


def _pages_with_pdfium(data: bytes, name: str, budget: Budget | None = None) -> list[_Page]:
    budget = budget or Budget(DEFAULT_LIMITS)
    pages = []
    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if exc.err_code in (pdfium_raw.FPDF_ERR_PASSWORD, pdfium_raw.FPDF_ERR_SECURITY):
                raise _encrypted(name) from exc
            raise
        try:
            budget.check_pages(len(pdf), name)
            for index in range(len(pdf)):
                page = pdf[index]
                if pdfium_raw.FPDFPage_CountObjects(page.raw) > MAX_PAGE_OBJECTS:
                    page.close()
                    pages.append(_Page(index + 1, "", False, too_complex=True))
                    continue
                textpage = page.get_textpage()
                text = textpage.get_text_range()
                images = page.get_objects(
                    filter=(pdfium_raw.FPDF_PAGEOBJ_IMAGE,), max_depth=_MAX_IMAGE_DEPTH
                )
                has_image = next(iter(images), None) is not None
                textpage.close()
                page.close()
                pages.append(_Page(index + 1, clean_text(text), has_image))
        finally:
            pdf.close()
    return pages


def _pages_with_pypdf(data: bytes, name: str, budget: Budget | None = None) -> list[_Page]:
    budget = budget or Budget(DEFAULT_LIMITS)
    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise _encrypted(name)
    budget.check_pages(len(reader.pages), name)
    pages = []
    for index, page in enumerate(reader.pages):
        try:
            has_image = bool(page.images)
        except (pypdf.errors.PyPdfError, KeyError, ValueError, TypeError):
            has_image = False
        pages.append(_Page(index + 1, clean_text(page.extract_text() or ""), has_image))
    return pages


def _read_pages(data: bytes, name: str, budget: Budget) -> tuple[list[_Page], list[str]]:
    try:
        return _pages_with_pdfium(data, name, budget), []
    except (DocumentError, MemoryError):
        raise
    except Exception:
        pass  # PDFium gave up on this file: pypdf repairs some files PDFium refuses
    try:
        pages = _pages_with_pypdf(data, name, budget)
    except (DocumentError, MemoryError):
        raise
    except Exception as exc:  # pypdf raises many unrelated types on broken files
        raise _corrupt(name) from exc
    warning = (
        f"le PDF « {name} » est partiellement endommagé : vérifiez que le texte lu est complet"
    )
    return pages, [warning]


def french_page_list(numbers: list[int]) -> str:
    """``[2, 3, 4, 7, 8]`` → ``"2 à 4, 7 et 8"``: runs of three pages or more become ranges."""
    items: list[str] = []
    start = 0
    while start < len(numbers):
        end = start
        while end + 1 < len(numbers) and numbers[end + 1] == numbers[end] + 1:
            end += 1
        if end - start >= 2:
            items.append(f"{numbers[start]} à {numbers[end]}")
        else:
            items.extend(str(number) for number in numbers[start : end + 1])
        start = end + 1
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


def _complex_pages_warning(numbers: list[int], name: str) -> str:
    if len(numbers) == 1:
        return (
            f"la page {numbers[0]} de « {name} » n'a pas été lue : elle porte plus de "
            f"{french_number(MAX_PAGE_OBJECTS)} objets graphiques (dessin trop complexe)"
        )
    return (
        f"les pages {french_page_list(numbers)} de « {name} » n'ont pas été lues : elles portent "
        f"plus de {MAX_PAGE_OBJECTS:,} objets graphiques chacune (dessins trop complexes)"
    ).replace(",", "\u202f")


def read_pdf(data: bytes, name: str, budget: Budget) -> Document:
    pages, warnings = _read_pages(data, name, budget)
    if not pages:
        raise _corrupt(name)
    scans = [page.number for page in pages if page.is_scan]
    too_complex = [page.number for page in pages if page.too_complex]
    readable = [page for page in pages if not page.is_scan and page.visible_chars]
    if not readable:
        if scans:
            raise DocumentError(f"« {name} » : {SCANNED_MESSAGE}", DocumentProblem.SCANNED)
        if too_complex:
            raise DocumentError(
                _complex_pages_warning(too_complex, name) + " ; aucun texte n'a pu être lu",
                DocumentProblem.TOO_LARGE,
            )
        raise DocumentError(f"le PDF « {name} » ne contient aucun texte", DocumentProblem.EMPTY)
    builder = TextBuilder(name, max_chars=budget.limits.max_chars)
    builder.warnings.extend(warnings)
    if too_complex:
        builder.warnings.append(_complex_pages_warning(too_complex, name))
    if scans:
        if len(scans) == 1:
            which, verb, their = "la page", "semble numérisée", "son"
        else:
            which, verb, their = "les pages", "semblent numérisées", "leur"
        builder.warnings.append(
            f"{which} {french_page_list(scans)} de « {name} » {verb} sans couche texte : "
            f"{their} contenu n'a pas été lu (Égide ne fait pas de reconnaissance de caractères)"
        )
    for page in pages:
        if not builder.add(page.text, page=page.number, numbered=False) and builder.is_full:
            break
    return builder.build(DocumentFormat.PDF)
