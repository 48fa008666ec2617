"""Administrative documents of a préfecture: letters, arrêtés, notes, accusés de réception."""

from __future__ import annotations

import random
from collections.abc import Callable

from benchmarks.devset import common, keys, lexicon
from benchmarks.devset import people as pp
from benchmarks.devset.builder import Doc, Ent
from benchmarks.devset.courrier_frame import (
    Cast,
    born,
    entete,
    footer,
    history,
    iban_text,
    plate_text,
    pref_address,
    prefect_heading,
    signature,
    spi_text,
    vedette,
)
from benchmarks.devset.courrier_letters import accuse, entreprise, permis, sejour, titre

__all__ = ["generate_courrier"]

_SERVICES = {
    "sejour": ("Direction de la citoyenneté et de la légalité", "Bureau du séjour des étrangers",
               "DCL/BSE"),
    "titre": ("Direction de la citoyenneté et de la légalité", "Bureau de l'accueil des étrangers",
              "DCL/BAE"),
    "permis": ("Direction de la citoyenneté et de la légalité",
               "Bureau de la circulation et de la sécurité routières", "DCL/BCSR"),
    "reclamation": ("Direction de la citoyenneté et de la légalité", "Bureau des titres", "DCL/BT"),
    "arrete": ("Direction des sécurités", "Bureau des polices administratives", "DS/BPA"),
    "note": ("Cabinet du préfet", "Bureau du cabinet", "CAB/BC"),
    "accuse": ("Direction de la citoyenneté et de la légalité",
               "Bureau des élections et de la réglementation", "DCL/BER"),
    "entreprise": ("Direction de la citoyenneté et de la légalité",
                   "Bureau de l'éducation routière", "DCL/BER"),
}  # fmt: skip

_Body = Callable[[Doc, random.Random, Cast, bool], None]
_LETTERS: dict[str, _Body] = {
    "sejour": sejour, "titre": titre, "permis": permis, "accuse": accuse, "entreprise": entreprise,
}  # fmt: skip

_MEASURES = (
    ("portant suspension du permis de conduire", "la suspension du permis de conduire de"),
    ("portant fermeture administrative d'un débit de boissons",
     "la fermeture pour une durée de quinze jours de l'établissement exploité par"),
    ("portant dessaisissement d'armes", "le dessaisissement des armes détenues par"),
    ("portant interdiction de paraître", "l'interdiction de paraître aux abords du stade de"),
)  # fmt: skip


