"""What an incoming letter says about the case, to pre-fill the reply: who wrote, from where,
when, about what, under which reference.

Read on this machine only, with the guard that runs before every request (names, addresses,
dates are what it finds already) and a few patterns for the usual lines of a French letter
(« Objet : », « Réf. : dossier n° »). Nothing is sent to a model: the agent checks every value
in the form, and the reply then goes through the preview like any other request.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from egide.documents import Document
from egide.guard import Guard
from egide.guard.findings import Finding
from egide.guard.sensitive.folding import fold

__all__ = ["LETTER_SPELLINGS", "LetterFacts", "read_letter"]

# Each fact, and the usual ways a template names the field it fills (its key first).
LETTER_SPELLINGS: dict[str, tuple[str, ...]] = {
    "civilite": ("civilite", "Civilité du destinataire", "Civilité"),
    "prenom": ("prenom", "Prénom du destinataire", "Prénom de l'usager", "Prénom du demandeur"),
    "nom": ("nom", "Nom du destinataire", "Nom de l'usager", "Nom du demandeur"),
    "adresse": (
        "adresse",
        "adresse_destinataire",
        "Adresse postale du destinataire",
        "Adresse du destinataire",
        "Adresse de l'usager",
    ),
    "demande": ("demande", "Nature de la demande"),
    "objet": ("objet", "Objet du courrier reçu"),
    "date_demande": ("date_demande", "Date de la demande", "Date du courrier reçu"),
    "numero_dossier": ("numero_dossier", "Numéro de dossier", "Référence du dossier"),
    "references": ("references", "Références"),
}
_MONTHS = {
    fold(name).text: number
    for number, name in enumerate(
        ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
         "septembre", "octobre", "novembre", "décembre"),
        start=1,
    )
}  # fmt: skip
_WRITTEN = re.compile(r"(1er|\d{1,2})\s+([a-zéû]+)\s+(\d{4})", re.IGNORECASE)
_NUMERIC = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_OBJECT = re.compile(r"^[ \t]*objet[ \t]*:[ \t]*(\S[^\n]{0,300})$", re.IGNORECASE | re.MULTILINE)
_REFERENCE = re.compile(
    r"\b(?:dossier|r[ée]f(?:[ée]rence)?s?\.?)[ \t]*(?:n[°o]\.?|num[ée]ro)?[ \t]*:?[ \t]*"
    r"(?:dossier[ \t]*)?(?:n[°o]\.?[ \t]*)?([A-Z0-9][A-Z0-9./-]{1,30}[A-Z0-9])",
    re.IGNORECASE,
)
_TITLES = (("madame", "Madame"), ("mme", "Madame"), ("monsieur", "Monsieur"), ("m.", "Monsieur"))
_PERSON_LABELS = ("PERSON",)


@dataclass(frozen=True)
class LetterFacts:
    """What was found, by key of :data:`LETTER_SPELLINGS` (absent when not found)."""

    values: dict[str, str]

    def __bool__(self) -> bool:
        return bool(self.values)


def _iso_day(text: str) -> str | None:
    """``3 mars 2025`` or ``03/03/2025`` as ``03/03/2025`` (what date fields read)."""
    found = _NUMERIC.search(text)
    if found:
        day, month, year = (int(g) for g in found.groups())
    else:
        found = _WRITTEN.search(text)
        if not found:
            return None
        month_number = _MONTHS.get(fold(found.group(2)).text.lower())
        if month_number is None:
            return None
        day = 1 if found.group(1).lower() == "1er" else int(found.group(1))
        month, year = month_number, int(found.group(3))
    if not (1 <= day <= 31 and 1 <= month <= 12 and 1900 <= year <= 2200):
        return None
    return f"{day:02d}/{month:02d}/{year}"


def _writer(findings: Sequence[Finding]) -> Finding | None:
    """The person the letter is from: the name it repeats most (sender block, « Je
    soussigné », signature), the first one on a tie."""
    people = [f for f in findings if f.label in _PERSON_LABELS]
    if not people:
        return None
    counts = Counter(fold(" ".join(p.text.split())).text for p in people)
    best = max(counts.values())
    return next(p for p in people if counts[fold(" ".join(p.text.split())).text] == best)


def _civility(text: str, writer: Finding, findings: Sequence[Finding]) -> str | None:
    wanted = fold(" ".join(writer.text.split())).text
    for finding in findings:
        if fold(" ".join(finding.text.split())).text != wanted:
            continue
        before = fold(text[max(0, finding.start - 12) : finding.start]).text.split()
        if before:
            for word, civility in _TITLES:
                if before[-1] == word:
                    return civility
    return None


def _split_name(name: str) -> tuple[str, str]:
    """``Amélie ROUSSEAU`` → (``Amélie``, ``ROUSSEAU``): the words in capitals are the name."""
    words = name.split()
    upper = [w for w in words if len(w) > 1 and w.isupper()]
    if upper and len(upper) < len(words):
        return " ".join(w for w in words if w not in upper), " ".join(upper)
    if len(words) == 1:
        return "", words[0]
    return " ".join(words[:-1]), words[-1]


def _address(writer: Finding | None, findings: Sequence[Finding]) -> str | None:
    addresses = [f for f in findings if f.label == "ADDRESS"]
    if not addresses:
        return None
    chosen = addresses[0]
    if writer is not None:
        near = [a for a in addresses if 0 <= a.start - writer.end <= 200]
        chosen = near[0] if near else chosen
    lines = [line.strip(" ,") for line in chosen.text.splitlines() if line.strip(" ,")]
    return ", ".join(lines)


def read_letter(document: Document, guard: Guard) -> LetterFacts:
    """The facts of ``document`` that a reply's template may ask for."""
    text = document.text
    findings = guard.scan(text).findings
    values: dict[str, str] = {}
    writer = _writer(findings)
    if writer is not None:
        first, last = _split_name(" ".join(writer.text.split()))
        values["prenom"], values["nom"] = first, last
        civility = _civility(text, writer, findings)
        if civility:
            values["civilite"] = civility
    address = _address(writer, findings)
    if address:
        values["adresse"] = address
    subject = _OBJECT.search(text)
    if subject:
        line = subject.group(1).strip().rstrip(".")
        values["objet"] = line
        if fold(line).text.startswith("demande"):
            values["demande"] = line[0].lower() + line[1:]
    dates = [f for f in findings if f.label == "DATE"]
    day = next((d for d in (_iso_day(f.text) for f in dates) if d), None)
    if day:
        values["date_demande"] = day
    reference = next(
        (m.group(1) for m in _REFERENCE.finditer(text) if any(c.isdigit() for c in m.group(1))),
        None,
    )
    if reference:
        values["numero_dossier"] = reference
    mentions = [
        f"Votre courrier du {day}" if day else "",
        f"dossier n° {reference}" if reference else "",
    ]
    if any(mentions):
        values["references"] = ", ".join(m for m in mentions if m)
    return LetterFacts({k: v for k, v in values.items() if v})
