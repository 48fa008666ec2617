"""The reasons (motifs) of a court decision, long enough on demand to span several pages."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from benchmarks.devset import common, keys
from benchmarks.devset import people as pp
from benchmarks.devset.builder import Doc, Ent, Piece

if TYPE_CHECKING:
    from benchmarks.devset.decision import Cast

__all__ = ["motifs"]

_PARAGRAPHS = (
    "Aux termes de l'{art}, tout fait quelconque de l'homme qui cause à autrui un dommage "
    "oblige celui par la faute duquel il est arrivé à le réparer. En l'espèce, {a} verse aux "
    "débats un constat établi le {d}, dont il ressort que les désordres sont apparus après les "
    "travaux entrepris par {b}.",
    "Il résulte de l'attestation établie le {d} par {w}, demeurant {x}, conforme aux "
    "prescriptions de l'article 202 du code de procédure civile, que {b} avait été informé{eb} "
    "de la situation dès le mois précédent.",
    "{lb} soutient pour {b} que la demande est prescrite. Toutefois, la Cour de cassation juge "
    "de manière constante (Cass. 2e civ., 12 mai 2022, pourvoi n° {pourvoi}) que le délai ne "
    "court qu'à compter de la manifestation du dommage.",
    "{b} produit un relevé du compte ouvert à son nom (IBAN {iban}) établissant le versement "
    "de la somme de {m} le {d}, ce que {a} ne conteste pas.",
    "Le rapport d'expertise déposé le {d} par {w}, expert inscrit sur la liste de la cour "
    "d'appel, évalue le coût des travaux de reprise à {m} ; ce montant n'est pas sérieusement "
    "discuté.",
    "{a} justifie de ressources modestes : {ia} perçoit l'allocation de logement (allocataire "
    "CAF n° {caf}) et produit son dernier avis d'imposition (numéro fiscal {spi}).",
    "Le numéro de sécurité sociale de {a} ({nir}) figure sur la pièce n° 12 communiquée par "
    "{lb} ; il n'est d'aucune utilité au litige et sera occulté de la copie délivrée aux tiers.",
    "Il ressort du procès-verbal n° {pv} que le véhicule immatriculé {plate}, appartenant "
    "à {b}, stationnait devant l'immeuble situé {x} au moment des faits.",
    "Joint par téléphone au {tel} le {d}, {w} a confirmé ses déclarations et précisé avoir vu "
    "{b} quitter les lieux peu avant l'intervention des secours.",
    "Par un courriel du {d} adressé à {a} depuis l'adresse {mail}, {b} reconnaissait le "
    "principe de sa dette et proposait un échéancier de paiement.",
    "Sur l'exécution provisoire : aucune circonstance ne justifie d'écarter l'exécution "
    "provisoire de droit ; il n'y a donc pas lieu de statuer de ce chef.",
    "Sur les frais irrépétibles : l'équité commande d'allouer à {a} une indemnité de {m} au "
    "titre de l'article 700 du code de procédure civile.",
    "{a} produit des bulletins de salaire délivrés par la société Transports {corp} (SIRET "
    "{siret}), qui établissent une activité professionnelle stable depuis 2019.",
    "La société {corp2}, immatriculée au registre du commerce et des sociétés de {city2} sous "
    "le numéro {siren}, est intervenue volontairement à l'instance par l'intermédiaire de "
    "son gérant, {w}.",
    "{a}, entendu{ea} à l'audience, a indiqué que {w} l'avait hébergé{ea} du {d} au {d2} à "
    "{city}, ce que confirment les pièces versées aux débats.",
)


def motifs(
    doc: Doc, rng: random.Random, cast: Cast, *, target: int, numbered: bool = False
) -> None:
    """Paragraphs of reasons; with ``target`` > 0, enough of them to exceed that many characters."""
    if not numbered:
        doc.line("MOTIFS DE LA DÉCISION")
        doc.line()
    a, b, w = cast.claimant, cast.defendant, cast.witness
    # Each person keeps one email, one phone, one account, as in a real case file.
    fixed: dict[str, Piece] = {
        "iban": Ent(_iban(rng), "IBAN"),
        "caf": Ent(keys.caf_number(rng), "CAF"),
        "spi": Ent(keys.spi(rng), "TAX_ID"),
        "nir": Ent(pp.nir_text(a.nir, rng), "NIR"),
        "tel": Ent(pp.phone(rng), "PHONE"),
        "mail": Ent(pp.email_for(b, rng), "EMAIL"),
        "plate": Ent(keys.plate_siv(rng), "PLATE"),
        "siret": Ent(keys.siret(rng), "SIRET"),
        "siren": Ent(_siren_text(rng), "SIREN"),
    }
    order = list(_PARAGRAPHS)
    rng.shuffle(order)
    number, page, next_break = 1, 2, len(doc) + 2800
    count = rng.randint(3, 5)
    while True:
        template = order[(number - 1) % len(order)]
        prefix = f"{number}. " if numbered else ""
        doc.line(prefix + template, art=common.article(rng), a=pp.mention(a, rng),
                 b=pp.mention(b, rng), w=pp.mention(w, rng, "civ_full"),
                 d=pp.plain_date(common.event_date(rng)), d2=pp.plain_date(common.event_date(rng)),
                 x=pp.address_mention(w.address, rng),
                 eb="e" if b.sex == "F" else "", ea="e" if a.sex == "F" else "",
                 ia="il" if a.sex == "M" else "elle", lb=["Maître ", *pp.mention(
                 cast.lawyer_b, rng, "bare_last")], m=common.amount(rng),
                 pourvoi=Ent(f"{rng.randint(18, 24)}-{rng.randint(10, 99)}.{rng.randint(100, 999)}",
                 "FILE_NUMBER"), pv=Ent(f"2024/00{rng.randint(1000, 9999)}", "FILE_NUMBER"),
                 corp=rng.choice(["Marchand", "Fontaine",
                 "Petit", "Roux"]), city=Ent(rng.choice(["Tulle", "Bellac", "Isle", "Nexon"]),
                 "LOCATION"), corp2=rng.choice(["SARL Lefèvre Habitat", "SCI Les Tilleuls",
                 "SAS Boulanger Frères"]), city2=rng.choice(["Limoges", "Brive", "Lyon"]),
                 **fixed)  # fmt: skip
        doc.line()
        number += 1
        if len(doc) >= target and number > count:
            break
        if target and len(doc) > next_break:
            doc.add(common.page_break(page, [*cast.rg, f" — {cast.court[0]}"]))
            page += 1
            next_break = len(doc) + 2800


def _siren_text(rng: random.Random) -> str:
    siren = keys.siren(rng)
    return rng.choice([siren, f"{siren[:3]} {siren[3:6]} {siren[6:]}"])


def _iban(rng: random.Random) -> str:
    iban = keys.iban_fr(rng) if rng.random() < 0.8 else keys.iban_foreign(rng, "BE")
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