def _arrete(doc: Doc, rng: random.Random, cast: Cast, long_doc: bool) -> None:
    u, pref = cast.usager, cast.pref
    title, measure = rng.choice(_MEASURES)
    year = rng.randint(2023, 2025)
    doc.line(prefect_heading(pref))
    doc.line("Liberté\nÉgalité\nFraternité\n")
    doc.line(cast.service[0])
    doc.line()
    doc.line(f"ARRÊTÉ n° {year}-{rng.randint(1, 2999):04d} du "
             f"{pp.plain_date(common.event_date(rng, start=year, end=year))} {title}")  # fmt: skip
    doc.line()
    doc.line(f"Le préfet {pref[1]}{pref[0]},")
    doc.line("Chevalier de la Légion d'honneur,\nOfficier de l'ordre national du Mérite,")
    doc.line()
    doc.line(f"VU l'{common.article(rng)} ;")
    doc.line(f"VU le {common.decree(rng)} relatif aux pouvoirs des préfets ;")
    doc.line("VU le décret du {d} portant nomination de {p} en qualité de préfet {x}{y} ;",
             d=pp.plain_date(common.event_date(rng)), p=pp.mention(cast.prefect, rng, "civ_full"),
             x=pref[1], y=pref[0])  # fmt: skip
    doc.line("VU l'arrêté préfectoral du {d} portant délégation de signature à {s}, secrétaire "
             "général{e} de la préfecture ;", d=pp.plain_date(common.event_date(rng)),
             s=pp.mention(cast.signatory, rng, "civ_full"),
             e="e" if cast.signatory.sex == "F" else "")  # fmt: skip
    doc.line("VU le rapport du commandant de la brigade de gendarmerie {c} en date du {d} ;",
             c=common.de(rng.choice(["Saint-Junien", "Bellac", "Ussel", "Aubusson"])),
             d=pp.plain_date(common.event_date(rng)))  # fmt: skip
    doc.line()
    doc.line("CONSIDÉRANT que {n}{b}, titulaire de la carte nationale d'identité n° {c}, demeurant "
             "{a}, a été interpellé{e} le {d} au volant du véhicule immatriculé {v} ;",
             n=pp.mention(u, rng, "civ_full"), b=born(u, rng),
             c=Ent(keys.cni_old(rng) if rng.random() < 0.5 else keys.cni_new(rng), "ID_CARD"),
             a=pp.address_mention(u.address, rng),
             e="e" if u.sex == "F" else "", d=pp.plain_date(common.event_date(rng)),
             v=Ent(plate_text(rng), "PLATE"))  # fmt: skip
    doc.line("CONSIDÉRANT que les faits reprochés à {n} sont de nature à troubler l'ordre "
             "public et que {r}, témoin, les a confirmés ;", n=pp.mention(u, rng, "civ_last"),
             r=pp.mention(cast.relative, rng))  # fmt: skip
    doc.line()
    doc.line("Sur proposition du secrétaire général de la préfecture,")
    doc.line()
    doc.line("ARRÊTE")
    doc.line()
    doc.line("Article 1er : Est prononcée {m} {n}.", m=measure, n=pp.mention(u, rng, "civ_full"))
    doc.line(
        "Article 2 : Le présent arrêté sera notifié à l'intéressé{e} et publié au recueil "
        "des actes administratifs de la préfecture.",
        e="e" if u.sex == "F" else "",
    )
    doc.line("Article 3 : Le secrétaire général de la préfecture et le directeur départemental "
             "de la sécurité publique sont chargés, chacun en ce qui le concerne, de l'exécution "
             "du présent arrêté.")  # fmt: skip
    if long_doc:
        history(doc, rng, cast)
    doc.line()
    doc.line(f"Fait à {pref[2]}, le {pp.plain_date(common.event_date(rng, start=2024))}")
    doc.line("Le préfet,")
    doc.line("{p}", p=pp.mention(cast.prefect, rng, "full"))
    doc.line()
    doc.add(f"Voies et délais de recours : le présent arrêté peut faire l'objet d'un recours "
            f"devant le tribunal administratif de {pref[2]} dans un délai de deux mois, y compris "
            f"par l'application Télérecours citoyens (www.telerecours.fr).\n")  # fmt: skip


