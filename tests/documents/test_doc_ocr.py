"""Scanned letters and photos read by OCR (Tesseract, in the parse worker, under its limits).

Each test makes its own scan (text drawn on an image, saved as a PDF, a photo or a TIFF) and
reads it back through the same parse pool as any upload.
"""

from __future__ import annotations

import io
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from egide.cli import main
from egide.documents import (
    DocumentError,
    DocumentFormat,
    DocumentProblem,
    LimitExceeded,
    ParseLimits,
    ParsePool,
    read_document_bytes,
)
from egide.documents.ocr import OcrEngine, fold_digits, parse_tsv
from egide.guard import Guard
from tests.documents.pdf_builder import build_pdf
from tests.documents.scanned import (
    letter_lines,
    nir,
    page_image,
    phone_photo,
    png,
    scanned_pdf,
    tiff,
)

TESSERACT = shutil.which("tesseract")
if TESSERACT is None:
    if os.environ.get("CI"):
        pytest.fail("Tesseract est exigé en CI (tools/ensure_tesseract.sh)", pytrace=False)
    pytest.skip("Tesseract absent : bash tools/ensure_tesseract.sh", allow_module_level=True)

NAME = "Jean-Pierre MARTIN"
NIR = nir("1 85 05 69 123 456")


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard()


@pytest.fixture(scope="module")
def pool() -> Iterator[ParsePool]:
    pool = ParsePool(ParseLimits(), workers=1)
    yield pool
    pool.close()


def _found(guard: Guard, text: str) -> set[tuple[str, str]]:
    return {(text[f.start : f.end], f.label) for f in guard.scan(text).findings}


def test_a_scanned_pdf_letter_is_read_and_its_name_and_nir_are_found(
    pool: ParsePool, guard: Guard
) -> None:
    data = scanned_pdf([page_image(letter_lines(), noise=1.0)])
    document = read_document_bytes(data, name="courrier-scanne.pdf", pool=pool)
    assert document.format is DocumentFormat.PDF
    assert [section.page for section in document.sections] == [1]
    assert "Objet : demande de renouvellement de titre de séjour" in document.text
    found = _found(guard, document.text)
    assert (NIR, "NIR") in found, found
    assert any(label == "PERSON" and "MARTIN" in value for value, label in found), found
    assert document.warnings[0] == (
        "la page 1 de « courrier-scanne.pdf » a été lue par reconnaissance de caractères (OCR) : "
        "relisez le texte, des lettres ou des chiffres peuvent avoir été mal lus"
    )


def test_a_nir_misread_with_letters_is_folded_back_to_digits_and_found(
    pool: ParsePool, guard: Guard
) -> None:
    # The page itself shows "O" (letter) and "l" where digits belong, as bad scans read.
    shown = nir("1 85 05 69 123 456").replace("05", "O5").replace("123", "l23")
    data = scanned_pdf([page_image(letter_lines(nir_text=shown))])
    document = read_document_bytes(data, name="scan.pdf", pool=pool)
    assert NIR in document.text
    assert (NIR, "NIR") in _found(guard, document.text)


@pytest.mark.parametrize(
    ("read", "folded"),
    [
        ("1 85 O5 69 l23 456 78", "1 85 05 69 123 456 78"),
        ("né le l2/O5/1985", "né le 12/05/1985"),
        ("en 2O25", "en 2025"),
        ("Il est venu", "Il est venu"),  # no digit: a word, left alone
        ("lO", "lO"),
        ("article A1 et B2", "article A1 et B2"),  # a letter touching the run: a reference
        ("O", "O"),
    ],
)
def test_digits_misread_as_letters_are_folded_only_inside_runs_of_digits(
    read: str, folded: str
) -> None:
    assert fold_digits(read) == folded
    assert len(fold_digits(read)) == len(read)


