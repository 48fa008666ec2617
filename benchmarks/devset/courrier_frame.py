"""The frame of a préfecture's letter: en-tête, vedette, signature, footer, and shared phrases."""

from __future__ import annotations

import random
from dataclasses import dataclass

from benchmarks.devset import common, keys
from benchmarks.devset import people as pp
from benchmarks.devset.builder import Doc, Ent, Seg

__all__ = [
    "Cast",
    "born",
    "closing",
    "entete",
    "footer",
    "foreign_passport",
    "history",
    "iban_text",
    "plate_text",
    "prefect_heading",
    "pref_address",
    "salutation",
    "signature",
    "spi_text",
    "vedette",
]

_TITLES = (
    "La cheffe du bureau", "Le chef du bureau", "Le directeur de la citoyenneté et de la légalité",
    "La secrétaire générale", "Le secrétaire général", "L'adjointe au chef de bureau",
)  # fmt: skip


@dataclass
class Cast:
    pref: tuple[str, ...]
    usager: pp.Person
    relative: pp.Person
    agent: pp.Person
    signatory: pp.Person
    prefect: pp.Person
    service: tuple[str, str, str]


def prefect_heading(pref: tuple[str, ...]) -> str:
    return f"PRÉFET {pref[1].upper()}{pref[0].upper()}"


def pref_address(pref: tuple[str, ...], rng: random.Random) -> str:
    cedex = f"{pref[5]} {pref[2].upper()} CEDEX" + rng.choice(["", " 1", " 9"])
    box = f" – {pref[4]}" if pref[4] else ""
    return f"{pref[3]}{box} – {cedex}"


def entete(doc: Doc, rng: random.Random, cast: Cast) -> None:
    pref = cast.pref
    doc.line(prefect_heading(pref))
    doc.line("Liberté\nÉgalité\nFraternité\n")
    doc.line(cast.service[0])
    doc.line(cast.service[1])
    doc.line()
    doc.line("Affaire suivie par : {a}", a=pp.mention(cast.agent, rng, "civ_full"))
    doc.line("Tél. : {p}", p=Ent(pp.phone(rng, "fixe"), "PHONE"))
    if rng.random() < 0.8:
        functional = f"pref-{cast.service[2].split('/')[-1].lower()}@{pref[7]}"
        mail = pp.email_for(cast.agent, rng, pref[7]) if rng.random() < 0.7 else functional
        label = "SERVICE_EMAIL" if mail == functional else "EMAIL"
        doc.line("{k} : {e}", k=rng.choice(["Mél", "Courriel", "Mail"]), e=Ent(mail, label))
    doc.line("Réf. : {r}", r=common.file_reference(rng, cast.service[2]))
    doc.line()
    doc.line(f"{pref[2]}, le {pp.plain_date(common.event_date(rng, start=2024))}")
    doc.line()


def vedette(doc: Doc, rng: random.Random, person: pp.Person) -> None:
    name = f"{person.first} {pp.upper_name(person.last)}"
    doc.line(f"{pp.civility(person, rng, long=True)} {{n}}", n=Ent(name, "PERSON"))
    doc.line("{a}", a=Ent(pp.address_block(person.address, rng), "ADDRESS"))
    doc.line()


def signature(doc: Doc, rng: random.Random, cast: Cast) -> None:
    doc.line()
    doc.line(rng.choice(["Pour le préfet et par délégation,", "Pour le préfet,",
                         "Le préfet,\npour le préfet et par délégation,"]))  # fmt: skip
    doc.line(f"{rng.choice(_TITLES)},")
    doc.line()
    doc.line("{s}", s=pp.mention(cast.signatory, rng, "full"))


def footer(doc: Doc, rng: random.Random, pref: tuple[str, ...]) -> None:
    doc.line()
    doc.line("{a}", a=Ent(pref_address(pref, rng), "SERVICE_ADDRESS"))
    doc.line("Standard : {p} – www.{d}", p=Ent(pref[6], "SERVICE_PHONE"), d=pref[7])
    doc.add(rng.choice(["Horaires d'ouverture : du lundi au vendredi de 9 h à 16 h.",
                        "Accueil sur rendez-vous uniquement."]))  # fmt: skip


def salutation(person: pp.Person, rng: random.Random) -> str:
    civ = "Monsieur" if person.sex == "M" else "Madame"
    return f"{civ}," if rng.random() < 0.8 else f"{civ}, "


