from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import docx
import docx.document
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from odf.opendocument import load as load_odt

from egide.documents import (
    Block,
    BlockKind,
    DocumentFormat,
    ai_assistance_mention,
    parse_blocks,
    read_document,
    read_document_bytes,
    render_docx,
    render_odt,
    write_docx,
    write_odt,
)
from egide.documents.blocks import inline_runs
from egide.documents.letter import LetterPart, split_letter
from egide.documents.writers import PROJECT_STAMP

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
    assert styles == ["Title", "Heading 1", "Texte courant", "Heading 2", "List Bullet",
                      "List Bullet", "Texte courant", "Mention"]  # fmt: skip
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


# --- letters: A4, the French administrative layout, no title, the mention ---------------------

LETTER = """[En-tête]
PRÉFECTURE DE LA GIRONDE
Bureau du séjour

Affaire suivie par : Bureau du séjour

[Lieu et date]
Bordeaux, le 12 février 2026

[Destinataire]
Madame Claire DUBOIS
12 rue des Lilas
33000 Bordeaux

[Références]
N/Réf. : dossier n° 2026-0042
Objet : accusé de réception de votre demande
P. J. : une notice

[Texte]
Madame,

J'accuse réception de votre demande, reçue le 3 février 2026.

Je vous prie d'agréer, Madame, l'expression de mes salutations distinguées.

[Signature]
Pour le préfet et par délégation,
Le chef du bureau du séjour

Paul LEFÈVRE

[Copie à]
Copie à : Monsieur le sous-préfet
"""
LETTER_TITLE = "Accusé de réception d'une demande"


def _docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def _cm(length: int | None) -> float:
    assert length is not None
    return round(length / 360000, 2)  # EMU per centimetre


def test_a_letter_is_an_a4_docx_laid_out_as_french_administrative_letters() -> None:
    data = render_docx(title=LETTER_TITLE, body=LETTER, mention=MENTION, heading=True)
    document = _docx(data)
    section = document.sections[0]
    assert (_cm(section.page_width), _cm(section.page_height)) == (21.0, 29.7)
    margins = [_cm(m) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                section.right_margin)]  # fmt: skip
    assert margins == [2.0, 2.0, 2.5, 2.0]
    paragraphs = document.paragraphs
    texts = [p.text for p in paragraphs]
    # The template's title is the draft's name, not a line of the letter; markers are not printed.
    assert LETTER_TITLE not in texts and not any(t.startswith("[") for t in texts)
    assert texts[0] == "PRÉFECTURE DE LA GIRONDE" and paragraphs[0].runs[0].bold
    by_text = {p.text: p for p in paragraphs}
    styles = {p.text: p.style for p in paragraphs if p.style is not None}
    assert styles["PRÉFECTURE DE LA GIRONDE"].name == "Courrier - En-tete"
    date_line = styles["Bordeaux, le 12 février 2026"]
    assert date_line.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    for line in ("Madame Claire DUBOIS", "Paul LEFÈVRE"):  # the right-hand half of the page
        assert _cm(styles[line].paragraph_format.left_indent) == 8.5
    objet = by_text["Objet : accusé de réception de votre demande"]
    assert [(r.text, bool(r.bold)) for r in objet.runs][:1] == [("Objet :", True)]
    body = styles["J'accuse réception de votre demande, reçue le 3 février 2026."]
    assert body.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    # The formule de politesse goes with the signature onto the next page, never apart.
    assert by_text["Je vous prie d'agréer, Madame, l'expression de mes salutations distinguées."
                   ].paragraph_format.keep_with_next  # fmt: skip
    assert texts[-2] == "Copie à : Monsieur le sous-préfet"
    assert texts[-1] == MENTION and all(run.italic for run in paragraphs[-1].runs)
    assert document.styles["Normal"].font.name == "Arial"
    assert docx_section_header_texts(document) == []  # validated: no « PROJET »


def docx_section_header_texts(document: docx.document.Document) -> list[str]:
    section = document.sections[0]
    texts = [p.text for p in section.first_page_header.paragraphs + section.header.paragraphs]
    return [text for text in texts if text]


def test_an_unvalidated_export_says_projet_on_every_page() -> None:
    data = render_docx(title=LETTER_TITLE, body=LETTER, mention="non validé", stamp=PROJECT_STAMP)
    document = _docx(data)
    assert docx_section_header_texts(document) == [PROJECT_STAMP, PROJECT_STAMP]
    footer = document.sections[0].footer._element.xml
    assert "NUMPAGES" in footer and " PAGE " in footer  # "2/3" from the second page on
    assert document.sections[0].different_first_page_header_footer


def _odt_xml(data: bytes) -> tuple[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.read("content.xml").decode(), package.read("styles.xml").decode()


def test_a_letter_is_an_a4_odt_with_the_same_layout() -> None:
    data = render_odt(title=LETTER_TITLE, body=LETTER, mention=MENTION, stamp=PROJECT_STAMP)
    load_odt(io.BytesIO(data))
    content, styles = _odt_xml(data)
    assert 'fo:page-width="21cm"' in styles and 'fo:page-height="29.7cm"' in styles
    assert 'fo:margin-left="2.5cm"' in styles and 'fo:margin-right="2cm"' in styles
    assert styles.count(PROJECT_STAMP) == 2  # the first page's header and the others'
    assert "<text:page-number" in styles and "<text:page-count" in styles
    assert 'style:font-name="Arial"' in styles
    assert 'style:name="Courrier_20_-_20_Destinataire"' in styles
    assert 'fo:margin-left="8.5cm"' in styles and 'fo:text-align="justify"' in styles
    assert LETTER_TITLE not in content and "[En-tête]" not in content
    document = read_document_bytes(data, name="lettre.odt")
    texts = [document.section_text(s) for s in document.sections]
    assert texts[0] == "PRÉFECTURE DE LA GIRONDE" and texts[-1] == MENTION
    assert "Paul LEFÈVRE" in texts


@pytest.mark.parametrize("render", [render_docx, render_odt])
def test_a_plain_document_keeps_its_title_unless_told_otherwise(
    render: Callable[..., bytes],
) -> None:
    name = "a.docx" if render is render_docx else "a.odt"
    titled = read_document_bytes(render(title="Résumé", body="Texte."), name=name)
    untitled = read_document_bytes(render(title="Résumé", body="Texte.", heading=False), name=name)
    assert [titled.section_text(s) for s in titled.sections] == ["Résumé", "Texte."]
    assert [untitled.section_text(s) for s in untitled.sections] == ["Texte."]


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Sans marque.", []),
        ("[en-tete]\nA\n[Texte]\nB", [(LetterPart.HEADER, "A"), (LetterPart.BODY, "B")]),
        ("Avant\n[Timbre]\nA", [(LetterPart.BODY, "Avant"), (LetterPart.HEADER, "A")]),
        ("[Objet]\nObjet : x\n[Corps]\nB\n[Copies]\nC",
         [(LetterPart.REFERENCES, "Objet : x"), (LetterPart.BODY, "B"), (LetterPart.COPIES, "C")]),
        ("[PERSONNE_1]\n[Citation]\nB", []),  # a placeholder or any other bracket is text
        ("[Texte]\n\n[Signature]\nS", [(LetterPart.SIGNATURE, "S")]),  # an empty part is dropped
    ],
)  # fmt: skip
def test_the_parts_of_a_letter_are_read_from_their_markers(
    text: str, parts: list[tuple[LetterPart, str]]
) -> None:
    assert [(part.kind, part.text) for part in split_letter(text)] == parts
