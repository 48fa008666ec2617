"""DOCX and ODT exports of drafts, always with the mention of the AI's part and of validation."""

from __future__ import annotations

from pathlib import Path

from egide.store.drafts import UNVALIDATED_MENTION

__all__ = ["DRAFT_MENTION", "EXPORT_FORMATS", "export_format", "render_export"]

EXPORT_FORMATS = ("docx", "odt")
DRAFT_MENTION = UNVALIDATED_MENTION  # what an export carries before validation


def export_format(path: Path | None, requested: str | None) -> str:
    """The format asked for, else the one the file name says; ValueError (French) otherwise."""
    if requested:
        wanted = requested.lower().lstrip(".")
        if wanted not in EXPORT_FORMATS:
            raise ValueError(f"format d'export inconnu « {requested} » (choix : docx, odt)")
        return wanted
    suffix = path.suffix.lower().lstrip(".") if path is not None else ""
    if suffix in EXPORT_FORMATS:
        return suffix
    raise ValueError("précisez le format d'export (docx ou odt), ou nommez le fichier .docx/.odt")


def render_export(fmt: str, *, title: str, text: str, mention: str) -> bytes:
    from egide.documents import render_docx, render_odt

    render = render_docx if fmt == "docx" else render_odt
    return render(title=title, body=text, mention=mention)
