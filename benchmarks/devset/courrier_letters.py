"""Bodies of the préfecture's letters to an usager or a company."""

from __future__ import annotations

import random

from benchmarks.devset import common, keys
from benchmarks.devset import people as pp
from benchmarks.devset.builder import Doc, Ent
from benchmarks.devset.courrier_frame import (
    Cast,
    born,
    closing,
    foreign_passport,
    history,
    iban_text,
    plate_text,
    pref_address,
    salutation,
    spi_text,
)

__all__ = ["accuse", "entreprise", "permis", "sejour", "titre"]


def _feminine(person: pp.Person) -> str:
    return "e" if person.sex == "F" else ""


def sejour(doc: Doc, rng: random.Random, cast: Cast, long_doc: bool) -> None:
    u, rel = cast.usager, cast.relative
    doc.line("Objet : demande de renouvellement de titre de séjour – pièces manquantes")
    doc.line("N° étranger (AGDREF) : {n}", n=Ent(keys.agdref(rng), "AGDREF"))
    doc.line(f"Réf. : {common.article(rng)}")
    doc.line()
    doc.line(salutation(u, rng))
    doc.line(
        "Vous avez déposé le {d} une demande de renouvellement de votre carte de séjour "
        "temporaire portant la mention « vie privée et familiale ». L'examen de votre dossier, "
        "enregistré sous la référence {r}, fait apparaître qu'il est incomplet.",
        d=pp.plain_date(common.event_date(rng, start=2024)),
        r=common.file_reference(rng, "BSE"),
    )
    doc.line()
    doc.line("Afin de poursuivre l'instruction, je vous invite à transmettre, dans un délai d'un "
             "mois à compter de la réception de ce courrier, les pièces suivantes :")  # fmt: skip
    passport = keys.passport_fr(rng) if rng.random() < 0.3 else foreign_passport(rng)
    doc.line(
        "- la copie intégrale de votre passeport n° {p} en cours de validité ;",
        p=Ent(passport, "PASSPORT"),
    )
    doc.line(
        "- votre dernier avis d'imposition (numéro fiscal : {t}) ;", t=Ent(spi_text(rng), "TAX_ID")
    )
    doc.line("- une attestation de paiement de la caisse d'allocations familiales (numéro "
             "d'allocataire {c}) ;", c=Ent(keys.caf_number(rng), "CAF"))  # fmt: skip
    doc.line(
        "- un justificatif de domicile de moins de trois mois au {a} ;",
        a=Ent(pp.address_inline(u.address, rng), "ADDRESS"),
    )
    doc.line(
        "- l'acte de naissance de votre conjoint{e}, {r}{b}.",
        e=_feminine(rel),
        r=pp.mention(rel, rng, "civ_full"),
        b=born(rel, rng),
    )
    doc.line()
    doc.line(
        "Je vous rappelle qu'en application de l'{a}, le silence gardé par l'administration "
        "pendant quatre mois vaut décision implicite de rejet. Le droit de timbre de {m} "
        "reste dû.",
        a=common.article(rng),
        m=common.amount(rng),
    )
    if long_doc:
        history(doc, rng, cast)
    doc.line()
    doc.line(closing(u, rng))


