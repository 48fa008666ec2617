"""Property-based fuzzing of every reader, through the worker the service uses: any bytes, and
valid files truncated, bit-flipped or with their archive entries shuffled, give a document or a
French refusal (DocumentError, TableError) — never a crash of the reader, a hang or a blow-up.

Each example is small, so reaching the time or memory limit, or a worker that stops, is a bug of
a reader, not a refusal: the properties check that too.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from email.message import EmailMessage

import docx
import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from odf.opendocument import OpenDocumentText
from odf.text import H, P

from egide.documents import (
    Document,
    DocumentError,
    DocumentProblem,
    LimitExceeded,
    ParseLimits,
    ParsePool,
    read_document_bytes,
)
from egide.documents.limits import Budget
from egide.documents.parse import parse_document
from egide.documents.sandbox import STOPPED_MESSAGE
from egide.tasks.tables import TableError, read_table_bytes
from tests.security.files.file_bombs import pdf_from_streams

FUZZ = settings(
    max_examples=40,
    deadline=None,  # the pool's own time limit bounds each example (and is checked below)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DOCUMENT_PROBLEMS = {
    DocumentProblem.CORRUPT,
    DocumentProblem.UNSUPPORTED,
    DocumentProblem.EMPTY,
    DocumentProblem.ENCRYPTED,
    DocumentProblem.SCANNED,
    DocumentProblem.TOO_LARGE,
}
NAMES = [
    "note.pdf",
    "note.docx",
    "note.odt",
    "note.eml",
    "note.html",
    "note.txt",
    "note.bin",
    "note",
]
TABLE_NAMES = ["t.csv", "t.xlsx", "t.xlsm", "t.ods", "t.xls"]


@pytest.fixture(scope="module")
def pool() -> Iterator[ParsePool]:
    fuzz_pool = ParsePool(ParseLimits(timeout_s=5.0, memory_mb=768), workers=2)
    yield fuzz_pool
    fuzz_pool.close()


# --- valid fictitious files, to mutate ------------------------------------------------------


def _saved(document: object) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)  # type: ignore[attr-defined]
    return buffer.getvalue()


def _docx() -> bytes:
    document = docx.Document()
    document.add_heading("Compte rendu", level=1)
    document.add_paragraph("La Préfecture a reçu Jeanne Martin le 3 mars.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(1, 1).text = "Service", "Accueil"
    return _saved(document)


def _odt() -> bytes:
    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Note de service"))
    document.text.addElement(P(text="L'Hôpital accueillera la réunion à 14 h."))
    return _saved(document)


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (("objet", "texte"), ("Relance", "Dossier incomplet"), ("Accusé", "Reçu")):
        sheet.append(row)
    return _saved(book)


def _eml() -> bytes:
    message = EmailMessage()
    message["Subject"] = "Réunion à la Préfecture"
    message["From"] = "Jérôme Lefèvre <jerome.lefevre@example.fr>"
    message["To"] = "accueil@example.fr"
    message.set_content("Bonjour,\n\nLa salle est réservée.\n", charset="utf-8")
    message.add_alternative("<p>Bonjour,</p><p>La salle est <b>réservée</b>.</p>", subtype="html")
    message.add_attachment(_docx(), maintype="application", subtype="octet-stream",
                           filename="annexe.docx")  # fmt: skip
    return message.as_bytes()


_PDF_TEXT = b"BT /F1 12 Tf 72 720 Td (Arrete prefectoral du 3 mars) Tj ET\n"
VALID = {
    "note.pdf": pdf_from_streams([10, 11], {10: _PDF_TEXT, 11: _PDF_TEXT}),
    "note.docx": _docx(),
    "note.odt": _odt(),
    "note.eml": _eml(),
    "note.html": "<!DOCTYPE html><h1>Avis</h1><p>La Préfecture &amp; l'Hôpital</p>".encode(),
    "note.txt": "Préfecture du Rhône\n\nArrêté n° 12 du 3 mars.\n".encode(),
}
VALID_TABLES = {"t.xlsx": _xlsx(), "t.csv": "objet;texte\nRelance;Dossier reçu\n".encode()}


# --- what every outcome must be --------------------------------------------------------------


def _check_document(document: Document) -> None:
    assert document.text and document.sections
    previous_end = 0
    for section in document.sections:
        assert previous_end <= section.text_start < section.text_end <= len(document.text)
        assert document.section_text(section).strip()
        previous_end = section.text_end


def _check_refusal(error: DocumentError | TableError) -> None:
    message = error.message if isinstance(error, DocumentError) else str(error)
    assert message and "Traceback" not in message and "Error" not in message
    assert STOPPED_MESSAGE not in message, message  # the reader crashed
    if isinstance(error, LimitExceeded):
        assert error.limit not in ("time", "memory"), message  # a small file must be cheap
    if isinstance(error, DocumentError):
        assert error.problem in DOCUMENT_PROBLEMS, error.problem


def _read(pool: ParsePool, data: bytes, name: str) -> None:
    try:
        document = read_document_bytes(data, name=name, pool=pool)
    except DocumentError as error:
        _check_refusal(error)
    else:
        _check_document(document)


def _read_table(pool: ParsePool, data: bytes, name: str) -> None:
    try:
        table = read_table_bytes(data, name=name, pool=pool)
    except TableError as error:
        _check_refusal(error)
    else:
        assert table.columns and table.rows
        assert all(set(row.values) == set(table.columns) for row in table.rows)


# --- mutations --------------------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "overwrite", "duplicate", "delete"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if kind == "truncate":
            del data[at:]
        elif kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "overwrite":
            patch = draw(st.binary(min_size=1, max_size=64))
            data[at : at + len(patch)] = patch
        elif kind == "duplicate":
            size = draw(st.integers(1, 256))
            data[at:at] = data[at : at + size]
        else:
            del data[at : at + draw(st.integers(1, 256))]
    return bytes(data)


def _entries(archive: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(archive)) as package:
        return [(info.filename, package.read(info)) for info in package.infolist()]


def _rezip(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, payload in entries:
            package.writestr(name, payload)
    return buffer.getvalue()


@st.composite
def shuffled_archive(draw: st.DrawFn, original: bytes) -> bytes:
    """The archive rebuilt with its parts' contents swapped, mutated, dropped or replaced."""
    entries = _entries(original)
    names = [name for name, _ in entries]
    payloads = [payload for _, payload in entries]
    kind = draw(st.sampled_from(["swap", "mutate", "drop", "replace"]))
    index = draw(st.integers(0, len(entries) - 1))
    if kind == "swap":
        other = draw(st.integers(0, len(entries) - 1))
        payloads[index], payloads[other] = payloads[other], payloads[index]
    elif kind == "mutate":
        payloads[index] = draw(mutated(payloads[index]))
    elif kind == "drop":
        del names[index], payloads[index]
    else:
        payloads[index] = draw(st.binary(max_size=512))
    return _rezip(list(zip(names, payloads, strict=True)))


