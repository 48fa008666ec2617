"""PDF: text page by page with PDFium, pypdf as a fallback; pages without a text layer (scans)
are rendered and read by OCR (egide/documents/ocr.py)."""

from __future__ import annotations

import io
import logging
import threading
from typing import NamedTuple

import pypdf
import pypdf.errors
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from egide.documents.limits import DEFAULT_LIMITS, Budget, french_number, french_page_list
from egide.documents.model import (
    Document,
    DocumentError,
    DocumentFormat,
    DocumentProblem,
    TextBuilder,
    clean_text,
)
from egide.documents.ocr import MAX_OCR_PIXELS, OCR_DPI, OcrSession, ocr_warnings

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
    "ce PDF semble être une numérisation sans couche texte, et la reconnaissance de caractères "
    "(OCR) n'y a trouvé aucun texte lisible ; demandez une version texte ou une numérisation plus "
    "nette"
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


def _render_scale(width_pt: float, height_pt: float) -> float:
    scale = OCR_DPI / 72
    area = max(width_pt * height_pt, 1.0)
    return min(scale, (MAX_OCR_PIXELS / area) ** 0.5)


def _recognise_scans(data: bytes, numbers: list[int], session: OcrSession) -> None:
    """Render each scanned page in grey and hand it to OCR, page by page (memory stays flat)."""
    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(data)
        try:
            for number in numbers:
                if not session.wants(number):
                    continue
                page = pdf[number - 1]
                try:
                    scale = _render_scale(*page.get_size())
                    image = page.render(scale=scale, grayscale=True).to_pil()
                finally:
                    page.close()
                session.recognise(image, number, dpi=round(72 * scale))
        finally:
            pdf.close()


def _scans_not_read(scans: list[int], name: str, why: str) -> str:
    if len(scans) == 1:
        which, verb, their = "la page", "semble numérisée", "son"
    else:
        which, verb, their = "les pages", "semblent numérisées", "leur"
    return (
        f"{which} {french_page_list(scans)} de « {name} » {verb} sans couche texte : "
        f"{their} contenu n'a pas été lu ({why})"
    )


def _ocr(
    data: bytes, name: str, budget: Budget, scans: list[int], *, repaired: bool, alone: bool
) -> tuple[dict[int, str], list[str]]:
    """Text of the scanned pages by OCR, and the warnings; refuses when nothing else is left."""
    session = OcrSession(name, budget)
    why = session.unavailable()
    if why is None and repaired:
        why = (
            "le fichier est trop endommagé pour que ses pages soient reconnues (OCR) : demandez "
            "une nouvelle copie du document"
        )
    if why is not None:
        if alone:
            raise DocumentError(
                f"« {name} » est une numérisation sans couche texte : {why}",
                DocumentProblem.SCANNED,
            )
        return {}, [_scans_not_read(scans, name, why)]
    _recognise_scans(data, scans, session)
    texts = {page.number: page.text for page in session.pages if page.text}
    if not texts and alone:
        raise DocumentError(f"« {name} » : {SCANNED_MESSAGE}", DocumentProblem.SCANNED)
    warnings = ocr_warnings(session)
    blank = [page.number for page in session.pages if not page.text]
    if blank:
        warnings.append(
            _scans_not_read(blank, name, "la reconnaissance de caractères n'y a trouvé aucun texte")
        )
    return texts, warnings


def read_pdf(data: bytes, name: str, budget: Budget) -> Document:
    pages, warnings = _read_pages(data, name, budget)
    if not pages:
        raise _corrupt(name)
    scans = [page.number for page in pages if page.is_scan]
    too_complex = [page.number for page in pages if page.too_complex]
    readable = [page for page in pages if not page.is_scan and page.visible_chars]
    recognised: dict[int, str] = {}
    if scans:
        recognised, ocr_notes = _ocr(
            data, name, budget, scans, repaired=bool(warnings), alone=not readable
        )
        warnings = [*warnings, *ocr_notes]
    if not readable and not recognised:
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
    for page in pages:
        text = recognised.get(page.number, "") if page.is_scan else page.text
        if not builder.add(text, page=page.number, numbered=False) and builder.is_full:
            break
    return builder.build(DocumentFormat.PDF)
