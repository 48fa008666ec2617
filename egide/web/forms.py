"""Small helpers the portal's forms share: uploaded files, French sentences, redirects."""

from __future__ import annotations

from fastapi import UploadFile
from fastapi.responses import RedirectResponse

__all__ = ["redirect", "sentence", "uploaded"]


def redirect(path: str) -> RedirectResponse:
    """After a POST, the page to show next (303: the browser follows with a GET)."""
    return RedirectResponse(path, status_code=303)


def sentence(message: str) -> str:
    """An error of Égide's (lower-case clause) as a sentence: capital first, final stop."""
    text = " ".join(message.split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def uploaded(files: list[UploadFile] | UploadFile | None) -> list[tuple[str, bytes]]:
    """(file name, content) of each file actually chosen in a form's file field.

    The request's size is already capped by the portal's body limit; reading happens in the
    route's worker thread, from the spooled temporary file Starlette made.
    """
    if files is None:
        return []
    items = files if isinstance(files, list) else [files]
    chosen = []
    for item in items:
        if item.filename:
            item.file.seek(0)
            chosen.append((item.filename, item.file.read()))
    return chosen
