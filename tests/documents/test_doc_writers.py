from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import docx
import pytest
from odf.opendocument import load as load_odt

from egide.documents import (
    Block,
    BlockKind,
    DocumentFormat,
    ai_assistance_mention,
    parse_blocks,
    read_document,
    write_docx,
    write_odt,
)
from egide.documents.blocks import inline_runs

TITLE = "Note à l'attention de la Préfecture"
BODY = """# Contexte

L'Hôpital a **déclaré** un incident le 12 mars.
Une seconde ligne du même paragraphe.

## Mesures
- Fermeture du service
- Information des usagers
  concernés

Conclusion."""
MENTION = ai_assistance_mention("Jeanne Martin", date(2026, 11, 23))
EXPECTED = [
    (TITLE, TITLE),
    ("Contexte", "Contexte"),
    ("L'Hôpital a déclaré un incident le 12 mars.\nUne seconde ligne du même paragraphe.",
     "Contexte"),
    ("Mesures", "Mesures"),
    ("Fermeture du service", "Mesures"),
    ("Information des usagers concernés", "Mesures"),
    ("Conclusion.", "Mesures"),
    (MENTION, "Mesures"),
]  # fmt: skip

Writer = Callable[..., Path]
WRITERS = [
    ("note.docx", write_docx, DocumentFormat.DOCX),
    ("note.odt", write_odt, DocumentFormat.ODT),
]


def test_mention_wording() -> None:
    assert MENTION == (
        "Document préparé avec l'assistance d'une IA, relu et validé par Jeanne Martin "
        "le 23/11/2026."
    )


@pytest.mark.parametrize(("name", "writer", "fmt"), WRITERS)
def test_round_trip(tmp_path: Path, name: str, writer: Writer, fmt: DocumentFormat) -> None:
    path = writer(tmp_path / name, title=TITLE, body=BODY, mention=MENTION)
    assert path == tmp_path / name
    document = read_document(path)
    assert document.format is fmt
    assert document.warnings == ()
    assert [(document.section_text(s), s.heading) for s in document.sections] == EXPECTED
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left behind


@pytest.mark.parametrize(("name", "writer", "fmt"), WRITERS)
def test_list_of_blocks_is_accepted(
    tmp_path: Path, name: str, writer: Writer, fmt: DocumentFormat
) -> None:
    path = writer(tmp_path / name, title="Titre", body=["# Partie", "Texte\nsuite", "- point"])
    document = read_document(path)
    assert [document.section_text(s) for s in document.sections] == [
        "Titre", "Partie", "Texte\nsuite", "point",
    ]  # fmt: skip


def test_docx_structure_and_properties(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "note.docx", title=TITLE, body=BODY, mention=MENTION)
    document = docx.Document(str(path))
    styles = [p.style.name if p.style else None for p in document.paragraphs]
    assert styles == ["Title", "Heading 1", "Normal", "Heading 2", "List Bullet", "List Bullet",
                      "Normal", "Normal"]  # fmt: skip
    bold = [run.text for run in document.paragraphs[2].runs if run.bold]
    assert bold == ["déclaré"]
    mention = document.paragraphs[-1]
    assert mention.text == MENTION and all(run.italic for run in mention.runs)
    properties = document.core_properties
    assert properties.title == TITLE
    assert properties.author == "" and properties.last_modified_by == ""
    assert properties.comments == ""
    assert properties.language == "fr-FR"
    raw = zipfile.ZipFile(path).read("docProps/core.xml").decode()
    assert "python-docx" not in raw
    assert 'w:val="en-US"' not in zipfile.ZipFile(path).read("word/styles.xml").decode()


def test_docx_author_is_the_one_given(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "a.docx", title="T", body="x", author="Jeanne Martin")
    properties = docx.Document(str(path)).core_properties
    assert (properties.author, properties.last_modified_by) == ("Jeanne Martin", "Jeanne Martin")


def _odt_meta(path: Path) -> str:
    return zipfile.ZipFile(path).read("meta.xml").decode()


@pytest.mark.parametrize(("author", "present"), [(None, False), ("Jeanne Martin", True)])
def test_odt_properties(tmp_path: Path, author: str | None, present: bool) -> None:
    path = write_odt(tmp_path / "a.odt", title=TITLE, body=BODY, mention=MENTION, author=author)
    meta = _odt_meta(path)
    assert f"<dc:title>{TITLE}</dc:title>" in meta
    assert "<dc:language>fr-FR</dc:language>" in meta
    assert ("<dc:creator>Jeanne Martin</dc:creator>" in meta) is present
    assert ("initial-creator" in meta) is present


def test_odt_mention_is_italic_and_bullets_are_a_list(tmp_path: Path) -> None:
    path = write_odt(tmp_path / "a.odt", title=TITLE, body=BODY, mention=MENTION)
    content = zipfile.ZipFile(path).read("content.xml").decode()
    styles = zipfile.ZipFile(path).read("styles.xml").decode()
    assert content.count("<text:list-item>") == 2
    assert 'text:style-name="Mention"' in content
    assert 'style:name="Mention"' in styles and 'fo:font-style="italic"' in styles
    assert "<text:line-break/>" in content
    load_odt(io.BytesIO(path.read_bytes()))  # odfpy itself accepts what it wrote


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("# Titre", [Block(BlockKind.HEADING, "Titre", 1)]),
        ("### Trois\n#### Quatre", [Block(BlockKind.HEADING, "Trois", 3),
                                     Block(BlockKind.HEADING, "Quatre", 3)]),
        ("#Pas un titre", [Block(BlockKind.PARAGRAPH, "#Pas un titre")]),
        ("#", [Block(BlockKind.PARAGRAPH, "#")]),
        ("- un\n* deux\n• trois", [Block(BlockKind.BULLET, t) for t in ("un", "deux", "trois")]),
        ("-pas une puce", [Block(BlockKind.PARAGRAPH, "-pas une puce")]),
        ("a\nb\n\nc", [Block(BlockKind.PARAGRAPH, "a\nb"), Block(BlockKind.PARAGRAPH, "c")]),
        ("- puce\nparagraphe", [Block(BlockKind.BULLET, "puce"),
                                Block(BlockKind.PARAGRAPH, "paragraphe")]),
        ("- puce\n  suite", [Block(BlockKind.BULLET, "puce suite")]),
        ("", []),
    ],
)  # fmt: skip
def test_parse_blocks(body: str, expected: list[Block]) -> None:
    assert parse_blocks(body) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("simple", [("simple", False)]),
        ("a **b** c", [("a ", False), ("b", True), (" c", False)]),
        ("**tout**", [("tout", True)]),
        ("a ** b", [("a ** b", False)]),
        ("2 ** 3 ** 4", [("2 ", False), (" 3 ", True), (" 4", False)]),
    ],
)
def test_inline_runs(text: str, expected: list[tuple[str, bool]]) -> None:
    assert inline_runs(text) == expected
