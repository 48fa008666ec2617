"""Fictitious documents built in memory with the real libraries, for the document tests."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage

import docx
import pypdf
from odf import teletype
from odf.opendocument import OpenDocumentText
from odf.style import Style, TextProperties
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, List, ListItem, P
from pdf_builder import build_pdf

__all__ = [
    "ACCENTED", "docx_bytes", "docx_with_bomb", "eml_bytes", "encrypted_pdf", "html_bytes",
    "odt_bytes", "text_pdf",
]  # fmt: skip

ACCENTED = ("Préfecture", "Hôpital", "déclaré")

INTRO = "La Préfecture du Rhône a déclaré l'arrêté conforme."
HOSPITAL = "L'Hôpital Édouard-Herriot accueillera la réunion « sécurité » à 14 h."
TABLE = [("Service", "Référent"), ("Accueil des étrangers", "Jeanne Martin")]


def text_pdf(page_count: int = 3) -> bytes:
    pages = [
        f"Page {number} : la Préfecture a déclaré l'ouverture du guichet.\n"
        f"L'Hôpital communique le bilan numéro {number}."
        for number in range(1, page_count + 1)
    ]
    return build_pdf(pages, title="Compte rendu")


def encrypted_pdf(*, user_password: str, owner_password: str = "proprietaire") -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(text_pdf(2))))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("Compte rendu de réunion", level=1)
    document.add_paragraph(INTRO)
    document.add_paragraph("")  # empty paragraphs are not numbered
    document.add_heading("Participants", level=2)
    document.add_paragraph(HOSPITAL)
    table = document.add_table(rows=len(TABLE), cols=2)
    for row, values in zip(table.rows, TABLE, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("Premier point à traiter", style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_with_bomb(size: int) -> bytes:
    """A valid DOCX plus a part of ``size`` zero bytes, compressed a thousandfold."""
    buffer = io.BytesIO(docx_bytes())
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/media/zeros.bin", "w") as part:
            chunk = bytes(1024 * 1024)
            for _ in range(size // len(chunk)):
                part.write(chunk)
    return buffer.getvalue()


def odt_bytes() -> bytes:
    document = OpenDocumentText()
    heading_style = Style(name="Heading_20_1", displayname="Heading 1", family="paragraph")
    heading_style.addElement(TextProperties(fontweight="bold"))
    document.styles.addElement(heading_style)
    document.text.addElement(H(outlinelevel=1, stylename=heading_style, text="Note de service"))
    paragraph = P()
    teletype.addTextToElement(paragraph, INTRO + "  (deux espaces)")
    document.text.addElement(paragraph)
    document.text.addElement(H(outlinelevel=2, text="Participants"))
    document.text.addElement(P(text=HOSPITAL))
    table = Table(name="Referents")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for values in TABLE:
        row = TableRow()
        for value in values:
            cell = TableCell()
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.text.addElement(table)
    bullets = List()
    item = ListItem()
    item.addElement(P(text="Premier point à traiter"))
    bullets.addElement(item)
    document.text.addElement(bullets)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def eml_bytes(*, attachments: list[tuple[str, bytes, str]] | None = None) -> bytes:
    """A message with accented headers (RFC 2047), a quoted-printable body and attachments."""
    message = EmailMessage()
    message["Subject"] = "Réunion à la Préfecture : ordre du jour"
    message["From"] = "Jérôme Lefèvre <jerome.lefevre@example.fr>"
    message["To"] = "Hélène Dupré <helene.dupre@example.fr>"
    message["Date"] = "Mon, 23 Nov 2026 14:05:00 +0100"
    body = (
        "Bonjour Hélène,\n\n"
        "L'Hôpital a déclaré la salle disponible pour la réunion avec la Préfecture. "
        "Cette ligne est assez longue pour être coupée par le codage quoted-printable.\n\n"
        "Cordialement,\nJérôme\n"
    )
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    for filename, payload, mime in attachments or []:
        maintype, subtype = mime.split("/")
        message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def html_bytes() -> bytes:
    return """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Titre de l'onglet</title>
<style>p { color: red; }</style>
<script>var secret = "ne pas lire";</script></head>
<body>
<h1>Avis de la Pr&eacute;fecture</h1>
<p>La Préfecture a <b>déclaré</b>
   l'ouverture&nbsp;du guichet.<br>Deuxième ligne.</p>
<div style="display: none">texte caché</div>
<h2>Hôpital</h2>
<table><tr><th>Service</th><th>Référent</th></tr><tr><td>Urgences</td><td>Jeanne Martin</td></tr></table>
<ul><li>Premier point</li><li>Second point</li></ul>
<noscript>activez JavaScript</noscript>
</body></html>
""".encode()