def closing(person: pp.Person, rng: random.Random) -> str:
    civ = "Monsieur" if person.sex == "M" else "Madame"
    return rng.choice(
        [f"Je vous prie d'agréer, {civ}, l'expression de mes salutations distinguées.",
         f"Je vous prie de croire, {civ}, à l'assurance de ma considération distinguée.",
         f"Veuillez agréer, {civ}, l'expression de ma considération distinguée."]
    )  # fmt: skip


def born(person: pp.Person, rng: random.Random) -> list[Seg]:
    verb = "né" if person.sex == "M" else "née"
    if rng.random() < 0.2:
        verb = "né(e)"
    segs: list[Seg] = [f", {verb} le ", Ent(pp.birth_date(person.birth, rng), "BIRTH_DATE"),
                       " à ", Ent(person.birthplace, "LOCATION")]  # fmt: skip
    if person.birth_country:
        segs += [" (", Ent(person.birth_country, "LOCATION"), ")"]
    return segs


def foreign_passport(rng: random.Random) -> str:
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(rng.choice([1, 2])))
    return letters + "".join(rng.choice("0123456789") for _ in range(7))


def spi_text(rng: random.Random) -> str:
    number = keys.spi(rng)
    if rng.random() < 0.5:
        return number
    return f"{number[:2]} {number[2:4]} {number[4:7]} {number[7:10]} {number[10:]}"


def iban_text(rng: random.Random, *, foreign: bool = False) -> str:
    iban = (
        keys.iban_foreign(rng, rng.choice(["DE", "BE", "ES", "GB", "LU"]))
        if foreign
        else keys.iban_fr(rng)
    )
    if rng.random() < 0.25:
        return iban
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def plate_text(rng: random.Random) -> str:
    plate = keys.plate_siv(rng) if rng.random() < 0.75 else keys.plate_fni(rng)
    if rng.random() < 0.3 and "-" in plate:
        plate = plate.replace("-", rng.choice([" ", ""]))
    return plate


_HISTORY = (
    "{d} : appel téléphonique de {u}, joignable au {p}, qui signale un changement d'adresse : {a}.",
    "{d} : courriel de {r} ({e}) transmettant une attestation d'hébergement et la copie d'un bail.",
    "{d} : rendez-vous au guichet ; {u} était accompagné de {r}, qui a servi d'interprète.",
    "{d} : la mairie {c} transmet un certificat de résidence ; le dossier est complété.",
    "{d} : saisine pour avis de la commission départementale, en application de l'{art}.",
    "{d} : relance adressée à {u} par lettre recommandée ; le pli est revenu avec la mention "
    "« destinataire inconnu à l'adresse ».",
    "{d} : {r} indique par téléphone ({p}) que {u} est hospitalisé et ne peut se déplacer.",
    "{d} : note du directeur de cabinet rappelant les termes du {dec}.",
    "{d} : réception d'une attestation de la caisse d'allocations familiales (allocataire "
    "n° {caf}) mentionnant un montant mensuel de {m}.",
    "{d} : le bureau contentieux signale une requête enregistrée sous le {rg}.",
)


def history(doc: Doc, rng: random.Random, cast: Cast, *, target: int = 10_600) -> None:
    """A chronology long enough to push the document over ``target`` characters, with pages."""
    doc.line()
    doc.line("HISTORIQUE DU DOSSIER")
    doc.line()
    page = 2
    next_break = len(doc) + 2400
    u, r = cast.usager, cast.relative
    # One email and a couple of numbers per person, as in a real file.
    email = pp.email_for(r, rng)
    numbers = [pp.phone(rng), pp.phone(rng, "mobile")]
    while len(doc) < target:
        template = rng.choice(_HISTORY)
        doc.line(
            template,
            d=pp.plain_date(common.event_date(rng), numeric=rng.random() < 0.5),
            u=pp.mention(u, rng), r=pp.mention(r, rng),
            p=Ent(rng.choice(numbers), "PHONE"), e=Ent(email, "EMAIL"),
            a=pp.address_mention(pp.make_address(rng), rng),
            c=common.de(rng.choice(["Saint-Junien", "Bellac", "Tulle", "Guéret", "Aubusson"])),
            art=common.article(rng), dec=common.decree(rng), m=common.amount(rng),
            caf=Ent(keys.caf_number(rng), "CAF"), rg=common.rg_number(rng),
        )  # fmt: skip
        if len(doc) > next_break:
            doc.add(common.page_break(page, prefect_heading(cast.pref)))
            page += 1
            next_break = len(doc) + 2400