def test_a_telephone_photo_lying_on_its_side_is_turned_upright_and_read(
    pool: ParsePool, guard: Guard
) -> None:
    photo = phone_photo(page_image(letter_lines(), dpi=150, noise=1.5), quality=70)
    document = read_document_bytes(photo, name="photo-courrier.jpg", pool=pool)
    assert document.format is DocumentFormat.IMAGE
    assert [section.page for section in document.sections] == [1]
    assert "salutations distinguées" in document.text
    assert (NIR, "NIR") in _found(guard, document.text)
    assert "par reconnaissance de caractères (OCR)" in document.warnings[0]


def test_a_multi_page_tiff_keeps_each_page_in_place(pool: ParsePool) -> None:
    pages = [
        page_image(letter_lines(subject="carte")),
        page_image(["Annexe : liste des pièces jointes", "", "Justificatif de domicile"]),
    ]
    document = read_document_bytes(tiff(pages), name="fax.tiff", pool=pool)
    assert [section.page for section in document.sections] == [1, 2]
    second = document.section_text(document.sections[1])
    assert second.startswith("Annexe : liste des pièces jointes")
    assert "renouvellement de carte de séjour" in document.section_text(document.sections[0])
    assert document.warnings[0].startswith("les pages 1 et 2 de « fax.tiff » ont été lues par")


def test_a_pdf_with_a_text_page_and_a_scanned_page_reads_both_in_order(pool: ParsePool) -> None:
    writer = pypdf.PdfWriter()
    writer.append(pypdf.PdfReader(io.BytesIO(build_pdf(["Bordereau d'envoi : texte natif."]))))
    writer.append(pypdf.PdfReader(io.BytesIO(scanned_pdf([page_image(letter_lines())]))))
    buffer = io.BytesIO()
    writer.write(buffer)
    document = read_document_bytes(buffer.getvalue(), name="dossier.pdf", pool=pool)
    assert [section.page for section in document.sections] == [1, 2]
    assert document.section_text(document.sections[0]) == "Bordereau d'envoi : texte natif."
    assert NAME in document.section_text(document.sections[1])
    assert document.warnings[0].startswith("la page 2 de « dossier.pdf » a été lue par")


def test_words_read_with_low_confidence_are_named_for_the_agent() -> None:
    tsv = "\n".join(
        [
            "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext",
            "5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t96.1\tMonsieur",
            "5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t31.0\tDupomt,",
            "5\t1\t1\t1\t2\t1\t0\t0\t1\t1\t90.0\tdemeurant",
            "5\t1\t1\t2\t1\t1\t0\t0\t1\t1\t12.0\t.",
            "5\t1\t1\t2\t1\t2\t0\t0\t1\t1\t88.0\tFin",
        ]
    )
    page = parse_tsv(tsv, 3)
    assert page.text == "Monsieur Dupomt,\ndemeurant\n\n. Fin"
    assert page.uncertain == ("Dupomt,",)  # a lone dot is not worth the agent's attention
    assert page.number == 3


def test_a_page_of_noise_only_is_reported_not_invented(pool: ParsePool) -> None:
    with pytest.raises(DocumentError) as caught:
        read_document_bytes(png(page_image([])), name="blanc.png", pool=pool)
    assert caught.value.problem is DocumentProblem.EMPTY
    assert "aucun texte lisible dans l'image « blanc.png »" in str(caught.value)


def test_without_tesseract_a_scan_is_refused_saying_what_to_install() -> None:
    pool = ParsePool(ParseLimits(), workers=1, ocr=OcrEngine(command=None))
    try:
        for data, name in (
            (scanned_pdf([page_image(letter_lines())]), "scan.pdf"),
            (png(page_image(letter_lines())), "photo.png"),
        ):
            with pytest.raises(DocumentError) as caught:
                read_document_bytes(data, name=name, pool=pool)
            assert caught.value.problem is DocumentProblem.SCANNED
            message = str(caught.value)
            assert f"« {name} »" in message
            assert "tesseract-ocr et tesseract-ocr-fra" in message
    finally:
        pool.close()


