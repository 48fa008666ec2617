"""What the agent sees before sending: the text cut into plain pieces and highlighted findings.

The highlighted spans are the very ones the pipeline will pseudonymise (``personal_in_order``,
the function :func:`egide.guard.pseudonymize.pseudonymize_spans` uses), each with the
placeholder the model will receive instead: placeholders come from one vault filled in the
pipeline's order (prompt, then documents), so ``[PERSONNE_1]`` here is ``[PERSONNE_1]`` there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from egide.guard.findings import Finding
from egide.guard.labels import label_fr
from egide.guard.pseudonymize import personal_in_order
from egide.guard.vault import Vault

__all__ = ["DEFAULT_PREVIEW_CHARS", "Highlighted", "Piece", "highlight"]

# A page of the preview stays readable and light; the whole text is scanned all the same.
DEFAULT_PREVIEW_CHARS = 40_000


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    label: str | None = None  # None: plain text
    placeholder: str | None = None

    @property
    def label_fr(self) -> str:
        return label_fr(self.label) if self.label else ""

    @property
    def css(self) -> str:
        return "egide-trouve--" + (self.label or "").lower().replace("_", "-")


@dataclass(frozen=True, slots=True)
class Highlighted:
    pieces: tuple[Piece, ...]
    shown_chars: int
    total_chars: int

    @property
    def truncated(self) -> bool:
        return self.shown_chars < self.total_chars


def highlight(
    text: str,
    findings: Sequence[Finding],
    vault: Vault,
    *,
    limit: int = DEFAULT_PREVIEW_CHARS,
) -> Highlighted:
    """``text`` up to about ``limit`` characters, with its personal findings marked.

    Every finding, shown or not, takes its placeholder from ``vault``, so that the numbering of
    the next text previewed with the same vault goes on as the pipeline's will.
    """
    pieces: list[Piece] = []
    position = 0
    shown = min(len(text), limit)
    for finding in personal_in_order(text, findings):
        placeholder = vault.placeholder_for(finding.label, text[finding.start : finding.end])
        if finding.start >= shown:
            continue
        if finding.start > position:
            pieces.append(Piece(text[position : finding.start]))
        pieces.append(Piece(text[finding.start : finding.end], finding.label, placeholder))
        position = finding.end
    shown = max(shown, position)  # a value cut by the limit is shown whole
    if position < shown:
        pieces.append(Piece(text[position:shown]))
    return Highlighted(tuple(pieces), shown, len(text))
