from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import docx
import pytest
from doc_fixtures import ACCENTED, HOSPITAL, INTRO, docx_bytes, docx_with_bomb, odt_bytes
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from odf.opendocument import OpenDocumentText
from odf.style import Style
from odf.text import P

from egide.documents import DocumentError, DocumentFormat, DocumentProblem, read_document_bytes
from egide.documents.office import open_archive


def _passages(data: bytes, name: str) -> list[tuple[str, int | None, str | None]]:
    document = read_document_bytes(data, name=name)
    return [(document.section_text(s), s.paragraph, s.heading) for s in document.sections]


def test_docx_paragraphs_headings_and_tables() -> None:
    heading, sub = "Compte rendu de réunion", "Participants"
    assert _passages(docx_bytes(), "cr.docx") == [
        (heading, 1, heading),
        (INTRO, 2, heading),
        (sub, 3, sub),
        (HOSPITAL, 4, sub),
        ("Service | Référent", 5, sub),
        ("Accueil des étrangers | Jeanne Martin", 6, sub),
        ("Premier point à traiter", 7, sub),
    ]


def test_odt_paragraphs_headings_and_tables() -> None:
    heading, sub = "Note de service", "Participants"
    assert _passages(odt_bytes(), "note.odt") == [
        (heading, 1, heading),
        (INTRO + "  (deux espaces)", 2, heading),
        (sub, 3, sub),
        (HOSPITAL, 4, sub),
        ("Service | Référent", 5, sub),
        ("Accueil des étrangers | Jeanne Martin", 6, sub),
        ("Premier point à traiter", 7, sub),
    ]


@pytest.mark.parametrize(("name", "builder"), [("a.docx", docx_bytes), ("a.odt", odt_bytes)])
def test_accents_survive(name: str, builder: Callable[[], bytes]) -> None:
    document = read_document_bytes(builder(), name=name)
    for word in ACCENTED:
        assert word in document.text


def _docx_with_body_xml(fragment: str) -> bytes:
    document = docx.Document()
    document.add_paragraph("Début")
    document.element.body.insert(1, parse_xml(fragment))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        # Tracked changes: the inserted text is read, the deleted text is not.
        (
            f'<w:p {nsdecls("w")}><w:r><w:t xml:space="preserve">La Préfecture </w:t></w:r>'
            '<w:ins w:id="1" w:author="x"><w:r><w:t>a déclaré</w:t></w:r></w:ins>'
            '<w:del w:id="2" w:author="x"><w:r><w:delText>a refusé</w:delText></w:r></w:del>'
            "</w:p>",
            "La Préfecture a déclaré",
        ),
        # A block-level content control (cover pages, forms) is looked through.
        (
            f"<w:sdt {nsdecls('w')}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>Hôpital</w:t>"
            "</w:r></w:p></w:sdtContent></w:sdt>",
            "Hôpital",
        ),
        # Tabs and line breaks become characters.
        (
            f"<w:p {nsdecls('w')}><w:r><w:t>Nom</w:t><w:tab/><w:t>Martin</w:t><w:br/>"
            "<w:t>Ville</w:t></w:r></w:p>",
            "Nom\tMartin\nVille",
        ),
    ],
)
def test_docx_xml_constructs(fragment: str, expected: str) -> None:
    document = read_document_bytes(_docx_with_body_xml(fragment), name="a.docx")
    assert [document.section_text(s) for s in document.sections] == ["Début", expected]


def test_docx_zip_bomb_is_refused() -> None:
    with pytest.raises(DocumentError) as caught:
        read_document_bytes(docx_with_bomb(20 * 1024 * 1024), name="piege.docx")
    assert caught.value.problem is DocumentProblem.TOO_LARGE
    assert "refusé par précaution" in str(caught.value)


