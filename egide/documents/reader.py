"""Reading untrusted documents: the size is checked here, the parse runs in a worker process.

Every surface (portal, gateway, CLI, batches) reads files through these two functions, so every
file is parsed under the same limits (:mod:`egide.documents.limits`), in a process of its own
(:mod:`egide.documents.sandbox`).
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath

from egide.documents.limits import DEFAULT_LIMITS, human_size, too_large
from egide.documents.model import Document, DocumentError, DocumentProblem
from egide.documents.parse import sniff_format
from egide.documents.sandbox import ParsePool, default_pool

__all__ = [
    "DEFAULT_MAX_BYTES",
    "human_size",
    "read_document",
    "read_document_bytes",
    "sniff_format",
]

DEFAULT_MAX_BYTES = DEFAULT_LIMITS.max_bytes


def read_document_bytes(
    data: bytes, *, name: str, max_bytes: int | None = None, pool: ParsePool | None = None
) -> Document:
    """Read a document received as bytes (an upload); ``name`` is its file name, for messages.

    ``max_bytes`` lowers the size limit of the pool (``pool``, else the process-wide one).
    """
    pool = pool or default_pool()
    name = PurePath(name).name or "document"
    limit = min(max_bytes or pool.limits.max_bytes, pool.limits.max_bytes)
    if len(data) > limit:
        raise too_large(name, len(data), limit)
    return pool.read_document(data, name)


def read_document(
    path: Path, *, max_bytes: int | None = None, pool: ParsePool | None = None
) -> Document:
    """Read a PDF, DOCX, ODT, EML, HTML or TXT file; raise DocumentError with a French reason."""
    pool = pool or default_pool()
    limit = min(max_bytes or pool.limits.max_bytes, pool.limits.max_bytes)
    name = path.name
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise too_large(name, size, limit)
            # One byte past the limit, in case the file grew since fstat().
            data = handle.read(limit + 1)
            if len(data) > limit:
                raise too_large(name, len(data), limit)
    except FileNotFoundError:
        raise DocumentError(
            f"fichier introuvable : « {path} »", DocumentProblem.NOT_FOUND
        ) from None
    except IsADirectoryError:
        raise DocumentError(f"« {path} » est un dossier, pas un fichier") from None
    except PermissionError:
        raise DocumentError(f"impossible de lire « {path} » : accès refusé") from None
    except OSError as exc:
        raise DocumentError(f"impossible de lire « {path} » : {exc.strerror}") from None
    return pool.read_document(data, name)
