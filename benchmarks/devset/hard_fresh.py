"""Sections of the hard documents of the fresh split: never looked at while tuning the guard.

Same classes of difficulty as ``hard_dev`` (see its docstring), written with other sentences,
other layouts of forms and tables, and a few value layouts of their own (``split="fresh"`` in
``hard_values``). Its figures are reported next to the development ones, never tuned on.
"""

from __future__ import annotations

import random

from benchmarks.devset import hard_values as hv
from benchmarks.devset import keys
from benchmarks.devset import people as pp
from benchmarks.devset.builder import Doc, Ent
from benchmarks.devset.hard import HardCast, Section

__all__ = ["SECTIONS"]

S = "fresh"


def _he(person: pp.Person) -> str:
    return "il" if person.sex == "M" else "elle"


def cerfa_block(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    p = cast.main
    doc.line("Cadre 1 — Votre identité")
    doc.line("Nom de naissance ................ {l}", l=Ent(pp.upper_name(p.last), "PERSON"))
    doc.line("Prénoms ......................... {f}", f=Ent(p.first.upper(), "PERSON"))
    doc.line("Né(e) le ........................ {d}", d=Ent(hv.birth_date_odd(p.birth, rng,
             split=S), "BIRTH_DATE"))  # fmt: skip
    doc.line("à ............................... {c}", c=Ent(p.birthplace, "LOCATION"))
    doc.line("N° d'inscription au répertoire (NIR) : {n}",
             n=Ent(hv.nir_ocr(p.nir, rng, split=S), "NIR"))  # fmt: skip


def mistyped_nir(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    p = cast.main
    value = hv.bad_key_nir(p.nir, rng)
    value = rng.choice([value, " ".join([value[0], value[1:3], value[3:5], value[5:7],
                                         value[7:10], value[10:13], value[13:]])])  # fmt: skip
    doc.line(rng.choice([
        "La carte Vitale présentée porte le n° de sécurité sociale {n}, que la caisse ne "
        "reconnaît pas.",
        "Sécurité sociale : {n} (clé illisible sur la photocopie)",
    ]), n=Ent(value, "NIR_LIKE"))  # fmt: skip


def household_rows(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    doc.line("Personnes vivant au foyer :")
    for person in (cast.other, cast.third):
        doc.line("- {n}, {d}, {c}", n=Ent(f"{pp.upper_name(person.last)} {person.first}",
                 "PERSON"), d=Ent(pp.plain_date(person.birth, numeric=True), "BIRTH_DATE"),
                 c=rng.choice(["enfant à charge", "conjoint", "ascendant"]))  # fmt: skip


def spelled_birth(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    p = cast.third
    doc.line("L'an deux mille vingt-quatre, est comparu{e} {n}, {b} le {d}, à {l}.",
             e="e" if p.sex == "F" else "", n=pp.mention(p, rng, "civ_upper"),
             b="né" if p.sex == "M" else "née",
             d=Ent(hv.date_in_words(p.birth, rng, split=S), "BIRTH_DATE"),
             l=Ent(p.birthplace, "LOCATION"))  # fmt: skip


def contact_numbers(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    doc.line("Coordonnées de {n} : domicile {a} ; travail {b}",
             n=pp.mention(cast.main, rng, "civ_full"),
             a=Ent(hv.phone_irregular(rng, split=S), "PHONE"),
             b=Ent(hv.phone_irregular(rng, split=S), "PHONE"))  # fmt: skip


def payment_details(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    iban = keys.iban_fr(rng) if rng.random() < 0.7 else keys.iban_foreign(rng, "ES")
    doc.line("Le remboursement sera versé sur le compte {i} au nom de {n}.",
             i=Ent(hv.iban_ocr(iban, rng, split=S), "IBAN"),
             n=pp.mention(cast.main, rng, "civ_full"))  # fmt: skip
    doc.line("Entreprise déclarante : {s} ; identifiant fiscal du déclarant : {t}",
             s=Ent(hv.siret_ocr(keys.siret(rng), rng, split=S), "SIRET"),
             t=Ent(hv.spi_ocr(keys.spi(rng), rng, split=S), "TAX_ID"))  # fmt: skip


def public_contacts(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    doc.line("Numéro vert : {p} — Écrire à : {e}",
             p=Ent(rng.choice(["0 805 805 817", "0 800 840 800"]), "SERVICE_PHONE"),
             e=Ent(rng.choice(["ddets-accueil@correze.gouv.fr", "contact@ofii.fr"]),
                   "SERVICE_EMAIL"))  # fmt: skip
    doc.line("Les pays concernés sont l'Algérie, le Maroc, la Tunisie et le Sénégal.")
    doc.line("Saisissez votre numéro fiscal sans espace (ex. : {x}).",
             x=Ent("1234567890123", "EXAMPLE_VALUE"))  # fmt: skip


def later_first_name(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    p = cast.other
    doc.line("Présent{e} à l'entretien : {n}.", e="e" if p.sex == "F" else "",
             n=pp.mention(p, rng, "full"))  # fmt: skip
    doc.line("Interrogé{e} à nouveau, {f} confirme ses déclarations.",
             e="e" if p.sex == "F" else "", f=Ent(p.first, "PERSON"))  # fmt: skip


def references_block(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    doc.line("Vos références : {a} — Nos références : {b}",
             a=Ent(hv.file_number("dossier", rng), "FILE_NUMBER"),
             b=Ent(hv.file_number("reference", rng), "FILE_NUMBER"))  # fmt: skip
    doc.line("Titre de séjour n° {t} ; matricule {m}",
             t=Ent(hv.file_number("sejour", rng), "AGDREF"),
             m=Ent(hv.file_number("matricule", rng), "FILE_NUMBER"))  # fmt: skip


def rural_address(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    doc.line("Adresse de correspondance : {a}",
             a=Ent(f"Le Bourg, {cast.main.address.postcode} {cast.main.address.commune}",
                   "ADDRESS"))  # fmt: skip
    doc.line("La Réunion publique d'information est prévue à la salle des fêtes ; la DDT et "
             "l'ARS y seront représentées.")  # fmt: skip


def ward_note(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    p = cast.main
    doc.line("Mme/M. : {n} — IPP {i} — venue n° {v}", n=Ent(
        f"{pp.upper_name(p.last)} {p.first.upper()}", "PERSON"),
        i=Ent(hv.file_number("ipp", rng), "FILE_NUMBER"),
        v=Ent(hv.file_number("nda", rng), "FILE_NUMBER"))  # fmt: skip
    doc.line("DDN {d}", d=Ent(hv.birth_date_odd(p.birth, rng, split=S), "BIRTH_DATE"))
    doc.line("{f} a passé une nuit calme. Reprise de la marche avec le kiné.",
             f=Ent(p.first, "PERSON"))  # fmt: skip


def discharge_letter(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    doc.line("Cher confrère,")
    doc.line("J'ai revu en consultation votre patient{e} {n} pour le suivi de sa BPCO. "
             "{he} est accompagné{e} de son fils {s}.",
             e="e" if cast.main.sex == "F" else "", n=pp.mention(cast.main, rng, "last_first"),
             he=_he(cast.main).capitalize(), s=Ent(cast.third.first, "PERSON"))  # fmt: skip
    doc.line("Dr {d}, praticien hospitalier", d=Ent(
        f"{cast.agent.first} {pp.upper_name(cast.agent.last)}", "PERSON"))  # fmt: skip


def parties_caption(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    for label, person in (
        ("APPELANTE" if cast.main.sex == "F" else "APPELANT", cast.main),
        ("INTIMÉE" if cast.other.sex == "F" else "INTIMÉ", cast.other),
    ):
        doc.line(f"{label} :")
        doc.line(
            "{n}",
            n=Ent(
                f"{pp.upper_name(person.last)} {person.first}, "
                f"{rng.choice(['Marie', 'Joseph', 'Fatima'])}",
                "PERSON",
            ),
        )
        doc.line("demeurant {a}", a=Ent(pp.address_inline(person.address, rng), "ADDRESS"))


def court_references(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    doc.line("Décision déférée : jugement du tribunal judiciaire de Tulle, RG {r}",
             r=Ent(hv.file_number("rg", rng), "FILE_NUMBER"))  # fmt: skip
    doc.line("Cass. crim., pourvoi n° {p} ; détenu{e} n° d'écrou {e2}",
             p=Ent(hv.file_number("pourvoi", rng), "FILE_NUMBER"),
             e="e" if cast.main.sex == "F" else "",
             e2=Ent(hv.file_number("ecrou", rng), "FILE_NUMBER"))  # fmt: skip


def facts_places(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    doc.line("Le véhicule a été retrouvé stationné {a}, devant le domicile de {n}.",
             a=Ent(f"{rng.randint(2, 60)} boulevard Maréchal Leclerc", "ADDRESS"),
             n=pp.mention(cast.third, rng, "civ_upper"))  # fmt: skip
    doc.line("La parcelle {c} appartient à l'indivision {n}.",
             c=Ent(hv.file_number("cadastre", rng), "FILE_NUMBER"),
             n=Ent(pp.upper_name(cast.other.last), "PERSON"))  # fmt: skip


def lookalikes(doc: Doc, rng: random.Random, cast: HardCast) -> None:
    """Values that look like identifiers and are not: wrong keys, codes of texts and goods."""
    nir = hv.bad_key_nir(keys.nir(rng), rng)
    spi = keys.spi(rng)
    spi = spi[:10] + f"{(int(spi[10:]) + 7) % 511:03d}"
    doc.line("Code article {a} ; lot de fabrication {n} ; avis n° {s}.",
             a=Ent(f"{rng.randint(100000, 999999)}-{rng.randint(10, 99)}", "DECOY"),
             n=Ent(nir, "DECOY"), s=Ent(spi, "DECOY"))  # fmt: skip
    doc.line("Références : loi n° {l} ; code APE {c} ; ISBN {i}.",
             l=Ent(f"{rng.randint(2000, 2024)}-{rng.randint(100, 1500)}", "DECOY"),
             c=Ent(f"{rng.randint(10, 96)}{rng.randint(10, 99)}{rng.choice('ABZ')}", "DECOY"),
             i=Ent(f"978-2-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}-{rng.randint(0, 9)}",
                   "DECOY"))  # fmt: skip


COMMON: list[Section] = [lookalikes, cerfa_block, mistyped_nir, household_rows, spelled_birth,
                         contact_numbers, payment_details, public_contacts, later_first_name]  # fmt: skip
SECTIONS: dict[str, list[Section]] = {
    "courrier": [*COMMON, references_block, rural_address],
    "clinique": [*COMMON, ward_note, discharge_letter],
    "decision": [*COMMON, parties_caption, court_references, facts_places],
}
