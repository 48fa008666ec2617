"""Sections of the hard documents of the development split (the guard is tuned on these).

Each section writes one class of difficulty: identifiers as OCR and forms write them, a NIR
with a wrong key after its cue (NIR_LIKE), case and file numbers after their cue (FILE_NUMBER),
dates in words or with odd separators, irregular phone numbers, names in capitals and first
names alone, addresses of court decisions, institutional contacts (reported, not gold) and
words that look like places or names and are not.
"""

from __future__ import annotations

import random

from benchmarks.devset import hard_values as hv
from benchmarks.devset import keys
from benchmarks.devset import people as pp
from benchmarks.devset.builder import Doc, Ent
from benchmarks.devset.hard import HardCast, Section

__all__ = ["SECTIONS"]

S = "dev"


def _caps(person: pp.Person) -> str:
    return f"{pp.upper_name(person.last)} {person.first.upper()}"


def _born(person: pp.Person) -> str:
    return "né" if person.sex == "M" else "née"


def identity_form(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    p = cast.main
    doc.line("IDENTITÉ DU DEMANDEUR" if cast.kind != "clinique" else "IDENTITÉ DU PATIENT")
    doc.line("NOM : {l}", l=Ent(pp.upper_name(p.last), "PERSON"))
    doc.line("PRÉNOM(S) : {f}", f=Ent(p.first.upper() if rng.random() < 0.5 else p.first,
                                      "PERSON"))  # fmt: skip
    doc.line("Date de naissance : {d}", d=Ent(hv.birth_date_odd(p.birth, rng, split=S),
                                             "BIRTH_DATE"))  # fmt: skip
    doc.line("Lieu de naissance : {l}", l=Ent(p.birthplace, "LOCATION"))
    cue = rng.choice(["N° de sécurité sociale", "NIR", "N° d'immatriculation", "N° SS"])
    doc.line(f"{cue} : {{n}}", n=Ent(hv.nir_ocr(p.nir, rng, split=S), "NIR"))


def nir_wrong_key(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    p = cast.other
    value = pp.nir_text(hv.bad_key_nir(p.nir, rng), rng)
    template = rng.choice([
        "Le numéro de sécurité sociale indiqué sur le formulaire ({n}) ne correspond pas à "
        "celui de l'attestation de droits.",
        "Assuré : {who} — n° {n}",
        "NIR déclaré : {n} (à vérifier auprès de la caisse)",
        "N° d'identification de l'assuré : {n}",
    ])  # fmt: skip
    doc.line(template, n=Ent(value, "NIR_LIKE"), who=pp.mention(p, rng, "last_first"))


def family_table(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    doc.line("COMPOSITION DU FOYER")
    pipes = rng.random() < 0.5
    sep = " | " if pipes else "\t"
    doc.line(sep.join(["NOM", "Prénom", "Date de naissance", "Lieu de naissance", "Lien"]))
    for person, link in ((cast.main, "demandeur"), (cast.other, "conjoint"),
                         (cast.third, "enfant")):  # fmt: skip
        date = pp.birth_date(person.birth, rng) if rng.random() < 0.6 else \
            hv.birth_date_odd(person.birth, rng, split=S)  # fmt: skip
        doc.line(
            "{l}" + sep + "{f}" + sep + "{d}" + sep + "{p}" + sep + link,
            l=Ent(pp.upper_name(person.last), "PERSON"),
            f=Ent(person.first, "PERSON"),
            d=Ent(date, "BIRTH_DATE"),
            p=Ent(person.birthplace, "LOCATION"),
        )


def date_words(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    p = cast.other
    doc.line(
        "Selon l'acte de naissance produit, {n} est {b} le {d} à {l}.",
        n=pp.mention(p, rng, "civ_full"),
        b=_born(p),
        d=Ent(hv.date_in_words(p.birth, rng, split=S), "BIRTH_DATE"),
        l=Ent(p.birthplace, "LOCATION"),
    )


def irregular_phones(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    doc.line(
        "{n} peut être joint{e} au {a} ou sur son portable : {b}.",
        n=pp.mention(cast.main, rng, "civ_last"),
        e="e" if cast.main.sex == "F" else "",
        a=Ent(hv.phone_irregular(rng, split=S), "PHONE"),
        b=Ent(hv.phone_irregular(rng, split=S), "PHONE"),
    )
    doc.line("Tél. de {n} : {p}", n=pp.mention(cast.other, rng, "full"),
             p=Ent(hv.phone_irregular(rng, split=S), "PHONE"))  # fmt: skip


def bank_and_tax(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    doc.line("Coordonnées bancaires (RIB) :")
    doc.line("IBAN : {i}", i=Ent(hv.iban_ocr(keys.iban_fr(rng), rng, split=S), "IBAN"))
    doc.line("Numéro fiscal : {t}", t=Ent(hv.spi_ocr(keys.spi(rng), rng, split=S), "TAX_ID"))
    doc.line("Employeur : SARL Bâtiments du Limousin, SIRET {s}",
             s=Ent(hv.siret_ocr(keys.siret(rng), rng, split=S), "SIRET"))  # fmt: skip


def institutional(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    number = rng.choice(["0 800 130 000", "0 806 000 126", "3939", "0 821 80 30 07"])
    doc.line(
        "Pour toute question, la plateforme d'information répond au {p} (service gratuit, du "
        "lundi au vendredi de 8 h 30 à 17 h) ou par courriel à {e}.",
        p=Ent(number, "SERVICE_PHONE"),
        e=Ent(rng.choice(["contact@anef.interieur.gouv.fr", "info@caf.fr",
                          "accueil.public@interieur.gouv.fr"]), "SERVICE_EMAIL"),
    )  # fmt: skip
    doc.line(
        "Sont dispensés de visa les ressortissants de l'Union européenne, de l'Islande, du "
        "Liechtenstein, de la Norvège et de la Suisse."
    )
    doc.line("Indiquez le numéro d'immatriculation du véhicule (exemple : {x}).",
             x=Ent("AB-123-CD", "EXAMPLE_VALUE"))  # fmt: skip


def first_name_alone(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    p = cast.third
    doc.line("{n} accompagnait {m}.", n=pp.mention(p, rng, "civ_full"),
             m=pp.mention(cast.main, rng, "civ_last"))  # fmt: skip
    sentence = {
        "clinique": "{f} est revu{e} le lendemain ; {f} dit ne plus avoir de douleur.",
        "courrier": "{f} a indiqué au guichet que {f} hébergeait sa mère depuis deux ans.",
        "decision": "{f} a déclaré aux enquêteurs ne pas connaître la victime.",
    }[cast.kind]
    doc.line(sentence, f=Ent(p.first, "PERSON"), e="e" if p.sex == "F" else "")


def file_numbers_courrier(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    rows = [
        ("N° de dossier : ", Ent(hv.file_number("dossier", rng), "FILE_NUMBER")),
        ("Référence : ", Ent(hv.file_number("reference", rng), "FILE_NUMBER")),
        ("N° étranger : ", Ent(keys.agdref(rng), "AGDREF")),
        ("N° de demande ANEF : ", Ent(hv.file_number("anef", rng), "FILE_NUMBER")),
        ("Matricule de l'agent instructeur : ", Ent(hv.file_number("matricule", rng),
                                                    "FILE_NUMBER")),
        ("N° de permis de conduire : ", Ent(hv.file_number("permis", rng), "FILE_NUMBER")),
    ]  # fmt: skip
    rng.shuffle(rows)
    for cue, value in rows[:4]:
        doc.add(cue, value, "\n")


def address_and_false_places(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    place = rng.choice(["La Borie", "Les Combes", "Le Mas Gauthier", "La Croix Blanche"])
    postcode, commune, _insee = rng.choice([("19270", "Donzenac", ""), ("87220", "Feytiat", ""),
                                            ("23200", "Aubusson", "")])  # fmt: skip
    doc.line("{n} réside au {a}.", n=pp.mention(cast.main, rng, "civ_last"),
             a=Ent(f"lieu-dit {place}, {postcode} {commune}", "ADDRESS"))  # fmt: skip
    doc.line(
        "La réunion de la commission du titre de séjour s'est tenue en présence de la DRH et "
        "du chef du SPIP ; la Réunion, la Guadeloupe et la Martinique ne sont pas concernées."
    )


def clinical_header(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    p = cast.main
    doc.line("PATIENT : {n}    {b} le {d}", n=Ent(_caps(p), "PERSON"), b=_born(p).capitalize(),
             d=Ent(pp.birth_date(p.birth, rng), "BIRTH_DATE"))  # fmt: skip
    doc.line("IPP : {i}    NDA : {n}", i=Ent(hv.file_number("ipp", rng), "FILE_NUMBER"),
             n=Ent(hv.file_number("nda", rng), "FILE_NUMBER"))  # fmt: skip
    doc.line("Médecin traitant : Dr {m} — {t}", m=Ent(_caps(cast.agent), "PERSON"),
             t=Ent(hv.phone_irregular(rng, split=S), "PHONE"))  # fmt: skip


def clinical_evolution(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    p = cast.main
    doc.line("Patient{e} de {a} ans, {n}, hospitalisé{e} pour décompensation d'un diabète de "
             "type 2.", e="e" if p.sex == "F" else "", a=str(rng.randint(40, 85)),
             n=pp.mention(p, rng, "civ_full"))  # fmt: skip
    doc.line("J1 : {f} est apyrétique, l'IDE note une bonne tolérance de l'insuline.",
             f=Ent(p.first, "PERSON"))  # fmt: skip
    doc.line("J3 : avis de l'UHCD puis du SMUR ; {f} sort le lendemain.", f=Ent(p.first, "PERSON"))
    doc.line("CADRE DE SANTÉ : {c}", c=Ent(_caps(cast.clerk), "PERSON"))


def clinical_stay(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    doc.line("N° de séjour : {s} — N° de dossier médical : {d}",
             s=Ent(hv.file_number("nda", rng), "FILE_NUMBER"),
             d=Ent(hv.file_number("dossier", rng), "FILE_NUMBER"))  # fmt: skip
    doc.line("Personne de confiance : {n}, {l}, tél. {t}",
             n=Ent(_caps(cast.other), "PERSON"),
             l=rng.choice(["fille", "fils", "épouse", "voisin"]),
             t=Ent(hv.phone_irregular(rng, split=S), "PHONE"))  # fmt: skip


def party_list(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    doc.line("ENTRE :")
    for person in (cast.main, cast.other):
        extra = rng.choice(["Marie", "Pierre", "Louise", "Ahmed", "Jean"])
        civ = pp.civility(person, rng, long=True)
        doc.line(f"{civ} {{n}}", n=Ent(f"{person.first}, {extra} {pp.upper_name(person.last)}",
                                       "PERSON"))  # fmt: skip
        doc.line("{b} le {d} à {l}", b=_born(person), d=Ent(pp.birth_date(person.birth, rng),
                 "BIRTH_DATE"), l=Ent(person.birthplace, "LOCATION"))  # fmt: skip
        doc.line("demeurant {a}", a=Ent(pp.address_inline(person.address, rng), "ADDRESS"))
    doc.line("DEMANDEURS")


def case_numbers(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    doc.line("RG n° {r} — N° Portalis {p}", r=Ent(hv.file_number("rg", rng), "FILE_NUMBER"),
             p=Ent(f"DBX{rng.choice('VWZ')}-V-B7H-{rng.choice('BCDE')}"
                   f"{rng.choice('KLMN')}{rng.randint(10, 99)}", "FILE_NUMBER"))  # fmt: skip
    doc.line("Vu l'arrêt de la Cour de cassation du 3 mai 2023 (pourvoi n° {p}).",
             p=Ent(hv.file_number("pourvoi", rng), "FILE_NUMBER"))  # fmt: skip
    doc.line("{n}, écroué{e} sous le n° {e2} à la maison d'arrêt de Limoges.",
             n=pp.mention(cast.other, rng, "civ_full"), e="e" if cast.other.sex == "F" else "",
             e2=Ent(hv.file_number("ecrou", rng), "FILE_NUMBER"))  # fmt: skip


def decision_places(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    street = rng.choice(["rue Louise Michel", "allée Simone Veil", "avenue Jean Moulin",
                         "place Jean Jaurès", "rue Victor Hugo"])  # fmt: skip
    doc.line(
        "Les faits se sont déroulés devant l'immeuble situé {a}, où demeure {n}, puis sur la "
        "parcelle cadastrée section {c} au {ld}.",
        a=Ent(f"{rng.randint(1, 90)} {street}", "ADDRESS"),
        n=pp.mention(cast.third, rng, "civ_full"),
        c=Ent(hv.file_number("cadastre", rng), "FILE_NUMBER"),
        ld=Ent("lieu-dit " + rng.choice(["Les Granges", "La Brande", "Chez Jouannet"]), "ADDRESS"),
    )
    doc.line("Le gérant de la ZAC a indiqué que {n} travaille à la {z}, {a}.",
             n=pp.mention(cast.main, rng, "civ_last"), z=rng.choice(["boulangerie Petit",
             "pharmacie du Centre"]), a=Ent(f"ZAC du Moulin, {cast.main.address.postcode} "
             f"{cast.main.address.commune}", "ADDRESS"))  # fmt: skip


def decision_table(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    doc.line("PRÉVENU : {n}", n=Ent(_caps(cast.main), "PERSON"))
    doc.line("Né le {d} à {l}", d=Ent(hv.date_in_words(cast.main.birth, rng, split=S),
             "BIRTH_DATE"), l=Ent(cast.main.birthplace, "LOCATION"))  # fmt: skip
    doc.line("N° de parquet : {p}", p=Ent(hv.file_number("parquet", rng), "FILE_NUMBER"))
    doc.line("Assisté de Me {a}, avocat au barreau de Limoges", a=Ent(_caps(cast.agent),
                                                                     "PERSON"))  # fmt: skip


def _broken_luhn(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 3) % 10)


def decoys(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    """Identifier-shaped values that are not identifiers (wrong keys, references of texts)."""
    nir = hv.bad_key_nir(keys.nir(rng), rng)
    iban = keys.iban_fr(rng)
    iban = iban[:2] + f"{(int(iban[2:4]) + 11) % 97:02d}" + iban[4:]
    siret = _broken_luhn(keys.siret(rng))
    doc.line(
        "Le bordereau d'envoi {b} accompagne le colis ; le virement {i} a été rejeté.",
        b=Ent(" ".join([nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]]),
              "DECOY"),
        i=Ent(" ".join(iban[k : k + 4] for k in range(0, len(iban), 4)), "DECOY"),
    )  # fmt: skip
    doc.line("Vu le décret n° {d}, l'arrêté n° {a} et la circulaire NOR {n} ;",
             d=Ent(f"{rng.randint(2005, 2024)}-{rng.randint(1, 1800)}", "DECOY"),
             a=Ent(f"{rng.randint(2019, 2025)}-{rng.randint(1, 2999):04d}", "DECOY"),
             n=Ent(f"INTV{rng.randint(2000000, 2499999)}{rng.choice('CJN')}", "DECOY"))  # fmt: skip
    doc.line("Montant réglé : {m} (facture {s}).",
             m=Ent(f"{rng.randint(1, 9)} {rng.randint(100, 999)},{rng.randint(10, 99)} €",
                   "DECOY"),
             s=Ent(f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}", "DECOY"))  # fmt: skip


COMMON: list[Section] = [decoys, identity_form, nir_wrong_key, family_table, date_words,
                         irregular_phones, bank_and_tax, institutional, first_name_alone]  # fmt: skip
SECTIONS: dict[str, list[Section]] = {
    "courrier": [*COMMON, file_numbers_courrier, address_and_false_places],
    "clinique": [*COMMON, clinical_header, clinical_evolution, clinical_stay],
    "decision": [*COMMON, party_list, case_numbers, decision_places, decision_table],
}
