"""Each limit of ParseLimits, one at a time, and the [documents] settings that tune them."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from egide.cli import main
from egide.config import ConfigError, load_settings
from egide.documents import (
    DocumentError,
    LimitExceeded,
    ParseLimits,
    ParsePool,
    configure,
    read_document_bytes,
)
from egide.documents.pdf import MAX_PAGE_OBJECTS
from egide.documents.sandbox import default_pool
from egide.tasks.tables import TableError, read_table_bytes
from tests.security.files.file_bombs import eml_with_attachments, pdf_from_streams

_TEXT = b"BT /F1 12 Tf 72 720 Td (Page de texte du rapport annuel du service) Tj ET\n"


def _pdf(pages: int) -> bytes:
    return pdf_from_streams([10] * pages, {10: _TEXT})


@pytest.fixture
def small_pool() -> Iterator[ParsePool]:
    limits = ParseLimits(max_pages=3, max_cells=10, timeout_s=10)
    pool = ParsePool(limits, workers=1)
    yield pool
    pool.close()


def test_pdf_with_more_pages_than_allowed_is_refused(small_pool: ParsePool) -> None:
    assert len(read_document_bytes(_pdf(3), name="a.pdf", pool=small_pool).sections) == 3
    with pytest.raises(LimitExceeded) as caught:
        read_document_bytes(_pdf(4), name="rapport.pdf", pool=small_pool)
    assert caught.value.limit == "pages"
    assert caught.value.message.startswith(
        "le fichier « rapport.pdf » compte 4 pages, au-delà des 3 qu'Égide lit : il a été refusé"
    )


def test_spreadsheet_with_more_cells_than_allowed_is_refused(small_pool: ParsePool) -> None:
    table = b"objet;texte\n" + b"a;b\n" * 4  # ten cells
    assert len(read_table_bytes(table, name="t.csv", pool=small_pool).rows) == 4
    with pytest.raises(TableError, match="compte plus de 10 cellules"):
        read_table_bytes(table + b"c;d\n", name="t.csv", pool=small_pool)


def _docx_unpacking_to(size: int) -> bytes:
    document = docx.Document()
    document.add_paragraph("Annexe. " * (size // 8))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_attachments_share_the_unpacked_budget_of_their_message() -> None:
    # Each attachment alone fits in 2 MB unpacked; the two together do not: the second is left
    # out with a warning, the message and the first are read.
    annexe = _docx_unpacking_to(300 * 1024)  # 1.1 MB with python-docx's template
    message = eml_with_attachments([("a.docx", annexe), ("b.docx", annexe)])
    pool = ParsePool(ParseLimits(max_unpacked_bytes=2 * 1024 * 1024), workers=1)
    try:
        document = read_document_bytes(message, name="courriel.eml", pool=pool)
    finally:
        pool.close()
    assert {s.attachment for s in document.sections} == {None, "a.docx"}
    assert (
        "pièce jointe « b.docx » non lue : le fichier « b.docx » se décompresse en plus de 2 Mo"
        in " ".join(document.warnings)
    )


def test_page_with_too_many_drawing_objects_is_skipped_with_a_warning() -> None:
    drawing = b"0.1 w\n" + b"10 10 m 20 20 l S\n" * (MAX_PAGE_OBJECTS + 1)
    data = pdf_from_streams([10, 11], {10: _TEXT, 11: drawing})
    document = read_document_bytes(data, name="plan.pdf")
    assert [s.page for s in document.sections] == [1]
    assert document.warnings == (
        "la page 2 de « plan.pdf » n'a pas été lue : elle porte plus de 200\u202f000 objets "
        "graphiques (dessin trop complexe)",
    )


def test_html_declaring_a_quadratic_codec_is_decoded_as_utf8() -> None:
    # Punycode decodes in quadratic time: 160 KB of digits take 3 s, this megabyte minutes.
    # A declared charset is honoured only when it is a character set.
    page = b'<html><head><meta charset="punycode"></head><body><p>Arr\xc3\xaat\xc3\xa9 -'
    page += b"9" * 1024 * 1024 + b"</p></body>"
    started = time.monotonic()
    document = read_document_bytes(page, name="page.html")
    assert time.monotonic() - started < 5
    assert document.text.startswith("Arrêté -999")


@pytest.fixture
def restore_default_pool() -> Iterator[None]:
    yield
    configure()  # the defaults again, for the tests that follow in this process


def test_documents_settings_apply_to_the_command_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restore_default_pool: None,
) -> None:
    config = tmp_path / "egide.toml"
    config.write_text("[documents]\nmax_pages = 1\ntimeout_s = 5\nworkers = 1\n", encoding="utf-8")
    report = tmp_path / "rapport.pdf"
    report.write_bytes(_pdf(2))
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    assert main(["--config", str(config), "summarize", str(report)]) == 1
    assert (
        "egide : erreur : le fichier « rapport.pdf » compte 2 pages, au-delà des 1 qu'Égide lit"
        in capsys.readouterr().err
    )
    pool = default_pool()
    assert (pool.limits.max_pages, pool.limits.timeout_s, pool.workers) == (1, 5.0, 1)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[documents]\nmemory_mb = 64\n", "documents.memory_mb : valeur trop petite"),
        ("[documents]\ntimeout_s = 0\n", "documents.timeout_s : valeur trop petite"),
        ("[documents]\nmax_page = 10\n", "documents.max_page : clé inconnue (faute de frappe ?)"),
    ],
)
def test_documents_settings_are_checked_at_start(tmp_path: Path, toml: str, message: str) -> None:
    config = tmp_path / "egide.toml"
    config.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings(config, environ={"EGIDE_HOME": str(tmp_path)})


def test_refusals_are_document_errors_with_the_too_large_problem() -> None:
    with pytest.raises(DocumentError) as caught:
        read_document_bytes(b"x" * 2000, name="a.txt", max_bytes=1000)
    assert isinstance(caught.value, LimitExceeded) and caught.value.limit == "bytes"
