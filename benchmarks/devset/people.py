"""Fictitious people and their contact details, with every French way of writing them.

Ordinary names come from Faker's fr_FR lists (MIT licence), drawn with our own seeded
``random.Random`` so that the set only depends on those lists, not on Faker's sampling code.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from faker.providers.person.fr_FR import Provider as FakerPerson

from benchmarks.devset import keys, lexicon
from benchmarks.devset.builder import Ent, Seg

__all__ = [
    "MONTHS",
    "Address",
    "Person",
    "address_block",
    "address_mention",
    "address_inline",
    "birth_date",
    "civility",
    "email_for",
    "make_address",
    "make_person",
    "mention",
    "nir_text",
    "phone",
    "plain_date",
    "upper_name",
]

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip


@dataclass(frozen=True)
class Address:
    number: str  # "12", "12 bis", "" when the street has no number
    street: str  # "rue des Lilas"
    postcode: str
    commune: str
    insee: str
    complement: str = ""  # "Résidence les Tilleuls, bât. B"


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    sex: str  # "M" or "F"
    birth: dt.date
    birthplace: str
    birth_country: str  # "" when born in France
    nir: str
    address: Address
    birth_last: str = ""  # birth name of a married person who uses her or his spouse's name


def _ascii(value: str) -> str:
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum() or ch in "-")


def upper_name(last: str) -> str:
    """DUPONT, de LA FONTAINE, LE GOFF: particles stay in lower case, as agents write them."""
    words = last.split(" ")
    return " ".join(
        w if w in ("de", "du", "d'", "van", "der", "della") else w.upper() for w in words
    )


def _first_name(rng: random.Random, sex: str) -> str:
    roll = rng.random()
    pool: Sequence[str]
    if sex == "M":
        pool = (
            lexicon.HYPHENATED_FIRST_NAMES_M if roll < 0.15
            else lexicon.FOREIGN_FIRST_NAMES_M if roll < 0.3
            else FakerPerson.first_names_male
        )  # fmt: skip
    else:
        pool = (
            lexicon.HYPHENATED_FIRST_NAMES_F if roll < 0.15
            else lexicon.FOREIGN_FIRST_NAMES_F if roll < 0.3
            else FakerPerson.first_names_female
        )  # fmt: skip
    return rng.choice(tuple(pool))


def _last_name(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.2:
        return rng.choice(lexicon.COMMON_WORD_SURNAMES)
    if roll < 0.3:
        return rng.choice(lexicon.PARTICLE_SURNAMES)
    if roll < 0.45:
        return rng.choice(lexicon.FOREIGN_SURNAMES)
    if roll < 0.5:
        return f"{rng.choice(FakerPerson.last_names)}-{rng.choice(FakerPerson.last_names)}"
    return rng.choice(tuple(FakerPerson.last_names))


def make_address(rng: random.Random) -> Address:
    postcode, commune, insee = rng.choice(lexicon.COMMUNES)
    number = str(rng.randint(1, 180))
    if rng.random() < 0.1:
        number += rng.choice([" bis", " ter", "B"])
    street = f"{rng.choice(lexicon.STREET_TYPES)} {rng.choice(lexicon.STREET_NAMES)}"
    complement = ""
    if rng.random() < 0.12:
        complement = rng.choice(
            ["Résidence les Tilleuls, bât. B", "Appartement 12", "Lotissement du Moulin",
             "Résidence Bellevue, escalier 3", "Bâtiment C, porte 4"]
        )  # fmt: skip
    return Address(number, street, postcode, commune, insee, complement)


def make_person(
    rng: random.Random, *, sex: str | None = None, min_year: int = 1935, max_year: int = 2006,
    married: bool | None = None, unknown_month: bool | None = None,
) -> Person:  # fmt: skip
    sex = sex or rng.choice("MF")
    birth = dt.date(rng.randint(min_year, max_year), rng.randint(1, 12), rng.randint(1, 28))
    address = make_address(rng)
    if rng.random() < 0.18:
        birthplace, country, place = rng.choice(lexicon.FOREIGN_BIRTHPLACES)
    else:
        _postcode, birthplace, place = rng.choice(lexicon.COMMUNES)
        country = ""
    month = birth.month
    if unknown_month or (unknown_month is None and rng.random() < 0.12):
        # Codes the INSEE gives when the month of birth is unknown
        month = rng.choice([rng.randint(20, 42), rng.randint(50, 99)])
    nir = keys.nir(rng, sex=1 if sex == "M" else 2, year=birth.year, month=month, place=place)
    last = _last_name(rng)
    is_married = married if married is not None else (sex == "F" and rng.random() < 0.25)
    birth_last = _last_name(rng) if is_married else ""
    return Person(_first_name(rng, sex), last, sex, birth, birthplace, country, nir, address,
                  birth_last)  # fmt: skip


def civility(person: Person, rng: random.Random, *, long: bool | None = None) -> str:
    use_long = long if long is not None else rng.random() < 0.3
    if person.sex == "M":
        return "Monsieur" if use_long else "M."
    return "Madame" if use_long else "Mme"


def mention(person: Person, rng: random.Random, form: str = "") -> list[Seg]:
    """One way of naming ``person``; the civility or title stays outside the gold span."""
    form = form or rng.choice(
        [
            "civ_full",
            "civ_full",
            "civ_last",
            "civ_last",
            "full",
            "last_first",
            "initial",
            "civ_upper",
        ]
    )
    first, last, up = person.first, person.last, upper_name(person.last)
    if form == "initial" and first[0] == "M":
        form = "full"  # "M. Nowak" would read as a civility, not as Margaux Nowak
    civ = civility(person, rng)
    if form == "civ_full":
        name = f"{first} {up}" if rng.random() < 0.7 else f"{first} {last}"
        segs: list[Seg] = [f"{civ} ", Ent(name, "PERSON")]
    elif form == "civ_last":
        segs = [f"{civ} ", Ent(up if rng.random() < 0.6 else last, "PERSON")]
    elif form == "civ_upper":
        segs = [f"{civ} ", Ent(f"{up} {first}", "PERSON")]
    elif form == "full":
        segs = [Ent(f"{first} {up}" if rng.random() < 0.5 else f"{first} {last}", "PERSON")]
    elif form == "last_first":
        segs = [Ent(f"{up} {first}", "PERSON")]
    elif form == "initial":
        segs = [Ent(f"{first[0]}. {last}", "PERSON")]
    elif form == "bare_last":
        segs = [Ent(up, "PERSON")]
    elif form == "first":
        segs = [Ent(first, "PERSON")]
    else:
        raise ValueError(form)
    if person.birth_last and form in ("civ_full", "civ_upper") and rng.random() < 0.7:
        # "Mme Claire MARTIN épouse DURAND": birth name and used name are two spans.
        link = rng.choice([" épouse ", " née ", ", épouse "])
        if link.strip(", ") == "née":
            segs = [f"{civ} ", Ent(f"{first} {up}", "PERSON"), link,
                    Ent(upper_name(person.birth_last), "PERSON")]  # fmt: skip
        else:
            segs = [f"{civ} ", Ent(f"{first} {upper_name(person.birth_last)}", "PERSON"), link,
                    Ent(up, "PERSON")]  # fmt: skip
    return segs


def email_for(person: Person, rng: random.Random, domain: str = "") -> str:
    first, last = _ascii(person.first), _ascii(person.last.replace(" ", "").replace("'", ""))
    pattern = rng.choice(["{f}.{l}", "{f}.{l}", "{f}{l}", "{i}.{l}", "{l}.{f}", "{f}-{l}{n}",
                          "{f}.{l}{n}", "{f}_{l}"])  # fmt: skip
    local = pattern.format(f=first, l=last, i=first[0], n=rng.randint(1, 99))
    return f"{local}@{domain or rng.choice(lexicon.MAIL_DOMAINS)}"


def phone(rng: random.Random, kind: str = "") -> str:
    """A French number in one of the layouts people actually write."""
    kind = kind or rng.choice(["mobile", "mobile", "fixe", "fixe", "outremer"])
    if kind == "mobile":
        national = rng.choice(["6", "7"]) + "".join(str(rng.randint(0, 9)) for _ in range(8))
    elif kind == "fixe":
        national = rng.choice("12345") + "".join(str(rng.randint(0, 9)) for _ in range(8))
    else:
        prefix = rng.choice(["262", "692", "596", "696", "594", "694", "590", "690", "269", "639"])
        national = prefix + "".join(str(rng.randint(0, 9)) for _ in range(6))
    pairs = [national[1:3], national[3:5], national[5:7], national[7:9]]
    zero = "0" + national
    layout = rng.choice(["spaces", "spaces", "spaces", "dots", "dashes", "compact", "plus",
                         "plus_compact", "plus_zero", "double_zero"])  # fmt: skip
    if kind == "outremer" and layout.startswith(("plus", "double")):
        # Overseas numbers dial through their own country code.
        cc = {"262": "262", "692": "262", "269": "262", "639": "262", "596": "596", "696": "596",
              "594": "594", "694": "594", "590": "590", "690": "590"}[national[:3]]  # fmt: skip
        return f"+{cc} {national[:3]} {national[3:5]} {national[5:7]} {national[7:9]}"
    if layout == "spaces":
        return f"{zero[:2]} " + " ".join(pairs)
    if layout == "dots":
        return f"{zero[:2]}." + ".".join(pairs)
    if layout == "dashes":
        return f"{zero[:2]}-" + "-".join(pairs)
    if layout == "compact":
        return zero
    if layout == "plus":
        return f"+33 {national[0]} " + " ".join(pairs)
    if layout == "plus_compact":
        return "+33" + national
    if layout == "plus_zero":
        return f"+33 (0){national[0]} " + " ".join(pairs)
    return f"0033 {national[0]} " + " ".join(pairs)


def nir_text(nir: str, rng: random.Random) -> str:
    layout = rng.choice(["spaced", "spaced", "compact", "key_apart", "dotted"])
    parts = [nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]]
    if layout == "spaced":
        return " ".join(parts)
    if layout == "compact":
        return nir
    if layout == "key_apart":
        return f"{nir[:13]} {nir[13:]}"
    return ".".join(parts[:-1]) + " " + parts[-1]


def birth_date(date: dt.date, rng: random.Random) -> str:
    layout = rng.choice(["words", "words", "slashes", "slashes", "dots", "dashes"])
    if layout == "words":
        day = "1er" if date.day == 1 else str(date.day)
        return f"{day} {MONTHS[date.month - 1]} {date.year}"
    separator = {"slashes": "/", "dots": ".", "dashes": "-"}[layout]
    return f"{date.day:02d}{separator}{date.month:02d}{separator}{date.year}"


def plain_date(date: dt.date, *, numeric: bool = False) -> str:
    if numeric:
        return f"{date.day:02d}/{date.month:02d}/{date.year}"
    day = "1er" if date.day == 1 else str(date.day)
    return f"{day} {MONTHS[date.month - 1]} {date.year}"


def address_inline(address: Address, rng: random.Random, *, street_only: bool = False) -> str:
    street = f"{address.number} {address.street}".strip()
    if rng.random() < 0.25 and address.number:
        street = f"{address.number}, {address.street}"
    if address.complement:
        street = f"{address.complement}, {street}"
    if street_only:
        return street
    commune = address.commune.upper() if rng.random() < 0.4 else address.commune
    separator = rng.choice([", ", ", ", " ", " - "])
    return f"{street}{separator}{address.postcode} {commune}"


def address_mention(address: Address, rng: random.Random) -> list[Seg]:
    """Usually the full address; sometimes the street only, the commune following on its own
    ("12 rue des Lilas à Limoges": an ADDRESS, then a LOCATION)."""
    if rng.random() < 0.7:
        return [Ent(address_inline(address, rng), "ADDRESS")]
    street = address_inline(address, rng, street_only=True)
    return [Ent(street, "ADDRESS"), " à ", Ent(address.commune, "LOCATION")]


def address_block(address: Address, rng: random.Random) -> str:
    """The two or three lines of an envelope: street, then postal code and commune."""
    lines = [address.complement] if address.complement else []
    lines.append(f"{address.number} {address.street}".strip())
    lines.append(f"{address.postcode} {address.commune.upper()}")
    return "\n".join(lines)
