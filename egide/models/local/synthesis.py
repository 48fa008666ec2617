"""The built-in engine's answer to "résume ce document": one fiche de synthèse per document.

The text uses the small Markdown subset the exports understand ("# " headings, "- " bullets,
**bold**), so that a validated fiche exports to DOCX or ODT as it reads on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from egide.models.base import SourceText
from egide.models.local.fiche import LIMITS, Fiche, FicheItem, read_fiche
from egide.models.local.summarizer import relevance, summarize_units
from egide.models.local.units import Unit, cite, read_units

__all__ = ["EXTRACTS_NOTICE", "synthesis"]

EXTRACTS_NOTICE = (
    "Extraits du document choisis automatiquement par le moteur intégré, sans IA générative : "
    "vérifiez-les dans leur contexte avant de transmettre cette fiche."
)
# How many sentences the gist keeps, by length ("detaille" follows the summariser's own cap).
_GIST = {"court": 2, "page": 6}
_GIST_CHARS = {"court": 700}


def synthesis(sources: Sequence[SourceText], *, length: str = "court") -> str:
    units = read_units(sources)
    if not any(unit.text.strip() for unit in units):
        return "Le document ne contient pas de texte à résumer."
    documents = [list(group) for _, group in groupby(units, key=lambda unit: unit.document)]
    fiches = [_fiche(group, length) for group in documents]
    return "\n\n".join(fiches) + "\n\n" + EXTRACTS_NOTICE


def _where(items: Sequence[FicheItem]) -> str:
    places = list(dict.fromkeys(cite(item.unit, with_document=False) for item in items))
    places = [place for place in places if place]
    return f" ({', '.join(places)})" if places else ""


def _line(label: str, items: Sequence[FicheItem]) -> str | None:
    if not items:
        return None
    return f"**{label}** : " + " ; ".join(item.text for item in items) + _where(items)


def _trimmed(items: list[FicheItem], limit: int, weight: dict[int, float]) -> list[FicheItem]:
    """At most ``limit`` items, in document order, one per text: requests and decisions made
    to someone first, then the most central ones."""
    unique = list({item.text: item for item in items}.values())
    if len(unique) <= limit:
        return unique
    ranked = sorted(unique, key=lambda item: (not item.strong, -weight.get(item.unit.index, 0.0)))
    return sorted(ranked[:limit], key=lambda item: item.unit.index)


def _senders(items: Sequence[FicheItem]) -> list[FicheItem]:
    """The lines of one letterhead or one signature block as one phrase each."""
    merged: list[FicheItem] = []
    for block, group in groupby(items, key=lambda item: item.block):
        lines = list(group)
        if block in ("header", "signature") and len(lines) > 1:
            text = ", ".join(item.text.rstrip(",") for item in lines)
            merged.append(FicheItem(text, lines[-1].unit, block=block))
        else:
            merged.extend(lines)
    return merged


def _bullets(items: Sequence[FicheItem]) -> list[str]:
    lines = []
    for item in items:
        first, *rest = item.text.split("\n")
        where = cite(item.unit, with_document=False)
        suffix = f" ({where})" if where else ""
        if rest:
            lines.append(f"- {first}{suffix}")
            lines.extend(rest)  # the items of a list, already indented as "  - "
        else:
            lines.append(f"- {first}{suffix}")
    return lines


def _fiche(units: list[Unit], length: str) -> str:
    document = units[0].document
    fiche = read_fiche(units, document=document)
    limit = LIMITS.get(length, LIMITS["court"])
    weight = relevance(fiche.body)
    title = f"# Fiche de synthèse — « {document} »" if document else "# Fiche de synthèse"
    out = [title, ""]
    head = [
        _line("Objet", [fiche.object] if fiche.object else []),
        _line("Titre", [fiche.title] if fiche.title and not fiche.object else []),
        _line("Date", fiche.dated[:1]),
        _line("Références", fiche.references),
        _line("Émetteur", _senders(fiche.senders)),
        _line("Destinataires", fiche.addressees),
    ]
    out.extend(line for line in head if line)
    sections = [
        ("Décisions et demandes", fiche.decisions),
        ("Dates et délais", fiche.dates),
        ("Montants", fiche.amounts),
        ("Pièces", fiche.enclosed),
        ("Points d'attention", fiche.attention),
    ]
    empty = []
    for heading, items in sections:
        if not items:
            empty.append(heading.lower())
            continue
        out.extend(["", f"## {heading}", *_bullets(_trimmed(items, limit, weight))])
    gist = _gist(fiche, length)
    if gist:
        out.extend(["", "## L'essentiel", *gist])
    if empty:
        out.extend(["", f"Sans élément dans le document : {', '.join(empty)}."])
    return "\n".join(out)


def _gist(fiche: Fiche, length: str) -> list[str]:
    """The summary sentences that the headings above have not quoted already."""
    left = [unit for unit in fiche.body if unit.index not in fiche.shown]
    if not left:
        return []
    # A detailed fiche covers every part of the document, but a third of it at most: beyond
    # that, the agent would be better served by the document itself.
    total = sum(len(unit.flat_text) for unit in fiche.body)
    budget = _GIST_CHARS.get(length) or (max(1500, total // 3) if length == "detaille" else None)
    lines = summarize_units(
        left, length=length if length in ("page", "detaille") else "court", budget_chars=budget
    )
    if length in _GIST:
        lines = lines[: _GIST[length]]
    by_index = {unit.index: unit for unit in left}
    items = [FicheItem(line.text, by_index[line.index]) for line in lines]
    return _bullets(items)
