"""The guard's engine: runs every recognizer, resolves overlaps, then assesses sensitivity."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Sequence

from egide.guard.findings import Finding, ScanResult, in_original
from egide.guard.normalize import normalize
from egide.guard.registry import Recognizer, registered_recognizers

__all__ = ["MAX_TEXT_CHARS", "Guard", "GuardInputError", "resolve_overlaps", "shared_guard"]

MAX_TEXT_CHARS = 20_000_000

# On overlap, the more specific evidence wins: a check key beats a pattern, which beats a
# statistical model, which beats a plain date.
_PRIORITY = {
    "NIR": 5, "IBAN": 5, "SIRET": 5, "SIREN": 5, "TAX_ID": 5, "ID_CARD": 5, "PASSPORT": 5,
    "AGDREF": 5, "CAF": 5,
    "EMAIL": 4, "PHONE": 4, "PLATE": 4, "BIRTH_DATE": 4, "NIR_LIKE": 4,
    # A recognizer's verdict that a value is a service's, or a form's example, ranks as the value.
    "SERVICE_EMAIL": 4, "SERVICE_PHONE": 4, "EXAMPLE_VALUE": 4,
    "ADDRESS": 3, "SERVICE_ADDRESS": 3, "FILE_NUMBER": 3,
    "PERSON": 2, "LOCATION": 2, "ORG": 1, "MISC": 1, "HEALTH": 1, "DATE": 0,
}  # fmt: skip


class GuardInputError(ValueError):
    """The input cannot be scanned; the message says why and what to do, in French."""


def _rank(finding: Finding) -> tuple[int, float, int]:
    return (_PRIORITY.get(finding.label, 1), finding.score, len(finding))


def resolve_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """Keep a set of non-overlapping findings, preferring the best-ranked ones."""
    kept_starts: list[int] = []
    kept: list[Finding] = []
    for finding in sorted(findings, key=_rank, reverse=True):
        if finding.end <= finding.start:
            continue
        i = bisect.bisect_left(kept_starts, finding.start)
        if i > 0 and kept[i - 1].end > finding.start:
            continue
        if i < len(kept) and kept[i].start < finding.end:
            continue
        kept_starts.insert(i, finding.start)
        kept.insert(i, finding)
    return kept


def check_text(text: object) -> str:
    if not isinstance(text, str):
        raise GuardInputError("le texte à analyser doit être une chaîne de caractères")
    if len(text) > MAX_TEXT_CHARS:
        raise GuardInputError(
            f"le texte fait {len(text):,} caractères, au-delà de la limite de "
            f"{MAX_TEXT_CHARS:,} : découpez le document en plusieurs parties".replace(",", "\u202f")
        )
    return text


class Guard:
    """Detects personal and sensitive data in French text.

    Build it once and reuse it: recognizers (and the NER model) are loaded at construction.
    """

    def __init__(
        self,
        recognizers: Sequence[Recognizer] | None = None,
        *,
        exclude: Iterable[str] = (),
    ) -> None:
        if recognizers is None:
            excluded = set(exclude)
            recognizers = [
                factory()
                for name, factory in registered_recognizers().items()
                if name not in excluded
            ]
        self.recognizers = list(recognizers)

    def detect(self, text: str) -> list[Finding]:
        """Non-overlapping findings, in text order, with offsets into ``text`` as given.

        The text is judged normalised (:mod:`egide.guard.normalize`): an identifier broken by
        invisible characters or written in look-alike digits is found, and reported over the
        characters the caller wrote.
        """
        normalized = normalize(check_text(text))
        return in_original(normalized, self._detect_normalized(normalized.text))

    def _detect_normalized(self, text: str) -> list[Finding]:
        if not text.strip():
            return []
        raw: list[Finding] = []
        for recognizer in self.recognizers:
            raw.extend(recognizer.find(text))
        return resolve_overlaps(raw)

    def scan(self, text: str) -> ScanResult:
        """Findings plus the sensitivity level of the whole text, with its reasons.

        The result is about the *normalised* text: ``result.text`` is what a model may receive
        (pseudonymised with ``result.findings``), and ``result.normalized`` maps its offsets
        back to ``text``.
        """
        from egide.guard.sensitive import assess

        normalized = normalize(check_text(text))
        findings = self._detect_normalized(normalized.text)
        reasons, level = assess(normalized.text, findings)
        return ScanResult(
            text=normalized.text,
            findings=findings,
            reasons=reasons,
            level=level,
            normalized=normalized,
        )


_shared: Guard | None = None
_shared_lock = threading.Lock()


def shared_guard() -> Guard:
    """The process's guard, built on first use and reused by every surface of a service."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Guard()
        return _shared