# --- documents --------------------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=4096), name=st.sampled_from(NAMES))
def test_any_bytes_under_any_name(pool: ParsePool, data: bytes, name: str) -> None:
    _read(pool, data, name)


SIGNATURES = [
    b"%PDF-1.7\n", b"PK\x03\x04", b"<!DOCTYPE html><html><body>", b"\xef\xbb\xbf", b"\xff\xfe",
    b"\xfe\xff\x00", b"\xff\xfe\x00\x00", b"From: a@example.fr\nTo: b@example.fr\nSubject: x\n\n",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"{\\rtf1 ",
]  # fmt: skip


@FUZZ
@given(
    signature=st.sampled_from(SIGNATURES),
    rest=st.binary(max_size=4096),
    name=st.sampled_from(NAMES),
)
def test_bytes_behind_a_format_signature(
    pool: ParsePool, signature: bytes, rest: bytes, name: str
) -> None:
    _read(pool, signature + rest, name)


@settings(FUZZ, max_examples=80)
@given(st.sampled_from(sorted(VALID)).flatmap(lambda n: st.tuples(st.just(n), mutated(VALID[n]))))
def test_valid_files_truncated_or_bit_flipped(pool: ParsePool, case: tuple[str, bytes]) -> None:
    name, data = case
    _read(pool, data, name)


@settings(FUZZ, max_examples=60)
@given(
    st.sampled_from(["note.docx", "note.odt"]).flatmap(
        lambda n: st.tuples(st.just(n), shuffled_archive(VALID[n]))
    )
)
def test_office_files_with_their_parts_swapped(pool: ParsePool, case: tuple[str, bytes]) -> None:
    name, data = case
    _read(pool, data, name)


CODECS = [
    "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1",
    "mac-roman", "koi8-r", "shift_jis", "gb18030", "iso8859-15",
]  # fmt: skip