def _note(doc: Doc, rng: random.Random, cast: Cast, long_doc: bool) -> None:
    u, rel, pref = cast.usager, cast.relative, cast.pref
    siren = keys.siren(rng)
    doc.line(prefect_heading(pref))
    doc.line(cast.service[0])
    doc.line(f"{pref[2]}, le {pp.plain_date(common.event_date(rng, start=2024))}")
    doc.line()
    doc.line("NOTE")
    doc.line(rng.choice(["à l'attention de Monsieur le directeur de cabinet",
                         "à l'attention de Madame la secrétaire générale",
                         "à l'attention de Monsieur le préfet"]))  # fmt: skip
    doc.line("s/c de Madame la sous-préfète, directrice de cabinet")
    doc.line()
    doc.line("Objet : situation de {n}", n=pp.mention(u, rng, "civ_upper"))
    doc.line(f"Réf. : votre demande du {pp.plain_date(common.event_date(rng))} ; {{r}}",
             r=common.file_reference(rng, "CAB"))  # fmt: skip
    doc.line("P.J. : 2")
    doc.line()
    doc.line("Par courriel du {d}, {r} ({e}) a appelé l'attention du cabinet sur la situation "
             "de {n}{b}, demeurant {a}.", d=pp.plain_date(common.event_date(rng)),
             r=pp.mention(rel, rng, "civ_full"), e=Ent(pp.email_for(rel, rng), "EMAIL"),
             n=pp.mention(u, rng, "civ_full"), b=born(u, rng),
             a=pp.address_mention(u.address, rng))  # fmt: skip
    doc.line()
    doc.line("1. Éléments de contexte")
    doc.line(
        "{n} est titulaire d'une carte de séjour pluriannuelle (numéro étranger {g}). "
        "{i} perçoit le revenu de solidarité active (allocataire CAF n° {c}).",
        n=pp.mention(u, rng, "civ_last"),
        g=Ent(keys.agdref(rng), "AGDREF"),
        i="Il" if u.sex == "M" else "Elle",
        c=Ent(keys.caf_number(rng), "CAF"),
    )
    doc.line(
        "Son ancien employeur, la société {o} (SIREN {s}), a cessé son activité en {y}. "
        "Le numéro de sécurité sociale de l'intéressé{e} ({nir}) a été communiqué à la "
        "caisse primaire pour le maintien des droits.",
        o=rng.choice(["Transports Fontaine", "SARL Blanc Rénovation", "Sécuritas Ouest"]),
        s=Ent(siren, "SIREN"),
        y=str(rng.randint(2019, 2024)),
        e="e" if u.sex == "F" else "",
        nir=Ent(pp.nir_text(u.nir, rng), "NIR"),
    )
    doc.line()
    doc.line("2. Proposition")
    doc.line("Je propose de recevoir {n} en rendez-vous et d'informer {r} des suites données, "
             "sans préjuger de la décision du préfet. Le directeur de cabinet pourrait signer la "
             "réponse ci-jointe.", n=pp.mention(u, rng, "civ_last"),
             r=pp.mention(rel, rng, "civ_last"))  # fmt: skip
    if long_doc:
        history(doc, rng, cast)
    doc.line()
    doc.line("{a}", a=pp.mention(cast.agent, rng, "full"))
    doc.line(rng.choice(["Chargé de mission", "Chef du bureau du cabinet", "Adjointe au chef "
                         "du bureau"]))  # fmt: skip
    doc.line("Tél. : {p}", p=Ent(pp.phone(rng, "fixe"), "PHONE"))


