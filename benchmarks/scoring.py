"""Scores of a detector against gold spans: per label, character-level masking, identifiers.

A predicted span *masks* when its label is personal, that is any label outside ORG, DATE and
MISC (an unknown label from another system counts as masking, since it would be masked).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from egide.guard.findings import NON_PERSONAL_LABELS

__all__ = [
    "Counts",
    "Span",
    "char_masking",
    "decoys_flagged",
    "identifier_recall",
    "reported_scores",
    "is_masking",
    "label_scores",
    "merge_intervals",
]


class Span(NamedTuple):
    start: int
    end: int
    label: str


def is_masking(label: str, *, dates_mask: bool = False) -> bool:
    if dates_mask and label == "DATE":
        return True
    return label not in NON_PERSONAL_LABELS


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class Counts:
    """Matches counted on both sides: predicted spans that hit a gold span (precision) and gold
    spans that are hit (recall). With overlap matching one long prediction may hit two gold
    spans, so the two numerators differ."""

    matched_pred: int = 0
    n_pred: int = 0
    matched_gold: int = 0
    n_gold: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.matched_pred + other.matched_pred, self.n_pred + other.n_pred,
            self.matched_gold + other.matched_gold, self.n_gold + other.n_gold,
        )  # fmt: skip

    @property
    def precision(self) -> float | None:
        return _ratio(self.matched_pred, self.n_pred)

    @property
    def recall(self) -> float | None:
        return _ratio(self.matched_gold, self.n_gold)

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None and r is None:
            return None
        p, r = p or 0.0, r or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision, "recall": self.recall, "f1": self.f1,
            "matched_pred": self.matched_pred, "predicted": self.n_pred,
            "matched_gold": self.matched_gold, "support": self.n_gold,
        }  # fmt: skip


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _match(a: Span, b: Span, strict: bool) -> bool:
    return (a.start, a.end) == (b.start, b.end) if strict else _overlaps(a, b)


def label_scores(
    gold_docs: Sequence[Sequence[Span]], pred_docs: Sequence[Sequence[Span]], *,
    strict: bool = False,
) -> dict[str, Counts]:  # fmt: skip
    """Per label (and "ALL", micro-averaged): a prediction is right when it overlaps (or, with
    ``strict``, has exactly the boundaries of) a gold span of the same label. Non-masking
    predictions (ORG, DATE, MISC) are not scored."""
    totals: dict[str, Counts] = defaultdict(Counts)
    for gold, pred in zip(gold_docs, pred_docs, strict=True):
        by_label: dict[str, tuple[list[Span], list[Span]]] = defaultdict(lambda: ([], []))
        for span in gold:
            by_label[span.label][0].append(span)
        for span in pred:
            if is_masking(span.label):
                by_label[span.label][1].append(span)
        for label, (gold_spans, pred_spans) in by_label.items():
            totals[label] += Counts(
                sum(any(_match(p, g, strict) for g in gold_spans) for p in pred_spans),
                len(pred_spans),
                sum(any(_match(p, g, strict) for p in pred_spans) for g in gold_spans),
                len(gold_spans),
            )
    result = dict(sorted(totals.items()))
    result["ALL"] = sum(result.values(), Counts())
    return result


def merge_intervals(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _intersection(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    total, i, j = 0, 0, 0
    while i < len(a) and j < len(b):
        total += max(0, min(a[i][1], b[j][1]) - max(a[i][0], b[j][0]))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def char_masking(
    gold_docs: Sequence[Sequence[Span]], pred_docs: Sequence[Sequence[Span]], *,
    dates_mask: bool = False,
) -> Counts:  # fmt: skip
    """Label-agnostic, in characters: gold characters are those of any gold span; predicted
    ones those of any masking prediction. Precision and recall share the overlap count."""
    overlap = n_pred = n_gold = 0
    for gold, pred in zip(gold_docs, pred_docs, strict=True):
        gold_chars = merge_intervals((s.start, s.end) for s in gold)
        pred_chars = merge_intervals(
            (s.start, s.end) for s in pred if is_masking(s.label, dates_mask=dates_mask)
        )
        overlap += _intersection(gold_chars, pred_chars)
        n_pred += sum(end - start for start, end in pred_chars)
        n_gold += sum(end - start for start, end in gold_chars)
    return Counts(overlap, n_pred, overlap, n_gold)


def identifier_recall(
    gold_docs: Sequence[Sequence[Span]], pred_docs: Sequence[Sequence[Span]],
    labels: Sequence[str],
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """For each checksummed identifier: recall with the right label, and the share of them left
    with no visible character once every masking prediction is applied, whatever its label."""
    found: dict[str, int] = dict.fromkeys(labels, 0)
    masked: dict[str, int] = dict.fromkeys(labels, 0)
    support: dict[str, int] = dict.fromkeys(labels, 0)
    for gold, pred in zip(gold_docs, pred_docs, strict=True):
        cover = merge_intervals((s.start, s.end) for s in pred if is_masking(s.label))
        for g in gold:
            if g.label not in support:
                continue
            support[g.label] += 1
            found[g.label] += any(p.label == g.label and _overlaps(p, g) for p in pred)
            masked[g.label] += _intersection(cover, [(g.start, g.end)]) == g.end - g.start
    return {
        label: {"recall": _ratio(found[label], support[label]),
                "fully_masked": _ratio(masked[label], support[label]),
                "support": support[label]}
        for label in labels
    }  # fmt: skip


def decoys_flagged(
    decoy_docs: Sequence[Sequence[Span]], pred_docs: Sequence[Sequence[Span]]
) -> dict[str, Any]:
    """How many decoys (identifier-shaped values that are not personal data) a masking
    prediction touches: each of them would be masked, or raise the level, for nothing."""
    flagged = total = 0
    for decoys, pred in zip(decoy_docs, pred_docs, strict=True):
        masking = [p for p in pred if is_masking(p.label)]
        for decoy in decoys:
            total += 1
            flagged += any(_overlaps(decoy, p) for p in masking)
    return {"flagged": flagged, "support": total, "share": _ratio(flagged, total)}


def reported_scores(
    reported_docs: Sequence[Sequence[Span]], pred_docs: Sequence[Sequence[Span]]
) -> dict[str, dict[str, Any]]:
    """For institutional data (switchboards, functional addresses, example values): recall
    with the right label, and the share still masked by some personal label (what a guard
    that cries wolf does)."""
    found: dict[str, int] = defaultdict(int)
    masked: dict[str, int] = defaultdict(int)
    support: dict[str, int] = defaultdict(int)
    for reported, pred in zip(reported_docs, pred_docs, strict=True):
        for g in reported:
            support[g.label] += 1
            found[g.label] += any(p.label == g.label and _overlaps(p, g) for p in pred)
            masked[g.label] += any(is_masking(p.label) and _overlaps(p, g) for p in pred)
    return {
        label: {"recall": _ratio(found[label], n), "masked": _ratio(masked[label], n),
                "support": n}
        for label, n in sorted(support.items())
    }  # fmt: skip
