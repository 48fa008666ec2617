"""Clinical documents: comptes rendus d'hospitalisation, lettres de sortie, consultations."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from benchmarks.devset import common, keys, lexicon
from benchmarks.devset import people as pp
from benchmarks.devset.builder import Doc, Ent, Seg

__all__ = ["generate_clinique"]

_SPECIALTIES = (
    ("cardiologie", "insuffisance cardiaque décompensée", "I50.0"),
    ("pneumologie", "exacerbation de bronchopneumopathie chronique obstructive", "J44.1"),
    ("neurologie", "accident vasculaire cérébral ischémique sylvien gauche", "I63.4"),
    ("médecine interne", "pneumopathie franche lobaire aiguë", "J18.1"),
    ("gastro-entérologie", "poussée de maladie de Crohn iléale", "K50.0"),
    ("gériatrie", "chute avec fracture du col du fémur", "S72.0"),
    ("endocrinologie", "déséquilibre d'un diabète de type 2", "E11.6"),
)

# Eponyms are diseases, signs and scores, not people: a detector must not mask them.
_HISTORY_ITEMS = (
    "hypertension artérielle", "diabète de type 2 sous antidiabétiques oraux",
    "maladie de Parkinson évoluant depuis 2016", "syndrome de Raynaud", "maladie de Basedow "
    "traitée par iode radioactif", "lymphome de Hodgkin en rémission depuis 2009",
    "maladie d'Alzheimer au stade léger", "syndrome de Guillain-Barré en 2012, sans séquelle",
    "appendicectomie dans l'enfance", "cholécystectomie en 2015", "fibrillation atriale "
    "paroxystique", "thyroïdite de Hashimoto", "maladie de Horton", "œsophage de Barrett",
    "dyslipidémie", "tabagisme sevré (30 paquets-années)",
)  # fmt: skip
_DRUGS = (
    "Kardegic 75 mg : 1 sachet le midi", "Bisoprolol 2,5 mg : 1 comprimé le matin",
    "Furosémide 40 mg : 1 comprimé le matin", "Metformine 1000 mg : 1 comprimé matin et soir",
    "Atorvastatine 20 mg : 1 comprimé le soir", "Apixaban 5 mg : 1 comprimé matin et soir",
    "Lévothyrox 75 µg : 1 comprimé à jeun", "Paracétamol 1 g : si douleur, maximum 4 par jour",
    "Ramipril 5 mg : 1 comprimé le matin", "Insuline glargine : 18 UI le soir",
    "Modopar 125 : 1 gélule trois fois par jour", "Pantoprazole 40 mg : 1 comprimé le soir",
)  # fmt: skip
_EXAM = (
    "TA 145/85 mmHg, FC 88/min, SpO2 94 % en air ambiant, température 37,8 °C.",
    "Score de Glasgow à 15, pas de déficit sensitivomoteur, signe de Babinski absent.",
    "Signe de Murphy négatif, abdomen souple, dépressible et indolore.",
    "Manœuvre de Lasègue négative à droite comme à gauche.",
    "Œdèmes des membres inférieurs prenant le godet jusqu'aux genoux.",
    "Crépitants aux deux bases, pas de turgescence jugulaire.",
)
_LABS = (
    "hémoglobine 12,3 g/dL", "leucocytes 11 200/mm3", "plaquettes 245 000/mm3",
    "créatinine 85 µmol/L (DFG 72 mL/min selon CKD-EPI)", "CRP 45 mg/L", "NT-proBNP 3 450 pg/mL",
    "HbA1c 8,4 %", "TSH 2,1 mUI/L", "kaliémie 4,1 mmol/L", "troponine 18 ng/L",
)  # fmt: skip


@dataclass
class _Cast:
    hospital: tuple[str, str, str]
    specialty: tuple[str, str, str]
    patient: pp.Person
    relative: pp.Person
    gp: pp.Person
    chief: pp.Person
    author: pp.Person
    intern: pp.Person
    nurse: pp.Person
    admission: dt.date


def _doctor(
    person: pp.Person, rng: random.Random, *, professor: bool = False, mid: bool = False
) -> list[Seg]:
    """ "Dr X", "Pr X"; ``mid`` for the middle of a sentence ("par le docteur X")."""
    long_title = "professeur " if professor else "docteur "
    title = rng.choice(
        ["Pr " if professor else "Dr "] * 2 + [long_title if mid else long_title.capitalize()]
    )
    form = rng.choice(["full", "bare_last", "full", "initial"])
    return [title, *pp.mention(person, rng, form)]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _age(person: pp.Person, on: dt.date) -> int:
    return (
        on.year - person.birth.year - ((on.month, on.day) < (person.birth.month, person.birth.day))
    )


def _header(doc: Doc, rng: random.Random, cast: _Cast) -> None:
    name, city, switchboard = cast.hospital
    doc.line(name)
    finess = "87" + "".join(rng.choice("0123456789") for _ in range(6))
    doc.line(f"N° FINESS : {finess}{keys.luhn_check_digit(finess)}")
    doc.line(f"Pôle de médecine — Service de {cast.specialty[0]}")
    doc.line("Chef de service : {c}", c=_doctor(cast.chief, rng, professor=True))
    doc.line("Secrétariat : {p} — Standard : {s}", p=Ent(pp.phone(rng, "fixe"), "SERVICE_PHONE"),
             s=Ent(switchboard, "SERVICE_PHONE"))  # fmt: skip
    if rng.random() < 0.5:
        domain = "chu-limoges.fr" if "LIMOGES" in name else "ch-hopital.fr"
        mailbox = f"secretariat.medecine{rng.randint(1, 9)}@{domain}"
        doc.line("Courriel : {e}", e=Ent(mailbox, "SERVICE_EMAIL"))
    doc.line()
    doc.line(f"{city}, le {pp.plain_date(cast.admission + dt.timedelta(days=9))}")
    doc.line()


def _identity(doc: Doc, rng: random.Random, cast: _Cast) -> None:
    p = cast.patient
    if rng.random() < 0.5:
        doc.line(
            "Patient{e} : {n}",
            e="e" if p.sex == "F" else "",
            n=pp.mention(p, rng, rng.choice(["civ_full", "civ_upper", "last_first"])),
        )
    else:
        doc.line("Nom : {l}    Prénom : {f}", l=Ent(pp.upper_name(p.last), "PERSON"),
                 f=Ent(p.first, "PERSON"))  # fmt: skip
        if p.birth_last:
            doc.line("Nom de naissance : {b}", b=Ent(pp.upper_name(p.birth_last), "PERSON"))
    label = rng.choice(["Né{e} le", "Date de naissance :", "DDN :", "Né(e) le"])
    doc.line(
        f"{label.format(e='e' if p.sex == 'F' else '')} {{d}} ({{a}} ans)",
        d=Ent(pp.birth_date(p.birth, rng), "BIRTH_DATE"),
        a=str(_age(p, cast.admission)),
    )
    doc.line("{k} : {n}", k=rng.choice(["N° de sécurité sociale", "NIR", "INS (NIR)",
                                       "Numéro d'assuré social"]),
             n=Ent(pp.nir_text(p.nir, rng), "NIR"))  # fmt: skip
    if rng.random() < 0.4:
        document = rng.choice(["cni", "passport"])
        value = keys.cni_old(rng) if document == "cni" else keys.passport_fr(rng)
        doc.line(
            "Identité vérifiée sur : {k} n° {v}",
            k="carte nationale d'identité" if document == "cni" else "passeport",
            v=Ent(value, "ID_CARD" if document == "cni" else "PASSPORT"),
        )
    doc.line("Adresse : {a}", a=Ent(pp.address_inline(p.address, rng), "ADDRESS"))
    doc.line("Tél. : {t}", t=Ent(pp.phone(rng), "PHONE"))
    doc.line(
        "Médecin traitant : {d}, {a}",
        d=_doctor(cast.gp, rng),
        a=Ent(pp.address_inline(cast.gp.address, rng), "ADDRESS"),
    )
    female = cast.relative.sex == "F"
    link = rng.choice(
        ["fille", "épouse", "sœur", "voisine"] if female else ["fils", "époux", "frère", "neveu"]
    )
    doc.line("Personne de confiance : {r} ({k}), joignable au {t}",
             r=pp.mention(cast.relative, rng, "civ_full"), k=link,
             t=Ent(pp.phone(rng, "mobile"), "PHONE"))  # fmt: skip
    stay_end = cast.admission + dt.timedelta(days=rng.randint(3, 14))
    doc.line(
        f"Séjour du {pp.plain_date(cast.admission, numeric=True)} au "
        f"{pp.plain_date(stay_end, numeric=True)} — chambre {rng.randint(101, 540)}"
    )
    doc.line()


def _clinical_body(doc: Doc, rng: random.Random, cast: _Cast) -> None:
    p = cast.patient
    e = "e" if p.sex == "F" else ""
    doc.line("MOTIF D'HOSPITALISATION")
    doc.line(f"{_sentence(cast.specialty[1])}.")
    doc.line()
    doc.line("ANTÉCÉDENTS")
    for item in rng.sample(_HISTORY_ITEMS, 4):
        doc.line(f"- {item}")
    doc.line()
    doc.line("MODE DE VIE")
    jobs = ["boulanger", "boucher", "marchand de biens", "berger", "mercier", "maçon"]
    if p.sex == "F":
        jobs = ["boulangère", "bouchère", "couturière", "institutrice", "marchande de fleurs"]
    job = rng.choice(jobs)
    status = (
        f"Retraité{e}, ancien{'ne' if e else ''} {job}"
        if _age(p, cast.admission) >= 62
        else (f"{job.capitalize()} de profession")
    )
    doc.line("{s}. Vit avec {r} à {c}, au deuxième étage sans ascenseur. Autonome pour les actes "
             "de la vie quotidienne.", s=status,
             r=pp.mention(cast.relative, rng, rng.choice(["full", "first", "civ_full"])),
             c=Ent(p.address.commune, "LOCATION"))  # fmt: skip
    doc.line()
    doc.line("TRAITEMENT À L'ENTRÉE")
    for drug in rng.sample(_DRUGS, 4):
        doc.line(f"- {drug}")
    doc.line()
    doc.line("HISTOIRE DE LA MALADIE")
    doc.line("{n}, {a} ans, a été adressé{e} aux urgences par le {d} le {t} pour une dyspnée "
             "d'aggravation progressive. L'interrogatoire, complété avec {r}, retrouve une "
             "prise de poids de 4 kg en une semaine.", n=pp.mention(p, rng), a=str(_age(
             p, cast.admission)), e=e, d=_doctor(cast.gp, rng, mid=True),
             t=pp.plain_date(cast.admission), r=pp.mention(cast.relative, rng))  # fmt: skip
    doc.line()
    doc.line("EXAMEN CLINIQUE")
    for sentence in rng.sample(_EXAM, 3):
        doc.line(sentence)
    doc.line()
    doc.line("EXAMENS COMPLÉMENTAIRES")
    doc.line("Biologie : " + ", ".join(rng.sample(_LABS, 5)) + ".")
    doc.line("ECG : rythme sinusal à 86/min, pas de trouble de la repolarisation.")
    doc.line()


_EVOLUTION = (
    "J{j} : {n} est vu{e} par le {i}, interne. Apyrexie, diurèse conservée. Poursuite du "
    "traitement.",
    "J{j} : appel de {r} au {t}, qui souhaite être tenu{x} informé{x} de l'évolution ; "
    "accord {k} recueilli.",
    "J{j} : passage de {w}, infirmière ; pansement refait, pas de signe inflammatoire.",
    "J{j} : avis du {d} : pas d'indication chirurgicale. Surveillance clinique et biologique.",
    "J{j} : bilan : " + ", ".join(_LABS[:3]) + ". Pas de modification thérapeutique.",
    "J{j} : entretien avec l'assistante sociale : {n} est bénéficiaire de l'allocation aux "
    "adultes handicapés (allocataire CAF n° {c}) ; demande de portage de repas.",
    "J{j} : kinésithérapie respiratoire ; {n} marche 50 mètres avec un déambulateur.",
)


def _evolution(doc: Doc, rng: random.Random, cast: _Cast, *, target: int) -> None:
    p = cast.patient
    doc.line("ÉVOLUTION DANS LE SERVICE")
    relative_phone = pp.phone(rng, "mobile")
    caf = keys.caf_number(rng)
    page_name = f"{p.first} {pp.upper_name(p.last)}"
    day, next_break = 1, len(doc) + 2600
    while True:
        doc.line(rng.choice(_EVOLUTION), j=str(day), n=pp.mention(p, rng),
                 e="e" if p.sex == "F" else "", i=_doctor(cast.intern, rng, mid=True),
                 k="de la patiente" if p.sex == "F" else "du patient",
                 r=pp.mention(cast.relative, rng), t=Ent(relative_phone, "PHONE"),
                 x="e" if cast.relative.sex == "F" else "", w=pp.mention(cast.nurse, rng),
                 d=_doctor(cast.chief, rng, professor=True, mid=True), c=Ent(caf, "CAF"))  # fmt: skip
        day += 1
        if len(doc) >= target:
            break
        if len(doc) > next_break:
            # Every page repeats the patient's name and date of birth, as hospital software does.
            birth = Ent(pp.plain_date(p.birth, numeric=True), "BIRTH_DATE")
            doc.add(f"\n- {day // 6 + 1} -\n{cast.hospital[0]} — ", Ent(page_name, "PERSON"),
                    " — né(e) le ", birth, "\n\n")  # fmt: skip
            next_break = len(doc) + 2600
    doc.line()


def _conclusion(doc: Doc, rng: random.Random, cast: _Cast) -> None:
    doc.line("CONCLUSION")
    doc.line(f"{_sentence(cast.specialty[1])} (CIM-10 : {cast.specialty[2]}), d'évolution "
             f"favorable.")  # fmt: skip
    doc.line()
    doc.line("TRAITEMENT DE SORTIE")
    for drug in rng.sample(_DRUGS, 5):
        doc.line(f"- {drug}")
    doc.line()
    doc.line("SUITES")
    follow_up = pp.plain_date(cast.admission + dt.timedelta(days=rng.randint(30, 90)))
    doc.line(
        "Consultation de contrôle avec le {d} le {t} à 14 h 30. Soins infirmiers à domicile "
        "par {w} ({p}).",
        d=_doctor(cast.author, rng, mid=True),
        t=follow_up,
        w=pp.mention(cast.nurse, rng, "civ_full"),
        p=Ent(pp.phone(rng), "PHONE"),
    )
    doc.line()
    doc.line("{d}", d=_doctor(cast.author, rng))
    doc.line(rng.choice(["Praticien hospitalier", "Cheffe de clinique", "Praticien attaché"]))
    doc.line()
    doc.line("Copie à : {g} ; {p}", g=_doctor(cast.gp, rng), p=pp.mention(cast.patient, rng,
                                                                        "civ_full"))  # fmt: skip


def _consultation(doc: Doc, rng: random.Random, cast: _Cast) -> None:
    p = cast.patient
    doc.line(f"COMPTE RENDU DE CONSULTATION DE {cast.specialty[0].upper()}")
    doc.line()
    doc.line("Cher confrère,")
    doc.line()
    doc.line("J'ai vu en consultation le {t} {n}{b}, que vous m'adressez pour avis. "
             "{s} est accompagné{e} de {r}.", t=pp.plain_date(cast.admission),
             n=pp.mention(p, rng, "civ_full"), b=[", né(e) le ", Ent(pp.birth_date(
             p.birth, rng), "BIRTH_DATE")], s="Il" if p.sex == "M" else "Elle",
             e="e" if p.sex == "F" else "", r=pp.mention(cast.relative, rng))  # fmt: skip
    doc.line("Antécédents : " + " ; ".join(rng.sample(_HISTORY_ITEMS, 3)) + ".")
    doc.line("Examen : " + " ".join(rng.sample(_EXAM, 2)))
    doc.line("Je propose une majoration du traitement et un contrôle biologique dans un mois. "
             "Je reverrai {n} dans trois mois ; le secrétariat lui écrira à l'adresse suivante "
             ": {a}, ou par courriel ({m}).", n=pp.mention(p, rng, "civ_last"),
             a=Ent(pp.address_inline(p.address, rng), "ADDRESS"),
             m=Ent(pp.email_for(p, rng), "EMAIL"))  # fmt: skip
    doc.line()
    doc.line("Bien confraternellement,")
    doc.line("{d}", d=_doctor(cast.author, rng))


def generate_clinique(
    rng: random.Random, doc_id: str, *, long_doc: bool = False, variant: int | None = None
) -> Doc:
    """``variant`` picks the kind of document in turn, so that a set covers them evenly."""
    hospital = rng.choice(lexicon.HOSPITALS)
    cast = _Cast(
        hospital=hospital,
        specialty=rng.choice(_SPECIALTIES),
        patient=pp.make_person(
            rng,
            min_year=1930,
            max_year=1985,
            unknown_month=variant is not None and variant % 8 == 5,
        ),
        relative=pp.make_person(rng, min_year=1955, max_year=2000),
        gp=pp.make_person(rng, min_year=1955, max_year=1990),
        chief=pp.make_person(rng, min_year=1955, max_year=1975),
        author=pp.make_person(rng, min_year=1965, max_year=1992),
        intern=pp.make_person(rng, min_year=1994, max_year=1999),
        nurse=pp.make_person(rng, sex="F", min_year=1970, max_year=1998),
        admission=common.event_date(rng, start=2023),
    )
    doc = Doc(doc_id, "clinique")
    _header(doc, rng, cast)
    kinds = ("cr", "lettre", "consultation")
    kind = kinds[variant % 3] if variant is not None else rng.choice(kinds)
    kind = "long" if long_doc else kind
    if kind == "consultation":
        _consultation(doc, rng, cast)
        return doc
    doc.line("COMPTE RENDU D'HOSPITALISATION" if kind != "lettre" else "LETTRE DE SORTIE")
    doc.line()
    _identity(doc, rng, cast)
    if kind == "lettre":
        doc.line("Cher confrère,")
        doc.line("Votre patient{e} {n} a été hospitalisé{e} dans notre service ; voici le "
                 "résumé de son séjour.", e="e" if cast.patient.sex == "F" else "",
                 n=pp.mention(cast.patient, rng, "civ_full"))  # fmt: skip
        doc.line()
    _clinical_body(doc, rng, cast)
    _evolution(doc, rng, cast, target=10_500 if long_doc else len(doc) + 500)
    _conclusion(doc, rng, cast)
    return doc