def _reclamation(doc: Doc, rng: random.Random, cast: Cast, long_doc: bool) -> None:
    u, rel, pref = cast.usager, cast.relative, cast.pref
    doc.line("{n}", n=pp.mention(u, rng, rng.choice(["full", "last_first"])))
    doc.line("{a}", a=Ent(pp.address_block(u.address, rng), "ADDRESS"))
    doc.line("Tél. : {p}", p=Ent(pp.phone(rng, "mobile"), "PHONE"))
    doc.line("Courriel : {e}", e=Ent(pp.email_for(u, rng), "EMAIL"))
    doc.line()
    doc.line(f"\t\t\t\tPréfecture {pref[1]}{pref[0]}")
    doc.line(f"\t\t\t\t{cast.service[1]}")
    doc.line("\t\t\t\t{a}", a=Ent(pref_address(pref, rng), "SERVICE_ADDRESS"))
    doc.line()
    doc.line(
        "{c}, le {d}",
        c=Ent(u.address.commune, "LOCATION"),
        d=pp.plain_date(common.event_date(rng, start=2024)),
    )
    doc.line()
    subject = rng.choice(["refund", "plate", "permit"])
    doc.line("Objet : réclamation – " + {
        "refund": "remboursement d'un timbre fiscal payé deux fois",
        "plate": "certificat d'immatriculation non reçu",
        "permit": "permis de conduire non reçu",
    }[subject])  # fmt: skip
    doc.line(
        f"Lettre recommandée avec accusé de réception n° 1A {rng.randint(100, 999)} "
        f"{rng.randint(100, 999)} {rng.randint(1000, 9999)} {rng.randint(1, 9)}"
    )
    doc.line()
    doc.line("Monsieur le Préfet,")
    doc.line()
    verb = "soussigné" if u.sex == "M" else "soussignée"
    doc.line("Je {v} {n}{b}, titulaire de la carte nationale d'identité n° {c}, me permets de "
             "vous adresser la présente réclamation.", v=verb, n=pp.mention(u, rng, "full"),
             b=born(u, rng), c=Ent(keys.cni_old(rng) if rng.random() < 0.6 else keys.cni_new(rng),
                                   "ID_CARD"))  # fmt: skip
    if subject == "refund":
        doc.line("Le {d}, j'ai acheté en ligne un timbre fiscal de {m} pour ma demande de titre, "
                 "mais le paiement a été débité deux fois. Je vous remercie de procéder au "
                 "remboursement sur mon compte bancaire : IBAN {i}, BIC CCBPFRPPLIM.",
                 d=pp.plain_date(common.event_date(rng)), m=common.amount(rng),
                 i=Ent(iban_text(rng, foreign=rng.random() < 0.3), "IBAN"))  # fmt: skip
        doc.line("Pour information, mon numéro fiscal est le {t}.", t=Ent(spi_text(rng), "TAX_ID"))
    elif subject == "plate":
        doc.line("J'ai acheté le {d} un véhicule d'occasion, immatriculé {v}, auprès de {r}. "
                 "Le certificat d'immatriculation à mon nom ne m'est jamais parvenu.",
                 d=pp.plain_date(common.event_date(rng)), v=Ent(plate_text(rng), "PLATE"),
                 r=pp.mention(rel, rng, "civ_full"))  # fmt: skip
    else:
        doc.line("Ma demande de permis de conduire, déposée le {d}, n'a reçu aucune réponse. "
                 "{k}, {r}, qui m'a aidé dans mes démarches, peut être joint{e} au {p}.",
                 k="Ma fille" if rel.sex == "F" else "Mon fils", e="e" if rel.sex == "F" else "",
                 d=pp.plain_date(common.event_date(rng)), r=pp.mention(rel, rng, "full"),
                 p=Ent(pp.phone(rng), "PHONE"))  # fmt: skip
    doc.line(
        "Je reste à votre disposition au {p} pour tout renseignement complémentaire.",
        p=Ent(pp.phone(rng), "PHONE"),
    )
    if long_doc:
        history(doc, rng, cast)
    doc.line()
    doc.line("Je vous prie d'agréer, Monsieur le Préfet, l'expression de ma haute considération.")
    doc.line()
    doc.line("{n}", n=pp.mention(u, rng, "full"))
    doc.add("P.J. : copie de ma carte d'identité ; relevé d'identité bancaire.\n")


def generate_courrier(
    rng: random.Random, doc_id: str, *, long_doc: bool = False, variant: int | None = None
) -> Doc:
    """``variant`` picks the kind of document in turn, so that a set covers them evenly."""
    subtypes = tuple(_SERVICES)
    subtype = subtypes[variant % len(subtypes)] if variant is not None else rng.choice(subtypes)
    cast = Cast(
        pref=rng.choice(lexicon.PREFECTURES),
        usager=pp.make_person(rng, min_year=1950, max_year=2004),
        relative=pp.make_person(rng, min_year=1950, max_year=2004),
        agent=pp.make_person(rng, min_year=1962, max_year=1999),
        signatory=pp.make_person(rng, min_year=1960, max_year=1990),
        prefect=pp.make_person(rng, min_year=1958, max_year=1975),
        service=_SERVICES[subtype],
    )
    doc = Doc(doc_id, "courrier")
    special = {"arrete": _arrete, "note": _note, "reclamation": _reclamation}
    if subtype in special:
        special[subtype](doc, rng, cast, long_doc)
        return doc
    entete(doc, rng, cast)
    vedette(doc, rng, cast.usager)
    _LETTERS[subtype](doc, rng, cast, long_doc)
    signature(doc, rng, cast)
    footer(doc, rng, cast.pref)
    return doc
