"""Public reference pages: how many a guard flags although they name no one.

Pages such as service-public.fr fiches or CNIL help pages hold a service's switchboard, its
functional address, its CEDEX address, example values and lists of countries, but nobody's
personal data. A guard that flags them trains agents to ignore it, and keeps them out of a
knowledge base whose maximum level is ``interne``. Used by ``benchmarks/guard.py --public``.

Égide's figure is the share of pages whose level is above ``interne`` (and, among those, the
share flagged for personal data, the rest being art. 9/10 categories); the reference, measured
in the same run, is the share of pages where Presidio finds any entity it would mask.
"""

from __future__ import annotations

import tarfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.scoring import Span, is_masking

__all__ = ["load_pages", "egide_public", "presidio_public"]


def load_pages(path: Path, limit: int | None = None) -> list[tuple[str, str]]:
    """(page id, text) from a folder of .txt files or a .tar.gz of them, sorted by id."""
    pages: list[tuple[str, str]] = []
    if path.is_dir():
        for file in sorted(path.rglob("*.txt")):
            pages.append((file.stem, file.read_text(encoding="utf-8")))
    else:
        with tarfile.open(path, "r:gz") as archive:
            for member in sorted(archive.getmembers(), key=lambda m: m.name):
                if member.isfile() and member.name.endswith(".txt"):
                    handle = archive.extractfile(member)
                    if handle is not None:
                        pages.append((Path(member.name).stem, handle.read().decode("utf-8")))
    pages = [page for page in pages if page[0].lower() != "readme"]
    return pages[:limit] if limit else pages


def egide_public(pages: Sequence[tuple[str, str]]) -> dict[str, Any]:
    from egide.guard import Guard
    from egide.guard.findings import INSTITUTIONAL_LABELS
    from egide.policy.levels import Level

    guard = Guard()
    levels: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    institutional: Counter[str] = Counter()
    personal_pages = 0
    for _, text in pages:
        scan = guard.scan(text)
        levels[scan.level.key] += 1
        institutional.update(f.label for f in scan.findings if f.label in INSTITUTIONAL_LABELS)
        if scan.level > Level.INTERNE:
            reasons.update({r.category for r in scan.reasons})
            personal_pages += any(f.is_personal for f in scan.findings)
    above = sum(
        n for level, n in levels.items() if level != Level.INTERNE.key and level != "public"
    )
    return {
        "pages": len(pages),
        "levels": dict(levels),
        "above_interne": above,
        "share_above_interne": above / len(pages) if pages else None,
        "pages_with_personal_data": personal_pages,
        "share_with_personal_data": personal_pages / len(pages) if pages else None,
        "reasons_of_flagged_pages": dict(reasons.most_common()),
        "institutional_labels": dict(institutional.most_common()),
    }


def presidio_public(
    pages: Sequence[tuple[str, str]], detect: Callable[[str], list[Span]]
) -> dict[str, Any]:
    flagged = 0
    labels: Counter[str] = Counter()
    for _, text in pages:
        masking = [span.label for span in detect(text) if is_masking(span.label)]
        flagged += bool(masking)
        labels.update(set(masking))
    return {
        "pages": len(pages),
        "flagged": flagged,
        "share_flagged": flagged / len(pages) if pages else None,
        "labels_of_flagged_pages": dict(labels.most_common()),
    }