def titre(doc: Doc, rng: random.Random, cast: Cast, long_doc: bool) -> None:
    u = cast.usager
    doc.line("Objet : mise à disposition de votre titre de séjour")
    doc.line()
    doc.line(salutation(u, rng))
    doc.line(
        "J'ai l'honneur de vous informer que le titre de séjour sollicité au nom de {n}{b} est "
        "disponible. Vous êtes invité{e} à vous présenter au guichet, muni{e} de la présente "
        "convocation, de votre passeport et de votre récépissé, le {d} à 10 h 30.",
        n=pp.mention(u, rng, "civ_full"),
        b=born(u, rng),
        e=_feminine(u),
        d=pp.plain_date(common.event_date(rng, start=2025)),
    )
    doc.line()
    doc.line(
        "Votre numéro étranger est le {n} ; rappelez-le dans toutes vos correspondances, "
        "ainsi que le numéro de votre passeport ({p}).",
        n=Ent(keys.agdref(rng), "AGDREF"),
        p=Ent(foreign_passport(rng), "PASSPORT"),
    )
    doc.line(
        "Le titre vous sera remis contre paiement d'un timbre fiscal de {m}, conformément au "
        "{d}. En cas d'empêchement, prévenez le bureau au {p}.",
        m=common.amount(rng),
        d=common.decree(rng),
        p=Ent(pp.phone(rng, "fixe"), "SERVICE_PHONE"),
    )
    if rng.random() < 0.5:
        doc.line(
            "Les enfants mineurs {k1} et {k2} figureront sur le document de circulation "
            "délivré à votre demande.",
            k1=pp.mention(pp.make_person(rng, min_year=2010, max_year=2020), rng, "first"),
            k2=pp.mention(pp.make_person(rng, min_year=2010, max_year=2020), rng, "full"),
        )
    if long_doc:
        history(doc, rng, cast)
    doc.line()
    doc.line(closing(u, rng))


def permis(doc: Doc, rng: random.Random, cast: Cast, long_doc: bool) -> None:
    u, doctor = cast.usager, cast.relative
    doc.line("Objet : suspension administrative du permis de conduire")
    doc.line(f"Références : {common.article(rng)} ; {common.decree(rng)}")
    doc.line()
    doc.line(salutation(u, rng))
    place = rng.choice(["Feytiat", "Isle", "Panazol", "Couzeix", "Nexon", "Ambazac", "Ussel"])
    doc.line(
        "Le {d}, le véhicule immatriculé {v}, que vous conduisiez, a été contrôlé sur le "
        "territoire de la commune de {c} à une vitesse de 142 km/h pour une vitesse maximale "
        "autorisée de 90 km/h.",
        d=pp.plain_date(common.event_date(rng, start=2024)),
        v=Ent(plate_text(rng), "PLATE"),
        c=Ent(place, "LOCATION"),
    )
    doc.line()
    doc.line(
        "En conséquence, j'ai décidé de suspendre votre permis de conduire pour une durée de "
        "{n} mois à compter de la notification du présent courrier. L'amende forfaitaire de "
        "{m} est distincte de cette mesure.",
        n=str(rng.randint(2, 6)),
        m=common.amount(rng),
    )
    doc.line()
    doc.line(
        "Avant toute restitution, un examen médical est obligatoire : prenez rendez-vous auprès "
        "de la commission médicale au {p}. Le Dr {d}, médecin agréé, reçoit à son cabinet, {a}.",
        p=Ent(pp.phone(rng, "fixe"), "SERVICE_PHONE"),
        d=pp.mention(doctor, rng, "bare_last"),
        a=pp.address_mention(doctor.address, rng),
    )
    doc.line(
        "Cette décision peut faire l'objet d'un recours gracieux auprès de mes services ou d'un "
        "recours contentieux devant le tribunal administratif de {t} dans un délai de deux mois.",
        t=cast.pref[2],
    )
    if long_doc:
        history(doc, rng, cast)
    doc.line()
    doc.line(closing(u, rng))


_REQUESTS = (
    "inscription sur la liste électorale complémentaire",
    "autorisation de port d'arme de catégorie B",
    "acquisition de la nationalité française par déclaration",
    "agrément en qualité de garde particulier",
    "autorisation d'organiser une manifestation sportive sur la voie publique",
)