@pytest.mark.parametrize(("limit", "refused"), [(1024, True), (10 * 1024 * 1024, False)])
def test_archive_unpacked_size_is_capped(limit: int, refused: bool) -> None:
    if refused:
        with pytest.raises(DocumentError, match="se décompresse en plus de 1 Ko"):
            open_archive(docx_bytes(), "a.docx", max_unpacked_bytes=limit)
    else:
        assert "word/document.xml" in open_archive(docx_bytes(), "a.docx").namelist()


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, payload in entries.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "problem", "message"),
    [
        ("a.docx", docx_bytes()[:2000], DocumentProblem.CORRUPT, "endommagé"),
        ("a.odt", odt_bytes()[:800], DocumentProblem.CORRUPT, "endommagé"),
        (
            "a.docx",
            _zip({"word/document.xml": b"<pas du xml"}),
            DocumentProblem.CORRUPT,
            "le fichier « a.docx » est endommagé ou n'est pas un DOCX valide",
        ),
        (
            "a.odt",
            _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x"}),
            DocumentProblem.CORRUPT,
            "le fichier « a.odt » est endommagé ou n'est pas un ODT valide",
        ),
        (
            "tableau.ods",
            _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
            DocumentProblem.UNSUPPORTED,
            "format non pris en charge : .ods",
        ),
        (
            "tableau.xlsx",
            _zip({"xl/workbook.xml": b"<workbook/>"}),
            DocumentProblem.UNSUPPORTED,
            "format non pris en charge : .xlsx",
        ),
        (
            "archive.docx",
            _zip({"notes.txt": b"Bonjour"}),
            DocumentProblem.CORRUPT,
            "n'est pas un DOCX valide",
        ),
    ],
)
def test_broken_or_foreign_archives(
    name: str, data: bytes, problem: DocumentProblem, message: str
) -> None:
    with pytest.raises(DocumentError) as caught:
        read_document_bytes(data, name=name)
    assert caught.value.problem is problem
    assert message in str(caught.value)


def test_docx_without_text_is_empty() -> None:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with pytest.raises(DocumentError) as caught:
        read_document_bytes(buffer.getvalue(), name="vide.docx")
    assert caught.value.problem is DocumentProblem.EMPTY
    assert str(caught.value) == "le document « vide.docx » ne contient aucun texte"


def test_format_comes_from_the_content_not_the_extension() -> None:
    document = read_document_bytes(odt_bytes(), name="note.docx")
    assert document.format is DocumentFormat.ODT
    assert document.warnings == (
        "le fichier « note.docx » porte l'extension .docx mais c'est un fichier ODT : "
        "il a été lu comme tel",
    )


def test_docx_custom_style_based_on_a_heading_is_a_heading() -> None:
    document = docx.Document()
    custom = document.styles.add_style("Intertitre maison", WD_STYLE_TYPE.PARAGRAPH)
    custom.base_style = document.styles["Heading 2"]
    document.add_paragraph("Décision", style="Intertitre maison")
    document.add_paragraph("Le préfet a déclaré l'arrêté applicable.")
    buffer = io.BytesIO()
    document.save(buffer)
    assert [heading for _, _, heading in _passages(buffer.getvalue(), "a.docx")] == [
        "Décision",
        "Décision",
    ]


def test_odt_automatic_style_inherits_heading_role() -> None:
    document = OpenDocumentText()
    title = Style(name="Title", family="paragraph")
    document.styles.addElement(title)
    automatic = Style(name="P1", family="paragraph", parentstylename="Title")
    document.automaticstyles.addElement(automatic)
    plain = Style(name="P2", family="paragraph", parentstylename="Standard")
    document.automaticstyles.addElement(plain)
    document.text.addElement(P(stylename=automatic, text="Arrêté préfectoral"))
    document.text.addElement(P(stylename=plain, text="Article premier."))
    buffer = io.BytesIO()
    document.save(buffer)
    assert _passages(buffer.getvalue(), "a.odt") == [
        ("Arrêté préfectoral", 1, "Arrêté préfectoral"),
        ("Article premier.", 2, "Arrêté préfectoral"),
    ]


def test_malformed_odt_content_is_refused_without_printing_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = zipfile.ZipFile(io.BytesIO(odt_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            payload = source.read(info)
            if info.filename == "content.xml":
                payload = payload.replace(b"</text:h>", b"</text:h", 1)
            target.writestr(info, payload)
    with pytest.raises(DocumentError) as caught:
        read_document_bytes(buffer.getvalue(), name="note.odt")
    assert caught.value.problem is DocumentProblem.CORRUPT
    captured = capsys.readouterr()
    assert "Préfecture" not in captured.out + captured.err
