from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage

import pytest
from doc_fixtures import ACCENTED, docx_bytes, eml_bytes, text_pdf
from pdf_builder import build_pdf

from egide.documents import DocumentError, DocumentFormat, read_document_bytes
from egide.documents.mail import looks_like_email

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SUBJECT = "Réunion à la Préfecture : ordre du jour"


def test_headers_are_decoded_into_a_french_block() -> None:
    raw = eml_bytes()
    assert b"=?utf-8?" in raw  # the fixture really uses RFC 2047 encoded words
    assert b"=C3=A9" in raw  # and a quoted-printable body
    document = read_document_bytes(raw, name="message.eml")
    assert document.format is DocumentFormat.EML
    first = document.sections[0]
    assert document.section_text(first) == (
        f"Objet : {SUBJECT}\n"
        "De : Jérôme Lefèvre <jerome.lefevre@example.fr>\n"
        "À : Hélène Dupré <helene.dupre@example.fr>\n"
        "Date : 23/11/2026 14:05"
    )
    assert first.heading == SUBJECT


def test_quoted_printable_body_is_decoded_into_paragraphs() -> None:
    document = read_document_bytes(eml_bytes(), name="message.eml")
    texts = [document.section_text(s) for s in document.sections]
    assert texts[1:] == [
        "Bonjour Hélène,",
        "L'Hôpital a déclaré la salle disponible pour la réunion avec la Préfecture. "
        "Cette ligne est assez longue pour être coupée par le codage quoted-printable.",
        "Cordialement,\nJérôme",
    ]
    assert [s.paragraph for s in document.sections] == [1, 2, 3, 4]
    for word in ACCENTED:
        assert word in document.text


def test_supported_attachments_are_read_and_others_named() -> None:
    raw = eml_bytes(
        attachments=[
            ("compte-rendu.docx", docx_bytes(), DOCX_MIME),
            ("rapport.pdf", text_pdf(2), "application/pdf"),
            ("photo.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(64), "image/webp"),
            ("scan.pdf", build_pdf([None]), "application/pdf"),
        ]
    )
    document = read_document_bytes(raw, name="message.eml")
    assert (
        "Pièces jointes : « compte-rendu.docx », « rapport.pdf », « photo.webp », « scan.pdf »"
        in (document.text)
    )
    by_attachment: dict[str | None, list[int | None]] = {}
    for section in document.sections:
        by_attachment.setdefault(section.attachment, []).append(section.page)
    assert by_attachment["rapport.pdf"] == [None, 1, 2]  # the title line, then the pages
    assert "compte-rendu.docx" in by_attachment
    assert "photo.webp" not in by_attachment and "scan.pdf" not in by_attachment
    docx_part = [s for s in document.sections if s.attachment == "compte-rendu.docx"]
    assert document.section_text(docx_part[0]) == "Pièce jointe « compte-rendu.docx »"
    assert docx_part[1].paragraph == 1
    assert "Accueil des étrangers | Jeanne Martin" in document.text
    assert len(document.warnings) == 2
    assert document.warnings[0].startswith(
        "pièce jointe « photo.webp » non lue : format non pris en charge : .webp"
    )
    assert document.warnings[1].startswith("pièce jointe « scan.pdf » non lue : « scan.pdf » : ")


def test_attachments_of_an_attached_message_are_only_listed() -> None:
    inner = email.message_from_bytes(
        eml_bytes(attachments=[("cr.docx", docx_bytes(), DOCX_MIME)]), policy=policy.default
    )
    outer = email.message_from_bytes(eml_bytes(), policy=policy.default)
    assert isinstance(outer, EmailMessage)
    outer.add_attachment(inner, filename="transfert.eml")
    document = read_document_bytes(outer.as_bytes(), name="message.eml")
    assert any(s.attachment == "transfert.eml" for s in document.sections)
    assert "Accueil des étrangers" not in document.text
    assert "pièce jointe « transfert.eml » : pièces jointes non lues : « cr.docx »" in (
        document.warnings
    )


def test_html_only_body_is_converted() -> None:
    message = EmailMessage()
    message["Subject"] = "Avis"
    message["From"] = "agent@example.fr"
    message.set_content(
        "<html><body><p>L'Hôpital a <b>déclaré</b> la fermeture.</p>"
        "<script>alert(1)</script><p>Second paragraphe</p></body></html>",
        subtype="html",
    )
    document = read_document_bytes(message.as_bytes(), name="avis.eml")
    texts = [document.section_text(s) for s in document.sections]
    assert texts == ["Objet : Avis\nDe : agent@example.fr", "L'Hôpital a déclaré la fermeture.",
                     "Second paragraphe"]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"From: a@example.fr\nSubject: Bonjour\n\ncorps", True),
        (b"Received: from x\n\tby y\nDate: Mon, 23 Nov 2026 10:00:00 +0100\n\n", True),
        (b"Subject: une seule ligne d'en-tete\n\ncorps", False),
        ("Objet : compte rendu\nDe : la Préfecture\n\ntexte".encode(), False),
        (b"Bonjour,\nFrom: a@example.fr\nSubject: x\n", False),
        (b"From agent@example.fr Mon Nov 23 10:00:00 2026\nFrom: a@example.fr\nTo: b@x.fr\n", True),
    ],
)
def test_email_sniffing(data: bytes, expected: bool) -> None:
    assert looks_like_email(data) is expected


def test_message_without_extension_is_recognised() -> None:
    document = read_document_bytes(eml_bytes(), name="message")
    assert document.format is DocumentFormat.EML


def test_message_without_a_readable_body_is_flagged() -> None:
    raw = b"Subject: Chiffre\nFrom: a@example.fr\nContent-Type: application/pkcs7-mime\n\nMIAGCSqG"
    document = read_document_bytes(raw, name="chiffre.eml")
    assert document.text == "Objet : Chiffre\nDe : a@example.fr"
    assert document.warnings == ("le courriel « chiffre.eml » n'a pas de corps de texte lisible",)


def test_message_with_no_text_at_all_is_empty() -> None:
    with pytest.raises(DocumentError, match="ne contient aucun texte"):
        read_document_bytes(b"X-Vide: oui\nX-Autre: non\n\n", name="vide.eml")