def accuse(doc: Doc, rng: random.Random, cast: Cast, long_doc: bool) -> None:
    u = cast.usager
    doc.line("ACCUSÉ DE RÉCEPTION D'UNE DEMANDE")
    doc.line("(articles L. 112-3 et R. 112-5 du code des relations entre le public et "
             "l'administration)")  # fmt: skip
    doc.line()
    doc.line("Demandeur : {n}", n=pp.mention(u, rng, rng.choice(["civ_full", "civ_upper"])))
    doc.line("Date et lieu de naissance : {d} à {l}", d=Ent(pp.birth_date(u.birth, rng),
             "BIRTH_DATE"), l=Ent(u.birthplace, "LOCATION"))  # fmt: skip
    doc.line("Adresse : {a}", a=Ent(pp.address_inline(u.address, rng), "ADDRESS"))
    doc.line("Téléphone : {p}", p=Ent(pp.phone(rng), "PHONE"))
    doc.line("Courriel : {e}", e=Ent(pp.email_for(u, rng), "EMAIL"))
    doc.line(f"Objet de la demande : {rng.choice(_REQUESTS)}")
    doc.line(f"Date de réception : {pp.plain_date(common.event_date(rng, start=2024))}")
    doc.line("Numéro d'enregistrement : {r}", r=common.file_reference(rng, cast.service[2]))
    doc.line()
    doc.line(
        "Le service chargé de votre dossier est le {b}, {a}. Votre demande sera examinée dans "
        "un délai de deux mois. En application de l'{art}, le silence gardé pendant ce délai "
        "vaut décision de rejet ; vous pourrez alors saisir le tribunal administratif de {t}.",
        b=cast.service[1].lower(),
        a=Ent(pref_address(cast.pref, rng), "SERVICE_ADDRESS"),
        art=common.article(rng),
        t=cast.pref[2],
    )
    doc.line(
        "Si votre demande est incomplète, le service vous indiquera les pièces manquantes ; "
        "le délai ne court qu'à compter de leur réception. Les informations recueillies font "
        "l'objet d'un traitement conforme à la {r}.",
        r=common.law(rng),
    )
    if long_doc:
        history(doc, rng, cast)


_COMPANIES = (
    "Auto-École du Centre", "Transports Fontaine", "Taxis du Limousin", "Boulangerie Petit",
    "VTC Services 87", "Auto-École Marchand", "Ambulances Roux", "Garage Masson et Fils",
)  # fmt: skip


def entreprise(doc: Doc, rng: random.Random, cast: Cast, long_doc: bool) -> None:
    manager, teacher = cast.usager, cast.relative
    company = rng.choice(_COMPANIES)
    siren = keys.siren(rng)
    siret = keys.siret(rng, siren)
    siret_text = (
        siret if rng.random() < 0.5 else f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    )
    siren_text = siren if rng.random() < 0.5 else f"{siren[:3]} {siren[3:6]} {siren[6:]}"
    doc.line("Objet : renouvellement de l'agrément n° E {n} 087 0004 0", n=str(rng.randint(10, 24)))
    doc.line()
    doc.line(salutation(manager, rng))
    doc.line(
        "Par dossier reçu le {d}, vous avez sollicité, en qualité de gérant{e} de la société "
        "« {c} » (SIREN {sn}), le renouvellement de l'agrément de l'établissement situé {a}, "
        "immatriculé sous le numéro SIRET {st}.",
        d=pp.plain_date(common.event_date(rng, start=2024)), e=_feminine(manager), c=company,
        sn=Ent(siren_text, "SIREN"), a=Ent(pp.address_inline(pp.make_address(rng), rng),
                                           "ADDRESS"),
        st=Ent(siret_text, "SIRET"),
    )  # fmt: skip
    doc.line(
        "L'enseignant{e} déclaré{e}, {t}, titulaire de l'autorisation d'enseigner n° A 19 087 "
        "0012 0, remplit les conditions prévues par l'{art}.",
        e=_feminine(teacher),
        t=pp.mention(teacher, rng, "civ_full"),
        art=common.article(rng),
    )
    doc.line(
        "Les frais de dossier, soit {m}, ont été prélevés sur le compte {i} ; aucun autre "
        "paiement n'est dû. {n} pourra joindre le bureau au {p} pour toute question.",
        m=common.amount(rng),
        i=Ent(iban_text(rng), "IBAN"),
        n=pp.mention(manager, rng, "civ_last"),
        p=Ent(pp.phone(rng, "fixe"), "SERVICE_PHONE"),
    )
    if long_doc:
        history(doc, rng, cast)
    doc.line()
    doc.line(closing(manager, rng))
