from __future__ import annotations

import os
from pathlib import Path

import pytest
from doc_fixtures import docx_bytes, text_pdf

from egide.documents import (
    DocumentError,
    DocumentFormat,
    DocumentProblem,
    Passage,
    iter_paragraphs,
    read_document,
    read_document_bytes,
)
from egide.documents.model import TextBuilder
from egide.documents.reader import human_size, sniff_format

ACCEPTED = "formats acceptés : PDF, DOCX, ODT, EML, HTML, TXT, JPEG, PNG, TIFF"


@pytest.mark.parametrize(
    ("name", "data", "problem", "message"),
    [
        ("tableau.xyz", b"\x00\x01\x02binaire", DocumentProblem.UNSUPPORTED,
         f"format non pris en charge : .xyz ; {ACCEPTED}"),
        ("notes.xyz", b"du texte sous une extension inconnue", DocumentProblem.UNSUPPORTED,
         f"format non pris en charge : .xyz ; {ACCEPTED}"),
        ("photo.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(16), DocumentProblem.UNSUPPORTED,
         f"format non pris en charge : .webp ; {ACCEPTED}"),
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", DocumentProblem.CORRUPT,
         "le fichier « photo.png » est endommagé ou n'est pas une image JPEG, PNG ou TIFF (une "
         "photo HEIC ou WebP s'enregistre en JPEG depuis le téléphone ou l'ordinateur)"),
        ("ancien.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), DocumentProblem.UNSUPPORTED,
         "format non pris en charge : .doc (enregistrez-le au format DOCX, ODT ou PDF) ; "
         + ACCEPTED),
        ("lettre.rtf", b"{\\rtf1\\ansi Bonjour}", DocumentProblem.UNSUPPORTED,
         "format non pris en charge : .rtf (enregistrez-le au format DOCX, ODT ou PDF) ; "
         + ACCEPTED),
        ("rapport.pdf", b"Ceci n'est pas un PDF", DocumentProblem.CORRUPT,
         "le fichier « rapport.pdf » est endommagé ou n'est pas un PDF valide"),
        ("note.docx", b"\x00" * 30, DocumentProblem.CORRUPT,
         "le fichier « note.docx » est endommagé ou n'est pas un DOCX valide"),
        ("vide.txt", b"", DocumentProblem.EMPTY, "le fichier « vide.txt » est vide"),
        ("blanc.txt", b" \n\t\n ", DocumentProblem.EMPTY,
         "le document « blanc.txt » ne contient aucun texte"),
    ],
)  # fmt: skip
def test_refusals_carry_a_french_reason(
    name: str, data: bytes, problem: DocumentProblem, message: str
) -> None:
    with pytest.raises(DocumentError) as caught:
        read_document_bytes(data, name=name)
    assert caught.value.problem is problem
    assert str(caught.value) == message == caught.value.message


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("a.pdf", text_pdf(1), DocumentFormat.PDF),
        ("a.bin", text_pdf(1), DocumentFormat.PDF),
        ("a", b"junk before header\n" + text_pdf(1), DocumentFormat.PDF),
        ("a.txt", docx_bytes(), DocumentFormat.DOCX),
        ("a.TXT", b"Bonjour", DocumentFormat.TXT),
        ("a.md", b"# Titre", DocumentFormat.TXT),
        ("a.html", b"Bonjour", DocumentFormat.HTML),
        ("a.eml", b"Bonjour", DocumentFormat.EML),
        ("a", b"<!doctype html><p>x</p>", DocumentFormat.HTML),
        ("a", b"Bonjour", DocumentFormat.TXT),
        ("a.txt", b"Un PDF commence par %PDF-1.7 puis ses objets.", DocumentFormat.TXT),
    ],
)
def test_sniffing(name: str, data: bytes, expected: DocumentFormat) -> None:
    assert sniff_format(data, name) is expected


def test_read_document_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "compte-rendu.pdf"
    path.write_bytes(text_pdf(2))
    document = read_document(path)
    assert document.source == "compte-rendu.pdf"
    assert [s.page for s in document.sections] == [1, 2]


