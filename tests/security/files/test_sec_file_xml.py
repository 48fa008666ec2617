"""XML inside office files: external entities are never loaded (XXE), internal ones never expand
(billion laughs); archives with too many parts are refused; a file's name is only ever data."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from egide.documents import DocumentError, LimitExceeded, read_document_bytes
from egide.tasks.tables import TableError, read_table_bytes
from tests.security.files.file_bombs import xlsx

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MARKER = "MARQUEUR-FICTIF-DU-FICHIER-LOCAL"
LAUGHS = '<!ENTITY a "hahahahahahahahahahahahahahahahahahahaha">' + "".join(
    f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
)  # &i; is 10^8 copies of &a;: 4 GB of text from a few hundred bytes
LAST = "&i;"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in entries.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


def _docx(doctype: str, text: str) -> bytes:
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE w:document [{doctype}]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>Début {text} fin</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    return _zip({"word/document.xml": document.encode()})


def _odt(doctype: str, text: str) -> bytes:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE office:document-content [{doctype}]>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
        f"<text:p>Début {text} fin</text:p></office:text></office:body></office:document-content>"
    )
    return _zip(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": content.encode()}
    )


def _xlsx(doctype: str, text: str) -> bytes:
    header = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    row = b'<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>2</v></c></row>'
    strings = f"<si><t>objet</t></si><si><t>texte</t></si><si><t>Début {text} fin</t></si>"
    data = xlsx(header + row, strings.encode())
    # The DOCTYPE goes at the top of sharedStrings.xml.
    entries = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            entries[name] = archive.read(name)
    shared = entries["xl/sharedStrings.xml"].decode()
    declaration, rest = shared.split("?>", 1)
    entries["xl/sharedStrings.xml"] = f"{declaration}?><!DOCTYPE sst [{doctype}]>{rest}".encode()
    return _zip(entries)


@pytest.fixture
def local_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(MARKER, encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "build"), [("note.docx", _docx), ("note.odt", _odt)])
def test_external_entities_are_not_loaded_from_documents(
    name: str, build: object, local_file: Path
) -> None:
    doctype = f'<!ENTITY xxe SYSTEM "file://{local_file}">'
    try:
        document = read_document_bytes(build(doctype, "&xxe;"), name=name)  # type: ignore[operator]
    except DocumentError as refusal:
        assert MARKER not in refusal.message
        return
    assert MARKER not in document.text
    assert "Début" in document.text


def test_external_entities_are_not_loaded_from_spreadsheets(local_file: Path) -> None:
    doctype = f'<!ENTITY xxe SYSTEM "file://{local_file}">'
    try:
        table = read_table_bytes(_xlsx(doctype, "&xxe;"), name="t.xlsx")
    except TableError as refusal:
        assert MARKER not in str(refusal)
        return
    assert all(MARKER not in value for row in table.rows for value in row.values.values())


@pytest.mark.parametrize(("name", "build"), [("note.docx", _docx), ("note.odt", _odt)])
def test_entities_do_not_expand_in_documents(name: str, build: object) -> None:
    started = time.monotonic()
    try:
        document = read_document_bytes(build(LAUGHS, LAST), name=name)  # type: ignore[operator]
    except DocumentError:
        pass  # refused: fine
    else:
        assert "hahaha" not in document.text
    assert time.monotonic() - started < 5


def test_entities_do_not_expand_in_spreadsheets() -> None:
    started = time.monotonic()
    try:
        table = read_table_bytes(_xlsx(LAUGHS, LAST), name="t.xlsx")
    except TableError:
        pass
    else:
        assert all("hahaha" not in v for row in table.rows for v in row.values.values())
    assert time.monotonic() - started < 5


def test_archive_with_too_many_parts_is_refused_before_it_is_read() -> None:
    entries = {"word/document.xml": f'<w:document xmlns:w="{W_NS}"/>'.encode()}
    entries.update({f"word/media/{n}.bin": b"" for n in range(10_001)})
    with pytest.raises(LimitExceeded) as caught:
        read_document_bytes(_zip(entries), name="note.docx")
    assert caught.value.message == (
        "le fichier « note.docx » contient plus de 10000 éléments : il a été refusé par précaution "
        "(archive piégée ?)"
    )


@pytest.mark.parametrize(
    "name",
    [
        "--memory-mb 1.txt",
        "$(touch pwned).txt",
        "a;rm -rf ~.txt",
        "../../etc/passwd.txt",
        "\u202enote.txt",
    ],
)
def test_a_file_name_is_only_data(name: str, tmp_path: Path) -> None:
    # The name travels in the worker's JSON request, never on a command line or as a path.
    document = read_document_bytes(b"Bonjour", name=name)
    assert document.text == "Bonjour"
    assert "/" not in document.source
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()
