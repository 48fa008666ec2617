"""Court decisions: civil and criminal judgments, appeal rulings, administrative judgments.

Court seats ("tribunal judiciaire de Nanterre", "barreau de Limoges") are not annotated: the
Cour de cassation does not mask them when it publishes decisions (see README).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from benchmarks.devset import common, keys, lexicon
from benchmarks.devset import people as pp
from benchmarks.devset.builder import Doc, Ent, Seg
from benchmarks.devset.decision_motifs import motifs

__all__ = ["generate_decision"]


@dataclass
class Cast:
    court: tuple[str, str]
    claimant: pp.Person
    defendant: pp.Person
    witness: pp.Person
    lawyer_a: pp.Person
    lawyer_b: pp.Person
    president: pp.Person
    assessor: pp.Person
    clerk: pp.Person
    rg: list[Seg]


def _e(person: pp.Person) -> str:
    return "e" if person.sex == "F" else ""


def _lawyer(person: pp.Person, rng: random.Random, *, short: bool = False) -> list[Seg]:
    title = rng.choice(["Maître ", "Me ", "Me "])
    form = "bare_last" if short else rng.choice(["full", "full", "bare_last"])
    return [title, *pp.mention(person, rng, form)]


def _party(doc: Doc, rng: random.Random, role: str, person: pp.Person, lawyer: pp.Person,
           seat: str) -> None:  # fmt: skip
    doc.line(f"{role} :")
    doc.line("{n}", n=pp.mention(person, rng, rng.choice(["civ_full", "civ_upper"])))
    verb = "né" if person.sex == "M" else "née"
    doc.line(f"{verb} le {{d}} à {{p}}", d=Ent(pp.birth_date(person.birth, rng), "BIRTH_DATE"),
             p=Ent(person.birthplace, "LOCATION"))  # fmt: skip
    if person.birth_country:
        doc.add("(", Ent(person.birth_country, "LOCATION"), ")\n")
    doc.line("demeurant {a}", a=pp.address_mention(person.address, rng))
    doc.line("représenté{e} par {l}, avocat{e2} au barreau {s}, vestiaire {v}", e=_e(person),
             l=_lawyer(lawyer, rng), e2=_e(lawyer), s=common.de(seat),
             v=str(rng.randint(10, 900)))  # fmt: skip
    doc.line()


def _heading(doc: Doc, rng: random.Random, cast: Cast, title: str, roles: tuple[str, str]) -> None:
    doc.line(cast.court[0])
    doc.line(rng.choice(["1re chambre civile", "2e chambre", "Chambre sociale",
                         "Pôle famille", "3e chambre, 1re section"]))  # fmt: skip
    doc.line()
    doc.line(f"{title} DU {pp.plain_date(common.event_date(rng, start=2024)).upper()}")
    doc.line("{r}", r=cast.rg)
    doc.line(
        "AFFAIRE : {a} c/ {b}",
        a=Ent(pp.upper_name(cast.claimant.last), "PERSON"),
        b=Ent(pp.upper_name(cast.defendant.last), "PERSON"),
    )
    doc.line()
    seat = cast.court[1]
    _party(doc, rng, roles[0], cast.claimant, cast.lawyer_a, seat)
    doc.line("ET")
    doc.line()
    _party(doc, rng, roles[1], cast.defendant, cast.lawyer_b, seat)
    doc.line("COMPOSITION DE LA JURIDICTION :")
    doc.line(
        "Président{e} : {p}",
        e=_e(cast.president),
        p=pp.mention(cast.president, rng, rng.choice(["civ_full", "civ_last"])),
    )
    doc.line("Assesseur : {a}", a=pp.mention(cast.assessor, rng, "civ_full"))
    doc.line("Greffier : {g}", g=pp.mention(cast.clerk, rng, "civ_full"))
    doc.line()
    doc.line(f"DÉBATS : à l'audience publique du {pp.plain_date(common.event_date(rng))}")
    doc.line("DÉCISION : contradictoire, en premier ressort, prononcée par mise à disposition "
             "au greffe")  # fmt: skip
    doc.line()


def _signatures(doc: Doc, rng: random.Random, cast: Cast) -> None:
    doc.line()
    doc.line("LE GREFFIER\t\t\t\tLE PRÉSIDENT")
    doc.add(
        Ent(f"{cast.clerk.first} {pp.upper_name(cast.clerk.last)}", "PERSON"),
        "\t\t\t",
        Ent(f"{cast.president.first} {pp.upper_name(cast.president.last)}", "PERSON"),
        "\n",
    )


def _passport(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return keys.passport_fr(rng)
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
    return letters + str(rng.randint(1_000_000, 9_999_999))


def _court_in_text(court: tuple[str, str]) -> str:
    """ "TRIBUNAL JUDICIAIRE DE NANTERRE" -> "tribunal judiciaire de Nanterre"."""
    name, seat = court
    return name[: len(name) - len(seat)].lower() + seat


def _civil(doc: Doc, rng: random.Random, cast: Cast, long_doc: bool) -> None:
    a, b = cast.claimant, cast.defendant
    appeal = cast.court[0].startswith("COUR")
    roles = (
        ("APPELANT" if a.sex == "M" else "APPELANTE", "INTIMÉ" if b.sex == "M" else "INTIMÉE")
        if appeal
        else ("DEMANDEUR" if a.sex == "M" else "DEMANDERESSE",
              "DÉFENDEUR" if b.sex == "M" else "DÉFENDERESSE")
    )  # fmt: skip
    _heading(doc, rng, cast, "ARRÊT" if appeal else "JUGEMENT", roles)
    doc.line("EXPOSÉ DU LITIGE")
    doc.line()
    doc.line("Par acte de commissaire de justice du {d}, {a} a fait assigner {b} devant le "
             "tribunal judiciaire aux fins d'obtenir réparation du préjudice subi du fait de "
             "dégâts des eaux survenus dans l'appartement situé {x}.",
             d=pp.plain_date(common.event_date(rng)), a=pp.mention(a, rng, "civ_full"),
             b=pp.mention(b, rng, "civ_full"),
             x=pp.address_mention(a.address, rng))  # fmt: skip
    if appeal:
        doc.line("Par jugement du {d}, le tribunal a débouté {a} de ses demandes. {a2} a "
                 "interjeté appel devant la {c} par déclaration du {d2}.",
                 d=pp.plain_date(common.event_date(rng)), a=pp.mention(a, rng, "civ_last"),
                 a2=pp.mention(a, rng, "civ_full"), c=_court_in_text(cast.court),
                 d2=pp.plain_date(common.event_date(rng)))  # fmt: skip
    doc.line(
        "{a} expose que {b}, propriétaire du logement du dessus, n'a pas fait procéder "
        "aux réparations malgré une mise en demeure du {d}.",
        a=pp.mention(a, rng, "civ_last"),
        b=pp.mention(b, rng, "civ_last"),
        d=pp.plain_date(common.event_date(rng)),
    )
    doc.line()
    motifs(doc, rng, cast, target=10_400 if long_doc else 0)
    doc.line("PAR CES MOTIFS")
    doc.line()
    doc.line("Le tribunal, statuant publiquement, par jugement contradictoire et en premier "
             "ressort,")  # fmt: skip
    doc.line("CONDAMNE {b} à payer à {a} la somme de {m} en réparation de son préjudice "
             "matériel ;", b=pp.mention(b, rng, "civ_full"), a=pp.mention(a, rng, "civ_full"),
             m=common.amount(rng))  # fmt: skip
    doc.line("CONDAMNE {b} à payer à {a} la somme de {m} au titre de l'article 700 du code de "
             "procédure civile ;", b=pp.mention(b, rng, "civ_last"),
             a=pp.mention(a, rng, "civ_last"), m=common.amount(rng))  # fmt: skip
    doc.line(
        "CONDAMNE {b} aux dépens, dont distraction au profit de {l} ;",
        b=pp.mention(b, rng, "civ_last"),
        l=_lawyer(cast.lawyer_a, rng, short=True),
    )
    doc.line("RAPPELLE que l'exécution provisoire est de droit.")
    _signatures(doc, rng, cast)


def _criminal(doc: Doc, rng: random.Random, cast: Cast, long_doc: bool) -> None:
    a, b = cast.defendant, cast.claimant
    doc.line(rng.choice(["TRIBUNAL CORRECTIONNEL DE BRIVE-LA-GAILLARDE",
                         "TRIBUNAL JUDICIAIRE DE LIMOGES — CHAMBRE CORRECTIONNELLE"]))  # fmt: skip
    doc.line(f"JUGEMENT CORRECTIONNEL DU {pp.plain_date(common.event_date(rng)).upper()}")
    doc.line(
        "N° de parquet : {p} — N° de jugement : {j}",
        p=Ent(f"{rng.randint(21, 25)}{rng.randint(100, 365):03d}{rng.randint(10, 99)}",
              "FILE_NUMBER"),
        j=Ent(f"{rng.randint(100, 2500)}/{rng.randint(23, 25)}", "FILE_NUMBER"),
    )  # fmt: skip
    doc.line()
    doc.line("PRÉVENU{e} :", e="E" if a.sex == "F" else "")
    doc.line(
        "Nom : {l}    Prénoms : {f}",
        l=Ent(pp.upper_name(a.last), "PERSON"),
        f=Ent(a.first, "PERSON"),
    )
    doc.line(
        "Né{e} le {d} à {p}",
        e=_e(a),
        d=Ent(pp.birth_date(a.birth, rng), "BIRTH_DATE"),
        p=Ent(a.birthplace, "LOCATION"),
    )
    doc.line("Demeurant : {x}", x=pp.address_mention(a.address, rng))
    doc.line(
        f"Profession : {rng.choice(['boulanger', 'chauffeur-livreur', 'sans emploi', 'maçon'])}"
    )
    if rng.random() < 0.5:
        doc.line(
            "Pièce d'identité : carte nationale d'identité n° {c}",
            c=Ent(keys.cni_old(rng) if rng.random() < 0.5 else keys.cni_new(rng), "ID_CARD"),
        )
    else:
        doc.line("Pièce d'identité : passeport n° {c}", c=Ent(keys.passport_fr(rng), "PASSPORT"))
    doc.line(
        "Assisté{e} de {l}, avocat au barreau {s}",
        e=_e(a),
        l=_lawyer(cast.lawyer_b, rng),
        s=common.de(cast.court[1]),
    )
    doc.line()
    doc.line(
        "PARTIE CIVILE : {b}, représenté{e} par {l}",
        b=pp.mention(b, rng, "civ_full"),
        e=_e(b),
        l=_lawyer(cast.lawyer_a, rng),
    )
    doc.line(
        "TÉMOIN : {w}, demeurant {x}",
        w=pp.mention(cast.witness, rng, "civ_full"),
        x=pp.address_mention(cast.witness.address, rng),
    )
    doc.line()
    place = rng.choice(["Malemort", "Objat", "Allassac", "Donzenac", "Isle", "Uzerche"])
    doc.line("PRÉVENTION : d'avoir à {p}, le {d}, conduit le véhicule immatriculé {v} sous "
             "l'empire d'un état alcoolique caractérisé par une concentration d'alcool de 0,62 mg "
             "par litre d'air expiré, faits prévus et réprimés par l'{art}.",
             p=Ent(place, "LOCATION"), d=pp.plain_date(common.event_date(rng)),
             v=Ent(keys.plate_siv(rng), "PLATE"), art=common.article(rng))  # fmt: skip
    doc.line()
    motifs(doc, rng, cast, target=10_400 if long_doc else 0)
    doc.line("PAR CES MOTIFS")
    doc.line(
        "DÉCLARE {a} coupable des faits qui lui sont reprochés ;",
        a=pp.mention(a, rng, rng.choice(["last_first", "civ_upper"])),
    )
    doc.line("CONDAMNE {a} à une peine de {n} mois d'emprisonnement avec sursis et à une amende "
             "de {m} ;", a=pp.mention(a, rng, "civ_last"), n=str(rng.randint(2, 8)),
             m=common.amount(rng))  # fmt: skip
    doc.line(
        "CONSTATE l'annulation de plein droit du permis de conduire de {a} ;",
        a=pp.mention(a, rng, "bare_last"),
    )
    doc.line("CONDAMNE {a} à payer à {b} la somme de {m} à titre de dommages et intérêts.",
             a=pp.mention(a, rng, "civ_last"), b=pp.mention(b, rng, "civ_full"),
             m=common.amount(rng))  # fmt: skip
    _signatures(doc, rng, cast)


def _administrative(doc: Doc, rng: random.Random, cast: Cast, long_doc: bool) -> None:
    a = cast.claimant
    pref = rng.choice(lexicon.PREFECTURES)
    doc.line(f"TRIBUNAL ADMINISTRATIF {common.de(pref[2]).upper()}")
    doc.line("N° {n}", n=Ent(f"{rng.randint(23, 25)}0{rng.randint(1000, 9999)}", "FILE_NUMBER"))
    doc.line("___________")
    doc.line("{a} c/ préfet {x}{y}", a=pp.mention(a, rng, "civ_upper"), x=pref[1], y=pref[0])
    doc.line("___________")
    doc.line("{r}\nRapporteur{e}", r=pp.mention(cast.assessor, rng, "civ_last"),
             e=_e(cast.assessor))  # fmt: skip
    doc.line("{p}\nRapporteur{e} public{e}", p=pp.mention(cast.witness, rng, "civ_last"),
             e=_e(cast.witness))  # fmt: skip
    doc.line(f"Audience du {pp.plain_date(common.event_date(rng))}")
    doc.line()
    doc.line("RÉPUBLIQUE FRANÇAISE\nAU NOM DU PEUPLE FRANÇAIS")
    doc.line()
    doc.line("Vu la procédure suivante :")
    doc.line("Par une requête enregistrée le {d}, {a}, représenté{e} par {l}, demande au "
             "tribunal d'annuler l'arrêté du {d2} par lequel le préfet {x}{y} a refusé de lui "
             "délivrer un titre de séjour et l'a obligé{e} à quitter le territoire français.",
             d=pp.plain_date(common.event_date(rng)), a=pp.mention(a, rng, "civ_full"),
             e=_e(a), l=_lawyer(cast.lawyer_a, rng), d2=pp.plain_date(common.event_date(rng)),
             x=pref[1], y=pref[0])  # fmt: skip
    doc.line(
        "{a} soutient que, né{e} le {b} à {p}{c}, {pr} réside en France depuis 2015 "
        "avec son épouse ou sa compagne, {w}, et leurs enfants.",
        a=pp.mention(a, rng, "civ_last"),
        e=_e(a),
        b=Ent(pp.birth_date(a.birth, rng), "BIRTH_DATE"),
        p=Ent(a.birthplace, "LOCATION"),
        c=[" (", Ent(a.birth_country, "LOCATION"), ")"] if a.birth_country else "",
        pr="elle" if a.sex == "F" else "il",
        w=pp.mention(cast.defendant, rng, "civ_full"),
    )
    doc.line(
        "Son numéro étranger est le {g} ; {pr} est titulaire du passeport n° {p}.",
        g=Ent(keys.agdref(rng), "AGDREF"),
        pr="elle" if a.sex == "F" else "il",
        p=Ent(_passport(rng), "PASSPORT"),
    )
    doc.line()
    doc.line(f"Vu les autres pièces du dossier ;\nVu l'{common.article(rng)} ;\n"
             f"Vu le code de justice administrative.")  # fmt: skip
    doc.line()
    doc.line("Considérant ce qui suit :")
    motifs(doc, rng, cast, target=10_400 if long_doc else 0, numbered=True)
    doc.line("D É C I D E :")
    doc.line("Article 1er : L'arrêté du préfet {x}{y} est annulé.", x=pref[1], y=pref[0])
    doc.line("Article 2 : L'État versera à {l} la somme de {m} en application de l'article "
             "L. 761-1 du code de justice administrative.", l=_lawyer(cast.lawyer_a, rng,
             short=True), m=common.amount(rng))  # fmt: skip
    doc.line(
        "Article 3 : Le présent jugement sera notifié à {a} et au préfet {x}{y}.",
        a=pp.mention(a, rng, "civ_full"),
        x=pref[1],
        y=pref[0],
    )


def generate_decision(
    rng: random.Random, doc_id: str, *, long_doc: bool = False, variant: int | None = None
) -> Doc:
    """``variant`` picks the kind of decision in turn, so that a set covers them evenly."""
    kinds = ("civil", "civil", "criminal", "administrative")
    kind = kinds[variant % 4] if variant is not None else rng.choice(kinds)
    civil_courts = [c for c in lexicon.COURTS if c[0].startswith(("TRIBUNAL JUDICIAIRE", "COUR"))]
    court = rng.choice(civil_courts if kind == "civil" else lexicon.COURTS)
    cast = Cast(
        court=court,
        claimant=pp.make_person(rng, min_year=1950, max_year=2000),
        defendant=pp.make_person(rng, min_year=1950, max_year=2000),
        witness=pp.make_person(rng, min_year=1950, max_year=2000),
        lawyer_a=pp.make_person(rng, min_year=1960, max_year=1995),
        lawyer_b=pp.make_person(rng, min_year=1960, max_year=1995),
        president=pp.make_person(rng, min_year=1958, max_year=1985),
        assessor=pp.make_person(rng, min_year=1960, max_year=1990),
        clerk=pp.make_person(rng, min_year=1965, max_year=1998),
        rg=common.rg_number(rng),
    )
    doc = Doc(doc_id, "decision")
    {"civil": _civil, "criminal": _criminal, "administrative": _administrative}[kind](
        doc, rng, cast, long_doc
    )
    return doc
