"""Photos and scans of letters (JPEG, PNG, TIFF): decoded by Pillow, read by OCR, page by page.

Runs in the parse worker like every reader. A photo taken with a telephone is turned upright
from its EXIF orientation, put in grey, and given a plausible resolution (Tesseract reads text of
a known size best); each frame of a multi-page TIFF is a page.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps, ImageSequence

from egide.documents.limits import Budget, french_number, french_page_list
from egide.documents.model import (
    Document,
    DocumentError,
    DocumentFormat,
    DocumentProblem,
    TextBuilder,
)
from egide.documents.ocr import MAX_OCR_PIXELS, OcrSession, ocr_warnings

__all__ = ["IMAGE_FORMATS", "looks_like_image", "read_image"]

IMAGE_FORMATS = ("JPEG", "PNG", "TIFF")
_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")
# An A4 letter is 8.27 inches wide: what a photo's width says of its resolution.
_A4_WIDTH_IN = 8.27
_MIN_DPI, _MAX_DPI = 70, 600
# Below this resolution, letters are too small for Tesseract: the image is enlarged.
_UPSCALE_BELOW_DPI = 150


def looks_like_image(data: bytes) -> bool:
    return data.startswith(_MAGIC)


def _dpi(frame: Image.Image) -> int:
    declared = frame.info.get("dpi")
    if (
        isinstance(declared, tuple)
        and declared
        and isinstance(declared[0], int | float)
        and _MIN_DPI <= declared[0] <= _MAX_DPI
    ):
        return round(declared[0])
    # A photo says nothing useful (72 or nothing): assume it shows an A4 page across.
    return max(_MIN_DPI, min(_MAX_DPI, round(frame.size[0] / _A4_WIDTH_IN)))


def _too_large(name: str, frame: Image.Image) -> DocumentError:
    width, height = frame.size
    return DocumentError(
        f"l'image « {name} » mesure {french_number(width)} × {french_number(height)} pixels, "
        f"au-delà des {MAX_OCR_PIXELS // 1_000_000} millions de pixels qu'Égide lit : "
        "enregistrez-la à une résolution plus faible (300 points par pouce suffisent)",
        DocumentProblem.TOO_LARGE,
    )


def _page(frame: Image.Image, name: str) -> tuple[Image.Image, int]:
    """The frame upright, in grey, at a resolution Tesseract reads well; and that resolution."""
    width, height = frame.size
    if width * height > MAX_OCR_PIXELS:
        if frame.format != "JPEG":
            raise _too_large(name, frame)
        # JPEG decodes at 1/2, 1/4 or 1/8 of its size for almost nothing: a 50-megapixel photo
        # is read at 12.5 megapixels rather than refused.
        scale = (MAX_OCR_PIXELS / (width * height)) ** 0.5
        frame.draft("L", (int(width * scale), int(height * scale)))
        if frame.size[0] * frame.size[1] > MAX_OCR_PIXELS:
            raise _too_large(name, frame)
    dpi = _dpi(frame)
    upright = ImageOps.exif_transpose(frame)
    gray = upright.convert("L")
    if dpi < _UPSCALE_BELOW_DPI and gray.size[0] * gray.size[1] * 4 <= MAX_OCR_PIXELS:
        gray = gray.resize((gray.size[0] * 2, gray.size[1] * 2), Image.Resampling.LANCZOS)
        dpi *= 2
    return gray, dpi


def read_image(data: bytes, name: str, budget: Budget) -> Document:
    session = OcrSession(name, budget)
    why = session.unavailable()
    if why is not None:
        raise DocumentError(
            f"« {name} » est une image (photo ou numérisation d'un document) : {why}",
            DocumentProblem.SCANNED,
        )
    image = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
    budget.check_pages(int(getattr(image, "n_frames", 1)), name)
    for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
        if not session.wants(number):
            continue
        gray, dpi = _page(frame, name)
        session.recognise(gray, number, dpi=dpi)
    if not any(page.text for page in session.pages):
        raise DocumentError(
            f"la reconnaissance de caractères (OCR) n'a trouvé aucun texte lisible dans l'image "
            f"« {name} » : reprenez la photo de face, bien éclairée et nette, ou demandez une "
            "version texte du document",
            DocumentProblem.EMPTY,
        )
    builder = TextBuilder(name, max_chars=budget.limits.max_chars)
    builder.warnings.extend(ocr_warnings(session))
    blank = [page.number for page in session.pages if not page.text]
    if blank:
        which, verb = ("la page", "ne porte") if len(blank) == 1 else ("les pages", "ne portent")
        builder.warnings.append(
            f"{which} {french_page_list(blank)} de « {name} » {verb} aucun texte lisible par la "
            "reconnaissance de caractères"
        )
    for page in session.pages:
        if not builder.add(page.text, page=page.number, numbered=False) and builder.is_full:
            break
    return builder.build(DocumentFormat.IMAGE)
