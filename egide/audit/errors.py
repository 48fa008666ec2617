"""The audit trail's one error, and the French words for what the system refused to do."""

from __future__ import annotations

import errno
from pathlib import Path

__all__ = ["AuditError", "os_error_fr"]


class AuditError(Exception):
    """The audit trail cannot record or be read; the message says why, in French.

    Callers must fail closed: an action whose audit event could not be written is not
    performed (DESIGN.md, "Security is not an option").
    """


_CAUSES = {
    errno.ENOSPC: "disque plein",
    errno.EDQUOT: "quota disque dépassé",
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENOENT: "dossier introuvable",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EISDIR: "le chemin désigne un dossier",
    errno.EIO: "erreur d'entrée-sortie du disque",
}


def os_error_fr(exc: OSError, action: str, path: Path) -> AuditError:
    """``impossible d'écrire le journal d'audit /x : disque plein ; l'action n'est pas effectuée``."""
    cause = _CAUSES.get(exc.errno or 0) or exc.strerror or type(exc).__name__
    return AuditError(
        f"impossible {action} {path} : {cause} ; l'action demandée n'est pas effectuée"
    )
