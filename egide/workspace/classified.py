"""Classified documents (Secret, Très Secret) are refused when they are deposited: never stored.

The charter refuses every model for classified information, whatever the request: such a
document has nothing to wait for. Left to the preview, it would be kept (sealed) among the
agent's documents, then refused at the preview and again at sending. It is refused here, once,
before anything is saved — on the normalised text (the text the guard judges), with the guard's
own markings and the charter's one decision function, so that the door and the pipeline cannot
disagree. The refusal is recorded in the audit trail like any refusal of the charter (no name,
no content).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence

from egide.audit import AuditError, AuditLog
from egide.config import ModelSettings
from egide.documents import Document, DocumentError
from egide.guard.findings import Reason
from egide.guard.normalize import normalize
from egide.guard.sensitive import MARKINGS, marking_cues
from egide.policy.decide import Assessment, DecisionCode, decide
from egide.policy.levels import Level

__all__ = ["ClassifiedDocument", "refuse_classified"]

_log = logging.getLogger("egide.workspace")


class ClassifiedDocument(DocumentError):
    """A document carrying a classification marking; nothing of it was kept."""


def _classified_reasons(document: Document) -> list[Reason]:
    codes = Counter(code for code, _, _ in marking_cues(normalize(document.text).text))
    reasons = []
    for code, count in codes.items():
        level, label = MARKINGS[code]
        if level >= Level.CLASSIFIE:
            reasons.append(Reason(level, code, label, count))
    return reasons


def refuse_classified(
    document: Document,
    models: Sequence[ModelSettings],
    *,
    owner: str,
    audit: Callable[[], AuditLog],
) -> None:
    """Raise :class:`ClassifiedDocument` (French, with the charter's reason) when ``document``
    is classified; do nothing otherwise."""
    reasons = _classified_reasons(document)
    if not reasons:
        return
    decision = decide(Assessment(level=Level.CLASSIFIE, reasons=tuple(reasons)), models)
    assert decision.code is DecisionCode.REFUSED_CLASSIFIED
    try:
        audit().append(
            user=owner,
            action="refusal",
            level=Level.CLASSIFIE,
            decision=decision.code,
            extra={"stage": "depot", "documents": 1},
        )
    except AuditError as exc:
        # The refusal stands either way: nothing was kept, and nothing will be sent.
        _log.warning("refus d'un document classifié non inscrit au journal d'audit : %s", exc)
    raise ClassifiedDocument(
        f"« {document.source} » n'a pas été enregistré : {decision.message_fr} Rien n'a été "
        "conservé de ce document ; traitez-le par les circuits prévus pour les informations "
        "classifiées."
    )
