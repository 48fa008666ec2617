"""Decompression bombs, as an attacker would upload them: refused in seconds, in French, while
the service's own memory stays flat (the parse happens in a worker process under limits)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from egide.documents import (
    DocumentError,
    DocumentProblem,
    LimitExceeded,
    ParseLimits,
    ParsePool,
    read_document_bytes,
)
from egide.tasks.tables import TableError, read_table_bytes
from tests.security.files.conftest import MemoryProbe
from tests.security.files.file_bombs import (
    docx_part_bomb,
    eml_with_huge_part,
    html_deeply_nested,
    odt_part_bomb,
    pdf_text_bomb,
    xlsx_dimension_bomb,
    xlsx_shared_strings_bomb,
)

# What the service may grow by while a worker reads a bomb: a refusal is a short JSON answer.
SERVICE_GROWTH_MB = 100


def test_pdf_flate_bomb_is_refused_in_seconds_without_the_service_growing(
    service_memory: MemoryProbe,
) -> None:
    # 260 KB on the wire, 64 MB of text operators once inflated: PDFium would need gigabytes.
    bomb = pdf_text_bomb(64 * 1024 * 1024)
    assert len(bomb) < 300 * 1024
    service_memory.reset()  # building the bomb is the attacker's cost, not the service's
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as caught:
        read_document_bytes(bomb, name="convocation.pdf")  # the defaults of `egide serve`
    assert time.monotonic() - started < 10
    assert caught.value.problem is DocumentProblem.TOO_LARGE
    assert caught.value.limit == "memory"
    assert caught.value.message == (
        "le fichier « convocation.pdf » demande plus de 1 Go de mémoire pour être lu : il a été "
        "refusé par précaution (fichier piégé ou trop complexe) ; s'il est légitime, découpez-le "
        "ou enregistrez-le sous une forme plus simple"
    )
    assert service_memory.growth() < SERVICE_GROWTH_MB


def test_xlsx_shared_strings_bomb_is_refused_before_openpyxl_reads_it(
    service_memory: MemoryProbe,
) -> None:
    bomb = xlsx_shared_strings_bomb(300 * 1024 * 1024)  # under a megabyte on the wire
    service_memory.reset()
    started = time.monotonic()
    with pytest.raises(TableError) as caught:
        read_table_bytes(bomb, name="demandes.xlsx")
    assert time.monotonic() - started < 5
    assert "« demandes.xlsx »" in str(caught.value)
    assert "refusé par précaution" in str(caught.value)
    assert service_memory.growth() < SERVICE_GROWTH_MB


def test_xlsx_declaring_a_whole_sheet_of_empty_cells_is_refused() -> None:
    # A few hundred bytes whose last cell is XFD1048576: openpyxl pads every row in between.
    bomb = xlsx_dimension_bomb()
    assert len(bomb) < 4096
    started = time.monotonic()
    with pytest.raises(TableError) as caught:
        read_table_bytes(bomb, name="demandes.xlsx")
    assert time.monotonic() - started < 10
    assert str(caught.value).startswith(
        "le fichier « demandes.xlsx » compte plus de 2\u202f000\u202f000 cellules : il a été "
        "refusé par précaution"
    )


@pytest.mark.parametrize(
    ("name", "build"), [("note.docx", docx_part_bomb), ("note.odt", odt_part_bomb)]
)
def test_office_zip_bombs_are_refused_from_their_directory(
    name: str, build: Callable[[], bytes], service_memory: MemoryProbe
) -> None:
    bomb = build()
    service_memory.reset()
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as caught:
        read_document_bytes(bomb, name=name)
    assert time.monotonic() - started < 5
    assert caught.value.limit == "unpacked"
    assert f"le fichier « {name} » se décompresse en plus de 256 Mo" in caught.value.message
    assert service_memory.growth() < SERVICE_GROWTH_MB


def test_deeply_nested_html_is_stopped_at_the_time_limit(
    tight_pool: ParsePool, service_memory: MemoryProbe
) -> None:
    bomb = html_deeply_nested(1_000_000)  # 18 MB of <div><b>: half a minute of html.parser
    service_memory.reset()
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as caught:
        read_document_bytes(bomb, name="page.html", pool=tight_pool)
    elapsed = time.monotonic() - started
    assert tight_pool.limits.timeout_s <= elapsed < tight_pool.limits.timeout_s + 3
    assert caught.value.limit == "time"
    assert caught.value.message.startswith(
        "le fichier « page.html » demande plus de 3 secondes de lecture : il a été refusé"
    )
    assert service_memory.growth() < SERVICE_GROWTH_MB
    # The pool goes on: the stopped worker was replaced.
    assert read_document_bytes(b"Bonjour", name="a.txt", pool=tight_pool).text == "Bonjour"


def test_email_with_a_huge_base64_part_is_read_within_the_limits(
    service_memory: MemoryProbe,
) -> None:
    # A small message first: the modules and the reader pool a first e-mail loads are the
    # process's own start-up, not the cost of this message (run alone, they were counted).
    read_document_bytes(eml_with_huge_part(1024), name="petit.eml")
    message = eml_with_huge_part(30 * 1024 * 1024)  # 40 MB of base64
    service_memory.reset()
    started = time.monotonic()
    document = read_document_bytes(message, name="courriel.eml")
    assert time.monotonic() - started < 15
    # The text kept is capped (10 million characters), with a warning naming the cut.
    assert len(document.text) <= ParseLimits().max_chars
    assert any("seuls les 10\u202f000\u202f000 premiers caractères" in w for w in document.warnings)
    assert document.sections[-1].attachment == "annexe.txt"
    # The service holds the text it asked for (its answer, then the Document), not the parse
    # of a 40 MB message: a few copies of 10 MB.
    assert service_memory.growth() < SERVICE_GROWTH_MB


def test_a_refusal_is_a_document_error_the_portal_already_shows() -> None:
    # The portal and the API catch DocumentError and map TOO_LARGE to 413: nothing to change.
    assert issubclass(LimitExceeded, DocumentError)