@FUZZ
@given(
    text=st.text(max_size=600),
    codec=st.sampled_from(CODECS),
    name=st.sampled_from(["note.txt", "note.md", "note.html", "note.eml", "note"]),
)
def test_text_in_odd_encodings(pool: ParsePool, text: str, codec: str, name: str) -> None:
    data = text.encode(codec, errors="replace")
    _read(pool, data, name)


CHARSETS = ["punycode", "idna", "utf-7", "unicode_escape", "rot13", "x-inconnu", "utf-16", "koi8-r"]
HEADERS = ["Subject", "From", "To", "Cc", "Date", "Content-Type", "Content-Transfer-Encoding"]


@FUZZ
@given(
    charset=st.sampled_from(CHARSETS),
    body=st.text(max_size=300),
)
def test_html_declaring_any_charset(pool: ParsePool, charset: str, body: str) -> None:
    page = f'<html><head><meta charset="{charset}"></head><body><p>{body}</p></body></html>'
    _read(pool, page.encode("utf-8", errors="replace"), "page.html")


@FUZZ
@given(
    headers=st.lists(
        st.tuples(
            st.sampled_from(HEADERS),
            st.text(max_size=80),
        ),
        min_size=2,
        max_size=8,
    ),
    body=st.binary(max_size=1024),
)
@example(headers=[("Subject", ""), ("From", "\x80@")], body=b"")  # raw 8-bit header bytes
def test_email_with_any_headers(
    pool: ParsePool, headers: list[tuple[str, str]], body: bytes
) -> None:
    head = "".join(f"{key}: {value}\n" for key, value in headers)
    data = head.encode("utf-8", errors="replace") + b"\n" + body
    _read(pool, data, "message.eml")
    # In the worker itself, before the answer is encoded: the text holds no lone surrogate
    # (they made the store's encryption and the web pages fail further on).
    try:
        document = parse_document(data, "message.eml", Budget())
    except DocumentError:
        return
    sections = document.sections
    for text in (
        document.text,
        *document.warnings,
        *(f"{s.heading}{s.attachment}" for s in sections),
    ):
        text.encode("utf-8")


# --- spreadsheets -----------------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=4096), name=st.sampled_from(TABLE_NAMES))
def test_any_bytes_as_a_spreadsheet(pool: ParsePool, data: bytes, name: str) -> None:
    _read_table(pool, data, name)


@settings(FUZZ, max_examples=60)
@given(case=st.one_of(mutated(VALID_TABLES["t.xlsx"]), shuffled_archive(VALID_TABLES["t.xlsx"])))
def test_xlsx_truncated_flipped_or_shuffled(pool: ParsePool, case: bytes) -> None:
    _read_table(pool, case, "t.xlsx")


# Two columns at least: the separator is recognised from the header line (a one-column file has
# none, and is read with ",").
_HEADER = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéè_", min_size=1, max_size=12),
    min_size=2,
    max_size=5,
    unique=True,
)
_CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@FUZZ
@given(
    header=_HEADER,
    rows=st.lists(st.lists(_CELL, min_size=5, max_size=5), min_size=1, max_size=8),
    delimiter=st.sampled_from([";", ",", "\t"]),
)
def test_csv_round_trip(
    pool: ParsePool, header: list[str], rows: list[list[str]], delimiter: str
) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    cells = [row[: len(header)] for row in rows]
    writer.writerows(cells)
    try:
        table = read_table_bytes(buffer.getvalue().encode("utf-8"), name="t.csv", pool=pool)
    except TableError as error:
        _check_refusal(error)
        assert all(not "".join(row).strip() for row in cells)  # only blank rows: no data
        return
    kept = [row for row in cells if "".join(row).strip()]
    assert table.columns == tuple(header)
    expected = [[cell.replace("\r\n", "\n").strip() for cell in row] for row in kept]
    assert [[row.values[c] for c in header] for row in table.rows] == expected


def test_mutations_reach_every_format() -> None:
    # The strategies above mutate these; each must be readable to begin with.
    pool = ParsePool(ParseLimits(), workers=1)
    try:
        for name, data in VALID.items():
            _check_document(read_document_bytes(data, name=name, pool=pool))
        assert read_table_bytes(VALID_TABLES["t.xlsx"], name="t.xlsx", pool=pool).rows
    finally:
        pool.close()