def test_ocr_switched_off_refuses_scans_and_says_so() -> None:
    pool = ParsePool(ParseLimits(), workers=1, ocr=None)
    try:
        with pytest.raises(
            DocumentError, match=r"désactivée sur ce serveur \(réglage documents.ocr\)"
        ):
            read_document_bytes(png(page_image(letter_lines())), name="p.png", pool=pool)
    finally:
        pool.close()


def test_missing_language_data_is_named() -> None:
    assert TESSERACT is not None
    pool = ParsePool(ParseLimits(), workers=1, ocr=OcrEngine(TESSERACT, "zzz"))
    try:
        with pytest.raises(DocumentError) as caught:
            read_document_bytes(png(page_image(letter_lines())), name="p.png", pool=pool)
        assert "(« zzz ») sont absentes de ce serveur" in str(caught.value)
    finally:
        pool.close()


def test_pages_past_the_ocr_page_limit_are_named_not_read() -> None:
    pages = [page_image([f"Page {n} du courrier numérisé de la préfecture."]) for n in (1, 2, 3)]
    pool = ParsePool(ParseLimits(ocr_pages=1), workers=1)
    try:
        document = read_document_bytes(scanned_pdf(pages), name="long.pdf", pool=pool)
    finally:
        pool.close()
    assert [section.page for section in document.sections] == [1]
    assert (
        "les pages 2 et 3 de « long.pdf » n'ont pas été lues (la reconnaissance de caractères "
        "est limitée à 1 pages par fichier) : découpez le fichier pour les lire"
    ) in document.warnings


def test_ocr_past_its_time_is_stopped_with_a_french_refusal() -> None:
    pool = ParsePool(ParseLimits(ocr_timeout_s=0.05), workers=1)
    try:
        started = time.monotonic()
        with pytest.raises(LimitExceeded) as caught:
            read_document_bytes(
                scanned_pdf([page_image(letter_lines(), dpi=300)], dpi=300),
                name="lent.pdf",
                pool=pool,
            )
        assert time.monotonic() - started < 10
    finally:
        pool.close()
    assert caught.value.limit == "ocr_time"
    assert caught.value.message.startswith(
        "le fichier « lent.pdf » demande plus de 0,05 secondes de reconnaissance de caractères "
        "(OCR) : il a été refusé"
    )


def test_ocr_time_is_granted_on_top_of_the_parse_time() -> None:
    # Three pages take longer than the one second a parse gets: the worker says OCR started,
    # and the service waits for it instead of killing it at one second.
    pages = [page_image(letter_lines()) for _ in range(3)]
    pool = ParsePool(ParseLimits(timeout_s=1.0, ocr_timeout_s=120), workers=1)
    try:
        started = time.monotonic()
        document = read_document_bytes(scanned_pdf(pages), name="trois.pdf", pool=pool)
        elapsed = time.monotonic() - started
    finally:
        pool.close()
    assert elapsed > 1.0
    assert [section.page for section in document.sections] == [1, 2, 3]


def test_an_image_of_too_many_pixels_is_refused_before_ocr(pool: ParsePool) -> None:
    from PIL import Image

    huge = Image.new("1", (8000, 6000), 1)  # 48 million pixels, a few kilobytes of PNG
    with pytest.raises(DocumentError) as caught:
        read_document_bytes(png(huge), name="affiche.png", pool=pool)
    assert caught.value.problem is DocumentProblem.TOO_LARGE
    assert "l'image « affiche.png » mesure 8\u202f000 × 6\u202f000 pixels" in str(caught.value)


def test_the_command_line_scans_a_photo_of_a_letter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    photo = tmp_path / "courrier.jpg"
    photo.write_bytes(phone_photo(page_image(letter_lines(), dpi=150)))
    assert main(["scan", str(photo)]) == 0
    report = capsys.readouterr().out
    assert "Niveau de sensibilité : données sensibles" in report
    assert f"│ numéro de sécurité sociale (NIR) │ {NIR} │" in report
    assert "Jean-Pierre MARTIN" in report
