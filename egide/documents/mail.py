"""E-mail (.eml): a short header block, the body, then the attachments.

Attachments in a supported format are read too (an agent who asks for a summary of a message
usually means its attached note as well), each introduced by a line naming it; their sections
carry ``attachment``. An attachment that cannot be read, or whose format is not supported, is
named in a warning, never fatal. Attachments of attached messages are only listed.
"""

from __future__ import annotations

import email
import re
from collections.abc import Callable
from email import policy
from email.message import EmailMessage, Message
from email.utils import parsedate_to_datetime

from egide.documents.htmltext import html_blocks
from egide.documents.limits import Budget
from egide.documents.model import Document, DocumentError, DocumentFormat, TextBuilder
from egide.documents.text import split_paragraphs

__all__ = ["AttachmentReader", "looks_like_email", "read_eml"]

AttachmentReader = Callable[[bytes, str], Document]
"""Reads one attachment (bytes, file name); raises DocumentError when it cannot."""

_HEADER_LINE = re.compile(rb"([A-Za-z][A-Za-z0-9-]{0,60}):[ \t]?[^\r\n]{0,2000}\r?\n")
_MAIL_HEADERS = frozenset(
    {b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"received",
     b"return-path", b"delivered-to", b"cc", b"reply-to", b"content-type"}
)  # fmt: skip
_SHOWN_HEADERS = (("Subject", "Objet"), ("From", "De"), ("To", "À"), ("Cc", "Cc"), ("Date", "Date"))


def looks_like_email(data: bytes) -> bool:
    """At least two well-known RFC 5322 headers in the first lines, before any blank line."""
    known = 0
    # An mbox export starts with a "From sender date" line before the headers.
    position = data.find(b"\n") + 1 if data.startswith(b"From ") else 0
    for _ in range(40):
        line = _HEADER_LINE.match(data, position, position + 2100)
        if line is None:
            # Folded header lines start with blanks; anything else ends the header block.
            if data[position : position + 1] in (b" ", b"\t"):
                end = data.find(b"\n", position, position + 2100)
                if end < 0:
                    break
                position = end + 1
                continue
            break
        known += line.group(1).lower() in _MAIL_HEADERS
        position = line.end()
    return known >= 2


def _unescaped(value: str) -> str:
    """Header bytes sent without RFC 2047 encoding come back as lone surrogates: decode them as
    UTF-8 (what mail clients send), else Windows-1252."""
    raw = value.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _header(message: Message, name: str) -> str:
    try:
        value: object = message.get(name)
    except (ValueError, IndexError, TypeError, AttributeError):
        # A malformed header must not hide the rest of the message: show it undecoded.
        raw = (v for k, v in message.raw_items() if k.lower() == name.lower())
        value = next(raw, None)
    return " ".join(_unescaped(str(value)).split()) if value else ""


def _french_date(value: str) -> str:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return value
    return moment.strftime("%d/%m/%Y %H:%M")


def _body_paragraphs(message: EmailMessage) -> list[str]:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return []
    try:
        content = body.get_content()
    except (LookupError, ValueError, AssertionError):
        # Unknown charset or broken transfer encoding: the bytes, decoded as leniently as we can.
        payload = body.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return []
    if body.get_content_subtype() == "html":
        return [block.text for block in html_blocks(content)]
    return split_paragraphs(content)


def _attachment_name(part: Message) -> str:
    if part.get_filename():
        return str(part.get_filename())
    return "message joint.eml" if part.get_content_type() == "message/rfc822" else "sans nom"


def _attachment_payload(part: Message) -> bytes | None:
    if part.get_content_type() == "message/rfc822":
        # A forwarded message is kept parsed by the email package: serialise it back.
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            try:
                return inner[0].as_bytes()
            except (ValueError, LookupError, TypeError, UnicodeError):
                return None
        return None
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else None


def read_eml(
    data: bytes, name: str, budget: Budget, *, read_attachment: AttachmentReader | None
) -> Document:
    message = email.message_from_bytes(data, policy=policy.default)
    if not isinstance(message, EmailMessage):  # pragma: no cover - policy.default guarantees it
        raise DocumentError(f"le fichier « {name} » n'est pas un courriel valide")
    builder = TextBuilder(name, max_chars=budget.limits.max_chars)
    header_lines = []
    for field, label in _SHOWN_HEADERS:
        value = _header(message, field)
        if value:
            shown = _french_date(value) if field == "Date" else value
            header_lines.append(f"{label} : {shown}")
    subject = _header(message, "Subject") or None
    builder.add("\n".join(header_lines), heading=subject)
    body = _body_paragraphs(message)
    if not body:
        builder.warnings.append(f"le courriel « {name} » n'a pas de corps de texte lisible")
    for paragraph in body:
        builder.add(paragraph, heading=subject)

    attachments = [(_attachment_name(part), part) for part in message.iter_attachments()]
    if attachments:
        names = ", ".join(f"« {filename} »" for filename, _ in attachments)
        builder.add(f"Pièces jointes : {names}", heading=subject)
    unread: list[str] = []
    for filename, part in attachments:
        payload = _attachment_payload(part)
        if read_attachment is None or not payload:
            unread.append(filename)
            continue
        try:
            attached = read_attachment(payload, filename)
        except DocumentError as error:
            builder.warnings.append(f"pièce jointe « {filename} » non lue : {error.message}")
            continue
        title = f"Pièce jointe « {filename} »"
        builder.add(title, heading=title, numbered=False, attachment=filename)
        builder.extend(attached, attachment=filename)
        builder.warnings.extend(f"pièce jointe « {filename} » : {w}" for w in attached.warnings)
    if unread:
        listed = ", ".join(f"« {filename} »" for filename in unread)
        builder.warnings.append(f"pièces jointes non lues : {listed}")
    return builder.build(DocumentFormat.EML)