@pytest.mark.parametrize(
    ("size", "limit", "shown"),
    [
        (2000, 1000, "(2 Ko) : la taille maximale acceptée est de 1000 octets"),
        (3 * 1024 * 1024 + 1, 2 * 1024 * 1024, "(3 Mo) : la taille maximale acceptée est de 2 Mo"),
    ],
)
def test_too_large_file_is_refused_before_reading(
    tmp_path: Path, size: int, limit: int, shown: str
) -> None:
    path = tmp_path / "gros.txt"
    with path.open("wb") as handle:
        handle.truncate(size)  # a sparse file: nothing is read when the limit is exceeded
    with pytest.raises(DocumentError) as caught:
        read_document(path, max_bytes=limit)
    assert caught.value.problem is DocumentProblem.TOO_LARGE
    assert str(caught.value) == f"le fichier « gros.txt » est trop volumineux {shown}"


def test_default_limit_is_fifty_megabytes() -> None:
    with pytest.raises(DocumentError, match="la taille maximale acceptée est de 50 Mo"):
        read_document_bytes(bytes(50 * 1024 * 1024 + 1), name="gros.pdf")


@pytest.mark.parametrize(
    ("size", "expected"),
    [(0, "0 octets"), (1023, "1023 octets"), (1536, "2 Ko"), (1024 * 1024, "1 Mo"),
     (int(1.5 * 1024 * 1024), "1,5 Mo"), (50 * 1024 * 1024, "50 Mo")],
)  # fmt: skip
def test_human_size(size: int, expected: str) -> None:
    assert human_size(size) == expected


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(DocumentError) as caught:
        read_document(tmp_path / "absent.pdf")
    assert caught.value.problem is DocumentProblem.NOT_FOUND
    assert str(caught.value).startswith("fichier introuvable : « ")
    with pytest.raises(DocumentError, match="est un dossier, pas un fichier"):
        read_document(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("x")
    path.chmod(0)
    with pytest.raises(DocumentError, match="accès refusé"):
        read_document(path)


def test_upload_name_loses_its_folders() -> None:
    document = read_document_bytes(b"Bonjour", name="C:/Users/agent/Bureau/note.txt")
    assert document.source == "note.txt"


def test_locate_and_iter_paragraphs() -> None:
    document = read_document_bytes(b"Premier.\n\nDeuxieme paragraphe.", name="a.txt")
    second = document.text.index("Deuxieme")
    assert document.locate(0) == document.sections[0]
    assert document.locate(second + 3) == document.sections[1]
    assert document.locate(second - 1) is None  # the blank line between paragraphs
    assert document.locate(len(document.text)) is None
    assert list(iter_paragraphs(document)) == [
        Passage("Premier.", None, 1),
        Passage("Deuxieme paragraphe.", None, 2),
    ]
    text, page, paragraph = next(iter_paragraphs(document))
    assert (text, page, paragraph) == ("Premier.", None, 1)


def test_text_beyond_the_limit_is_cut_with_a_warning() -> None:
    builder = TextBuilder("long.txt", max_chars=25)
    assert builder.add("premier paragraphe")
    assert builder.add("second paragraphe")  # cut at the limit: its beginning is kept
    assert builder.is_full
    assert not builder.add("troisième")
    document = builder.build(DocumentFormat.TXT)
    assert document.text == "premier paragraphe\n\nsecon"
    assert document.section_text(document.sections[-1]) == "secon"
    assert document.warnings == (
        "le document « long.txt » est très long : seuls les 25 premiers caractères ont été lus",
    )


def test_one_paragraph_longer_than_the_limit_gives_its_beginning() -> None:
    builder = TextBuilder("journal.txt", max_chars=10)
    assert builder.add("une seule ligne bien plus longue que la limite")
    document = builder.build(DocumentFormat.TXT)
    assert document.text == "une seule"
    assert document.warnings == (
        "le document « journal.txt » est très long : seuls les 10 premiers caractères ont été lus",
    )


def test_number_of_sections_is_capped() -> None:
    builder = TextBuilder("lignes.txt", max_sections=2)
    assert builder.add("a") and builder.add("b")
    assert not builder.add("c")
    document = builder.build(DocumentFormat.TXT)
    assert document.text == "a\n\nb"
    assert document.warnings == (
        "le document « lignes.txt » est très long : seuls les 2 premiers paragraphes ont été lus",
    )
