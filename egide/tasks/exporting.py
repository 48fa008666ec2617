"""DOCX and ODT exports of drafts, always with the mention of the AI's part and of validation.

A draft written from a template is exported as the letter or note it is, without the template's
title above it; a summary or an answer keeps its title as a heading. Until the agent validates
it, every page says « PROJET » and the mention says it is not validated.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from egide.documents.writers import PROJECT_STAMP
from egide.store.drafts import UNVALIDATED_LOCAL_MENTION, UNVALIDATED_MENTION, validation_mention

if TYPE_CHECKING:
    from egide.config import ModelSettings
    from egide.store.drafts import DraftRecord

__all__ = [
    "DRAFT_MENTION",
    "EXPORT_FORMATS",
    "PROJECT_STAMP",
    "draft_mention",
    "export_draft",
    "export_format",
    "render_export",
    "titled",
]

EXPORT_FORMATS = ("docx", "odt")
DRAFT_MENTION = UNVALIDATED_MENTION  # what an export carries before validation


def draft_mention(model: ModelSettings | None) -> str:
    """The mention of an export before validation, for an answer of ``model``."""
    from egide.models import backend_kind

    if model is not None and not backend_kind(model.backend).generative:
        return UNVALIDATED_LOCAL_MENTION
    return DRAFT_MENTION


# Tasks whose result is a document of its own (a letter, a note): no title printed above it.
_UNTITLED_TASKS = frozenset({"draft"})


def titled(task: str) -> bool:
    """Whether an export of ``task``'s result prints its title above the text."""
    return task not in _UNTITLED_TASKS


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


def render_export(
    fmt: str,
    *,
    title: str,
    text: str,
    mention: str,
    heading: bool = True,
    stamp: str | None = None,
) -> bytes:
    from egide.documents import render_docx, render_odt

    render = render_docx if fmt == "docx" else render_odt
    return render(title=title, body=text, mention=mention, heading=heading, stamp=stamp)


def export_draft(fmt: str, draft: DraftRecord, *, generative: bool = True) -> bytes:
    """A stored draft as its owner downloads it: its current text, its mention (``generative``:
    whether its model writes text of its own), « PROJET » on every page until it is validated."""
    return render_export(
        fmt,
        title=draft.title,
        text=draft.content,
        mention=validation_mention(draft, generative=generative),
        heading=titled(draft.task),
        stamp=None if draft.is_validated else PROJECT_STAMP,
    )
