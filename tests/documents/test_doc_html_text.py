from __future__ import annotations

import pytest
from doc_fixtures import html_bytes

from egide.documents import DocumentFormat, read_document_bytes
from egide.documents.htmltext import html_blocks, looks_like_html
from egide.documents.model import clean_text
from egide.documents.text import decode_text, split_paragraphs

ACCENTED_LINE = "La Préfecture a déclaré l'Hôpital ouvert – œuvre à 12 €."


def test_html_visible_text_by_block() -> None:
    document = read_document_bytes(html_bytes(), name="avis.html")
    assert document.format is DocumentFormat.HTML
    passages = [(document.section_text(s), s.paragraph, s.heading) for s in document.sections]
    assert passages == [
        ("Avis de la Préfecture", 1, "Avis de la Préfecture"),
        ("La Préfecture a déclaré l'ouverture du guichet.\nDeuxième ligne.", 2,
         "Avis de la Préfecture"),
        ("Hôpital", 3, "Hôpital"),
        ("Service | Référent", 4, "Hôpital"),
        ("Urgences | Jeanne Martin", 5, "Hôpital"),
        ("Premier point", 6, "Hôpital"),
        ("Second point", 7, "Hôpital"),
    ]  # fmt: skip
    for hidden in ("ne pas lire", "color", "texte caché", "JavaScript", "Titre de l'onglet"):
        assert hidden not in document.text


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>un</p><p>deux</p>", ["un", "deux"]),
        ("<div>a<div>b</div>c</div>", ["a", "b", "c"]),
        ("<p>L&apos;H&ocirc;pital&nbsp;&amp; co</p>", ["L'Hôpital & co"]),
        ("<p>Texte <span hidden>caché <b>gras</b></span>visible</p>", ["Texte visible"]),
        ("<p>a<style>p{}</style>b<script>if (a < b) {}</script>c</p>", ["abc"]),
        ("<pre>ligne 1\nligne 2</pre>", ["ligne 1\nligne 2"]),
        ("<p>un<br>deux<br/>trois</p>", ["un\ndeux\ntrois"]),
        ("<p>non fermé<p>suivant", ["non fermé", "suivant"]),
        ("<tr><td>a</td><td></td><td>c</td></tr>", ["a | | c"]),
    ],
)
def test_html_blocks(markup: str, expected: list[str]) -> None:
    assert [block.text for block in html_blocks(markup)] == expected


def test_html_meta_charset_is_honoured() -> None:
    markup = f'<html><head><meta charset="windows-1252"></head><body><p>{ACCENTED_LINE}</p>'
    document = read_document_bytes(markup.encode("cp1252"), name="ancien.htm")
    assert document.text == ACCENTED_LINE
    assert document.warnings == ()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"<!DOCTYPE html><html>", True),
        (b"\n  <html lang='fr'>", True),
        (b"<!-- export --><HTML>", True),
        (b"<p>un fragment</p>", False),
        (b"Le signe < html n'est pas une balise", False),
    ],
)
def test_html_sniffing(data: bytes, expected: bool) -> None:
    assert looks_like_html(data) is expected


@pytest.mark.parametrize(
    ("encoded", "warned"),
    [
        (ACCENTED_LINE.encode("utf-8"), False),
        (ACCENTED_LINE.encode("utf-8-sig"), False),
        (ACCENTED_LINE.encode("utf-16"), False),  # with a BOM
        (ACCENTED_LINE.encode("utf-16-le"), False),  # without: detected by its zero bytes
        (ACCENTED_LINE.encode("utf-16-be"), False),
        (ACCENTED_LINE.encode("utf-32"), False),
        (ACCENTED_LINE.encode("cp1252"), True),
    ],
)
def test_text_encodings(encoded: bytes, warned: bool) -> None:
    document = read_document_bytes(encoded, name="note.txt")
    assert document.format is DocumentFormat.TXT
    assert document.text == ACCENTED_LINE
    assert bool(document.warnings) is warned
    if warned:
        assert "Windows-1252" in document.warnings[0]


def test_bytes_undefined_in_cp1252_fall_back_to_latin1() -> None:
    text, warnings = decode_text(b"Pr\xe9fecture \x81", "a.txt")
    assert text == "Préfecture \x81"
    assert "Latin-1" in warnings[0]
    assert clean_text(text) == "Préfecture"  # the control character does not reach the guard


def test_text_paragraphs_and_positions() -> None:
    data = "Premier paragraphe\nsur deux lignes.\r\n\r\n  \nSecond paragraphe.\n\n\n\nTroisième.\n"
    document = read_document_bytes(data.encode(), name="note.txt")
    assert document.text == (
        "Premier paragraphe\nsur deux lignes.\n\nSecond paragraphe.\n\nTroisième."
    )
    assert [(s.paragraph, document.section_text(s)) for s in document.sections] == [
        (1, "Premier paragraphe\nsur deux lignes."),
        (2, "Second paragraphe."),
        (3, "Troisième."),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\n\nb", ["a", "b"]),
        ("a\n \t \nb", ["a", "b"]),
        ("a\nb", ["a\nb"]),
        ("\n\n\n", []),
    ],
)
def test_split_paragraphs(text: str, expected: list[str]) -> None:
    assert split_paragraphs(text) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\r\nb\rc", "a\nb\nc"),
        ("fin   \nsuite\t", "fin\nsuite"),
        ("a\x00b\x07c\ufeff", "abc"),
        ("a\n\n\n\n\nb", "a\n\nb"),
        ("tab\tgardé", "tab\tgardé"),
        ("espace insécable\u00a0: gardé", "espace insécable\u00a0: gardé"),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_long_runs_of_spaces_are_cleaned_quickly() -> None:
    assert clean_text("a" + " " * 200_000 + "b") == "a" + " " * 200_000 + "b"
    assert clean_text("a" + " " * 200_000 + "\nb") == "a\nb"
