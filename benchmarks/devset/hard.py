"""Hard documents: real-world layouts, case numbers, institutional contacts and hostile text.

A hard document has the frame of its kind (letterhead, patient header, court caption) and a
handful of sections drawn from the split's own list (``hard_dev.SECTIONS`` for the development
split, ``hard_fresh.SECTIONS`` for the fresh one: same classes of difficulty, other templates).
The frame writes the institution's switchboard, functional address and CEDEX address, which are
*reported* (institutional, not personal); every person's data is gold.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.devset import common, keys, lexicon
from benchmarks.devset import people as pp
from benchmarks.devset.builder import Doc, Ent

__all__ = ["HardCast", "Section", "generate_hard", "make_cast"]


@dataclass
class HardCast:
    kind: str
    split: str
    main: pp.Person  # the usager, the patient or the first party
    other: pp.Person  # a relative, a second party
    third: pp.Person  # a witness, a neighbour
    agent: pp.Person  # the agent, the doctor, the judge
    clerk: pp.Person  # a colleague, a nurse, the clerk
    pref: tuple[str, ...]
    hospital: tuple[str, str, str]
    court: tuple[str, str]


Section = Callable[[Doc, random.Random, HardCast], None]


def make_cast(rng: random.Random, kind: str, split: str) -> HardCast:
    return HardCast(
        kind=kind,
        split=split,
        main=pp.make_person(rng, min_year=1940, max_year=2004),
        other=pp.make_person(rng, min_year=1940, max_year=2004),
        third=pp.make_person(rng, min_year=1950, max_year=2000),
        agent=pp.make_person(rng, min_year=1960, max_year=1995),
        clerk=pp.make_person(rng, min_year=1960, max_year=1998),
        pref=rng.choice(lexicon.PREFECTURES),
        hospital=rng.choice(lexicon.HOSPITALS),
        court=rng.choice(lexicon.COURTS),
    )


def _prefecture_frame(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    pref = cast.pref
    doc.line(f"PRÉFET {pref[1].upper()}{pref[0].upper()}")
    doc.line("Direction de la citoyenneté et de la légalité")
    doc.line("Bureau de l'accueil des étrangers")
    service = rng.choice(["pref-etrangers", "pref-accueil", "pref-naturalisations",
                          "sp-etrangers", "pref-bse"])  # fmt: skip
    doc.line("Courriel : {e}", e=Ent(f"{service}@{pref[7]}", "SERVICE_EMAIL"))
    doc.line("Standard : {p}", p=Ent(pref[6], "SERVICE_PHONE"))
    doc.line()


def _prefecture_footer(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    pref = cast.pref
    box = f" – {pref[4]}" if pref[4] else ""
    cedex = f"{pref[3]}{box} – {pref[5]} {pref[2].upper()} CEDEX"
    doc.line()
    doc.line("{a}", a=Ent(cedex, "SERVICE_ADDRESS"))
    doc.line("Accueil téléphonique : {p} (du lundi au vendredi, de 9 h à 12 h)",
             p=Ent(pref[6], "SERVICE_PHONE"))  # fmt: skip


def _hospital_frame(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    name, _city, switchboard = cast.hospital
    doc.line(name)
    finess = "19" + "".join(rng.choice("0123456789") for _ in range(6))
    doc.line(f"N° FINESS : {finess}{keys.luhn_check_digit(finess)}")
    doc.line("Standard : {s} — Prise de rendez-vous : {r}", s=Ent(switchboard, "SERVICE_PHONE"),
             r=Ent(pp.phone(rng, "fixe"), "SERVICE_PHONE"))  # fmt: skip
    domain = "chu-limoges.fr" if "LIMOGES" in name else "ch-hopital.fr"
    mailbox = rng.choice(["secretariat.medecine", "rdv.cardiologie", "accueil", "contact"])
    doc.line("Courriel : {e}", e=Ent(f"{mailbox}@{domain}", "SERVICE_EMAIL"))
    doc.line()


def _court_frame(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    doc.line(cast.court[0])
    doc.line(rng.choice(["1re chambre civile", "Chambre correctionnelle", "Pôle social"]))
    doc.line(f"Audience publique du {pp.plain_date(common.event_date(rng))}")
    doc.line()


_FRAMES = {"courrier": _prefecture_frame, "clinique": _hospital_frame, "decision": _court_frame}


def generate_hard(
    rng: random.Random, doc_id: str, kind: str, split: str, sections: dict[str, list[Section]]
) -> Doc:
    """One hard document of ``kind``: its frame, then four to seven sections of ``split``."""
    cast = make_cast(rng, kind, split)
    doc = Doc(doc_id, kind)
    _FRAMES[kind](doc, rng, cast)
    available = list(sections[kind])
    rng.shuffle(available)
    for section in available[: rng.randint(4, min(7, len(available)))]:
        section(doc, rng, cast)
        doc.line()
    if kind == "courrier":
        _prefecture_footer(doc, rng, cast)
    return doc
