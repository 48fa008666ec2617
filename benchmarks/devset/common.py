"""Pieces shared by the three kinds of documents: dates, references and other near misses.

Decree and article numbers, amounts and ordinary dates look like identifiers but are not
personal data: they are never gold. A case or file number written after its cue ("RG n°",
"dossier n°", "Réf. :") designates one person's case: its value is gold (FILE_NUMBER).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from benchmarks.devset.builder import Ent, Seg
from benchmarks.devset.people import plain_date

__all__ = [
    "amount",
    "de",
    "article",
    "decree",
    "event_date",
    "file_reference",
    "law",
    "page_break",
    "rg_number",
]

_CODES = (
    ("L. 312-1", "code de l'entrée et du séjour des étrangers et du droit d'asile"),
    ("L. 423-23", "code de l'entrée et du séjour des étrangers et du droit d'asile"),
    ("R. 431-12", "code de l'entrée et du séjour des étrangers et du droit d'asile"),
    ("L. 223-1", "code de la route"),
    ("R. 221-1", "code de la route"),
    ("L. 224-2", "code de la route"),
    ("L. 112-3", "code des relations entre le public et l'administration"),
    ("L. 411-2", "code des relations entre le public et l'administration"),
    ("L. 1110-4", "code de la santé publique"),
    ("700", "code de procédure civile"),
    ("1240", "code civil"),
    ("L. 1235-3", "code du travail"),
    ("222-11", "code pénal"),
    ("L. 2212-2", "code général des collectivités territoriales"),
    ("R. 421-1", "code de justice administrative"),
)


def event_date(rng: random.Random, *, start: int = 2022, end: int = 2025) -> dt.date:
    return dt.date(rng.randint(start, end), rng.randint(1, 12), rng.randint(1, 28))


def de(name: str) -> str:
    """French elision: "de Limoges", "d'Aubusson"."""
    return f"d'{name}" if name[:1] in "AEIOUYÉÈÂÎ" else f"de {name}"


def article(rng: random.Random) -> str:
    number, code = rng.choice(_CODES)
    return f"article {number} du {code}"


def decree(rng: random.Random) -> str:
    date = event_date(rng, start=2004, end=2024)
    return f"décret n° {date.year}-{rng.randint(1, 1800)} du {plain_date(date)}"


def law(rng: random.Random) -> str:
    return rng.choice(
        [
            "loi n° 78-17 du 6 janvier 1978 relative à l'informatique, aux fichiers et aux libertés",
            "loi n° 2000-321 du 12 avril 2000 relative aux droits des citoyens",
            "loi n° 2016-274 du 7 mars 2016 relative au droit des étrangers en France",
            "loi n° 2002-303 du 4 mars 2002 relative aux droits des malades",
        ]
    )


def amount(rng: random.Random) -> str:
    value = rng.choice([35, 50, 86, 90, 135, 225, 375, 750, 1500, 2000, 2500, 3000, 4500, 12000])
    text = f"{value:,}".replace(",", "\u00a0" if rng.random() < 0.5 else " ")
    return rng.choice([f"{text} euros", f"{text} €", f"{text},00 €", f"{text} EUR"])


def rg_number(rng: random.Random) -> list[Seg]:
    """A court's case number after its cue; the number alone is gold (FILE_NUMBER)."""
    year = rng.randint(19, 25)
    cue, value = rng.choice(
        [
            ("RG n° ", f"{year}/{rng.randint(0, 9999):05d}"),
            ("N° RG ", f"{year}/{rng.randint(0, 9999):05d}"),
            ("n° ", f"{year}{rng.choice('BLMP')}{rng.randint(1000, 9999)}"),
            ("N° Portalis ", f"DB{rng.choice('CDBV')}{rng.choice('XYZ')}-V-B7{rng.choice('FGH')}-"
             f"{rng.choice('BCDE')}{rng.choice('KLMN')}{rng.randint(1, 9)}{rng.choice('PQRS')}"),
        ]
    )  # fmt: skip
    return [cue, Ent(value, "FILE_NUMBER")]


def file_reference(rng: random.Random, service: str) -> list[Seg]:
    """A préfecture's file reference; written after "Réf. :" or "référence", it is gold."""
    year = rng.randint(2023, 2025)
    cue, value = rng.choice(
        [
            ("", f"{service}/{year}-{rng.randint(1, 9999):04d}"),
            ("dossier n° ", f"{year}/{rng.randint(1, 99999):05d}"),
            ("", f"{service}-{rng.randint(100, 999)}-{year}"),
        ]
    )
    return [cue, Ent(value, "FILE_NUMBER")]


def page_break(page: int, header: Seg | Sequence[Seg]) -> list[Seg]:
    """A page number and the header repeated on the new page (gold inside it stays gold)."""
    segments = [header] if isinstance(header, str | Ent) else list(header)
    return [f"\n\n- {page} -\n\n", *segments, "\n\n"]
