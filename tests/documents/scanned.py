"""Scanned letters made by the tests themselves: text drawn on a page image, then saved as a PDF
without a text layer, a telephone photo (JPEG with an EXIF orientation) or a multi-page TIFF.

Fictitious people; the NIR carry a valid key.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
A4_INCHES = (8.27, 11.69)


def nir(number: str) -> str:
    """The 13 digits of ``number`` (spaces allowed) followed by their key, grouped as printed."""
    digits = number.replace(" ", "")
    key = 97 - int(digits) % 97
    return f"{number} {key:02d}"


def letter_lines(
    *, name: str = "Jean-Pierre MARTIN", nir_text: str | None = None, subject: str = "titre"
) -> list[str]:
    nir_text = nir_text or nir("1 85 05 69 123 456")
    return [
        "PRÉFECTURE DU RHÔNE",
        "Bureau du séjour",
        "",
        "Lyon, le 3 mars 2025",
        "",
        f"Objet : demande de renouvellement de {subject} de séjour",
        "",
        "Madame, Monsieur,",
        "",
        f"Je soussigné {name}, né le 12 mai 1985 à Lyon, numéro de",
        f"sécurité sociale {nir_text}, sollicite le renouvellement de mon",
        "titre de séjour qui expire le 30 avril 2025. Je joins à ma demande",
        "un justificatif de domicile et deux photographies d'identité.",
        "",
        "Veuillez agréer, Madame, Monsieur, mes salutations distinguées.",
        "",
        name,
    ]


def page_image(lines: Sequence[str], *, dpi: int = 200, noise: float = 0.0) -> Image.Image:
    """An A4 page in grey with ``lines`` in an 11-point serif, like a scan at ``dpi``."""
    size = (int(A4_INCHES[0] * dpi), int(A4_INCHES[1] * dpi))
    image = Image.new("L", size, 250)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, round(11 / 72 * dpi))
    y = dpi
    for line in lines:
        draw.text((int(0.9 * dpi), y), line, font=font, fill=20)
        y += round(16 / 72 * dpi)
    if noise:
        # Paper grain and a slightly soft focus, as a scanner or a telephone gives.
        rng = random.Random(7)
        grain = Image.effect_noise(size, 40 * noise)
        image = Image.blend(image, grain, 0.08 * noise).filter(ImageFilter.GaussianBlur(0.6))
        for _ in range(int(200 * noise)):
            x, y = rng.randrange(size[0]), rng.randrange(size[1])
            draw = ImageDraw.Draw(image)
            draw.point((x, y), fill=90)
    return image


def scanned_pdf(pages: Sequence[Image.Image], *, dpi: int = 200) -> bytes:
    """A PDF of page images only: no text layer, as a scanner without OCR produces."""
    buffer = io.BytesIO()
    first, *rest = [page.convert("RGB") for page in pages]
    first.save(buffer, format="PDF", resolution=dpi, save_all=True, append_images=rest)
    return buffer.getvalue()


def phone_photo(page: Image.Image, *, quality: int = 75) -> bytes:
    """A JPEG taken with the telephone held sideways: the pixels lie on their side and the EXIF
    orientation (6: turn 90° clockwise to display) puts them upright."""
    stored = page.convert("RGB").rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    stored.save(buffer, format="JPEG", quality=quality, exif=exif.tobytes())
    return buffer.getvalue()


def tiff(pages: Sequence[Image.Image], *, dpi: int = 200) -> bytes:
    """A multi-page TIFF, one frame per page (as office scanners and faxes make them)."""
    buffer = io.BytesIO()
    first, *rest = pages
    first.save(
        buffer, format="TIFF", save_all=True, append_images=rest, dpi=(dpi, dpi),
        compression="tiff_deflate",
    )  # fmt: skip
    return buffer.getvalue()


def png(page: Image.Image) -> bytes:
    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    return buffer.getvalue()
