"""Values written the way forms, OCR and hurried agents write them, for the "hard" documents.

Each formatter draws a layout; ``split`` selects the layouts of the development split or of the
fresh one, which shares most layouts but also has a few of its own that the guard's authors
never tuned on (so that the fresh figures say something about formats nobody anticipated).
"""

from __future__ import annotations

import datetime as dt
import random

from benchmarks.devset.people import MONTHS

__all__ = [
    "bad_key_nir",
    "birth_date_odd",
    "date_in_words",
    "file_number",
    "iban_ocr",
    "nir_ocr",
    "phone_irregular",
    "siret_ocr",
    "spi_ocr",
]

_UNITS = (
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze",
    "douze", "treize", "quatorze", "quinze", "seize",
)  # fmt: skip
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _below_100(n: int) -> str:
    if n < 17:
        return _UNITS[n]
    if n < 20:
        return "dix-" + _UNITS[n - 10]
    tens, unit = divmod(n, 10)
    if tens in (7, 9):  # soixante-dix, quatre-vingt-dix
        base = "soixante" if tens == 7 else "quatre-vingt"
        rest = n - (60 if tens == 7 else 80)
        joiner = " et " if rest == 11 and tens == 7 else "-"
        return f"{base}{joiner}{_below_100(rest)}"
    if tens == 8:
        return "quatre-vingts" if unit == 0 else "quatre-vingt-" + _UNITS[unit]
    if unit == 0:
        return _TENS[tens]
    return _TENS[tens] + (" et un" if unit == 1 else "-" + _UNITS[unit])


def number_in_words(n: int, *, old_style: bool = False) -> str:
    """French numbers up to 2099, as written on civil-status documents ("mil neuf cent")."""
    thousands, rest = divmod(n, 1000)
    hundreds, below = divmod(rest, 100)
    words = []
    if thousands:
        words.append("mil" if old_style and thousands == 1 else
                     "mille" if thousands == 1 else f"{_UNITS[thousands]} mille")  # fmt: skip
    if hundreds:
        words.append("cent" if hundreds == 1 else f"{_UNITS[hundreds]} cent")
    if below:
        words.append(_below_100(below))
    return " ".join(words) if words else "zéro"


def date_in_words(date: dt.date, rng: random.Random, *, split: str = "dev") -> str:
    """ "quatorze mars mille neuf cent quatre-vingt-deux", "1er avril mil neuf cent soixante"."""
    day = "premier" if date.day == 1 else number_in_words(date.day)
    if split == "dev" and date.day == 1 and rng.random() < 0.5:
        day = "1er"
    year = number_in_words(date.year, old_style=rng.random() < 0.3)
    if split == "fresh" and rng.random() < 0.3:
        return f"le {day} du mois de {MONTHS[date.month - 1]} de l'an {year}"
    return f"{day} {MONTHS[date.month - 1]} {year}"


def birth_date_odd(date: dt.date, rng: random.Random, *, split: str = "dev") -> str:
    """Dates with the separators of forms and OCR: "3|11|1954", "1 7 0 3 1 9 8 8"."""
    d, m, y = f"{date.day:02d}", f"{date.month:02d}", str(date.year)
    layouts = ["pipes", "spaced_digits", "spaces", "short_dots", "backslash"]
    if split == "fresh":
        layouts = ["pipes", "spaced_digits", "spaces", "roman", "colons"]
    layout = rng.choice(layouts)
    if layout == "pipes":
        return f"{date.day}|{date.month}|{y}" if rng.random() < 0.5 else f"{d}|{m}|{y}"
    if layout == "spaced_digits":
        return " ".join(d + m + y)
    if layout == "spaces":
        return f"{d} {m} {y}"
    if layout == "short_dots":
        return f"{d}.{m}.{y[2:]}"
    if layout == "backslash":
        return f"{d}\\{m}\\{y}"
    if layout == "roman":
        roman = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
        return f"{date.day}.{roman[date.month - 1]}.{y}"
    return f"{d}:{m}:{y}"


def _groups(nir: str) -> list[str]:
    return [nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]]


def nir_ocr(nir: str, rng: random.Random, *, split: str = "dev") -> str:
    """A NIR as forms and OCR write it: one space per digit, pipes, dots, a line break."""
    layouts = ["every_digit", "pipes", "boxes", "line_break", "double_spaces", "dotted"]
    if split == "fresh":
        layouts = ["every_digit", "pipes", "line_break", "dashes", "slash_key", "underscores"]
    layout = rng.choice(layouts)
    groups = _groups(nir)
    if layout == "every_digit":
        return " ".join(nir)
    if layout == "pipes":
        return " | ".join(groups) if rng.random() < 0.5 else "|".join(groups)
    if layout == "boxes":
        return "|".join(nir[:13]) + " |" + nir[13:]
    if layout == "line_break":
        cut = rng.choice([3, 4, 5])
        return " ".join(groups[:cut]) + "\n" + " ".join(groups[cut:])
    if layout == "double_spaces":
        return "  ".join(groups)
    if layout == "dotted":
        return ".".join(groups)
    if layout == "dashes":
        return "-".join(groups[:-1]) + " " + groups[-1]
    if layout == "slash_key":
        return " ".join(groups[:-1]) + "/" + groups[-1]
    return "_".join(groups)


def bad_key_nir(nir: str, rng: random.Random) -> str:
    """The same NIR with a wrong key: a typo or an OCR error in the last two digits."""
    key = int(nir[13:])
    wrong = (key + rng.randint(1, 40)) % 97 or 1
    return nir[:13] + f"{wrong:02d}"


def iban_ocr(iban: str, rng: random.Random, *, split: str = "dev") -> str:
    groups = [iban[i : i + 4] for i in range(0, len(iban), 4)]
    layouts = ["line_break", "pipes", "lower", "double_spaces", "dots"]
    if split == "fresh":
        layouts = ["line_break", "pipes", "lower", "dashes"]
    layout = rng.choice(layouts)
    if layout == "line_break":
        cut = rng.randint(2, len(groups) - 2)
        return " ".join(groups[:cut]) + "\n" + " ".join(groups[cut:])
    if layout == "pipes":
        return " | ".join(groups)
    if layout == "lower":
        return " ".join(groups).lower()
    if layout == "double_spaces":
        return "  ".join(groups)
    if layout == "dots":
        return ".".join(groups)
    return "-".join(groups)


def siret_ocr(siret: str, rng: random.Random, *, split: str = "dev") -> str:
    layouts = ["every_digit", "dots", "pipes", "nic_apart"]
    if split == "fresh":
        layouts = ["every_digit", "dots", "line_break"]
    layout = rng.choice(layouts)
    if layout == "every_digit":
        return " ".join(siret)
    if layout == "dots":
        return f"{siret[:3]}.{siret[3:6]}.{siret[6:9]}.{siret[9:]}"
    if layout == "pipes":
        return f"{siret[:3]} | {siret[3:6]} | {siret[6:9]} | {siret[9:]}"
    if layout == "nic_apart":
        return f"{siret[:9]} {siret[9:]}"
    return f"{siret[:3]} {siret[3:6]} {siret[6:9]}\n{siret[9:]}"


def spi_ocr(spi: str, rng: random.Random, *, split: str = "dev") -> str:
    layouts = ["every_digit", "dots", "pipes"] if split == "dev" else ["every_digit", "dashes"]
    layout = rng.choice(layouts)
    groups = [spi[:2], spi[2:4], spi[4:7], spi[7:10], spi[10:]]
    if layout == "every_digit":
        return " ".join(spi)
    if layout == "dots":
        return ".".join(groups)
    if layout == "pipes":
        return "|".join(groups)
    return "-".join(groups)


def phone_irregular(rng: random.Random, *, split: str = "dev") -> str:
    """Ten digits grouped the way people write them when not thinking of pairs."""
    national = rng.choice("6712345") + "".join(str(rng.randint(0, 9)) for _ in range(8))
    z = "0" + national
    layouts = ["2-4-4", "4-2-2-2", "mixed", "every_digit", "2-2-2-4", "slashes", "3-3-4"]
    if split == "fresh":
        layouts = ["2-4-4", "mixed", "every_digit", "brackets", "2-3-3-2", "plus_packed"]
    layout = rng.choice(layouts)
    if layout == "2-4-4":
        return f"{z[:2]} {z[2:6]} {z[6:]}"
    if layout == "4-2-2-2":
        return f"{z[:4]} {z[4:6]} {z[6:8]} {z[8:]}"
    if layout == "mixed":
        return f"{z[:2]}.{z[2:4]} {z[4:6]}.{z[6:8]} {z[8:]}"
    if layout == "every_digit":
        return " ".join(z)
    if layout == "2-2-2-4":
        return f"{z[:2]} {z[2:4]} {z[4:6]} {z[6:]}"
    if layout == "slashes":
        return "/".join(z[i : i + 2] for i in range(0, 10, 2))
    if layout == "3-3-4":
        return f"{z[:3]} {z[3:6]} {z[6:]}"
    if layout == "brackets":
        return f"({z[:2]}) {z[2:4]} {z[4:6]} {z[6:8]} {z[8:]}"
    if layout == "2-3-3-2":
        return f"{z[:2]} {z[2:5]} {z[5:8]} {z[8:]}"
    return f"+33 {national[0]} {national[1:5]} {national[5:]}"


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def file_number(kind: str, rng: random.Random) -> str:
    """A case or file number of the given kind, as it is printed after its cue."""
    year = rng.randint(2019, 2025)
    if kind == "ipp":
        return rng.choice(["80", "10", "4"]) + _digits(rng, rng.choice([6, 7, 8]))
    if kind == "nda":
        return f"{year % 100}" + _digits(rng, rng.choice([6, 7]))
    if kind == "dossier":
        return rng.choice([
            f"{year}-{rng.choice(['ETR', 'NAT', 'PC', 'AS'])}-{_digits(rng, 5)}",
            f"{year}/{_digits(rng, 6)}", _digits(rng, 7), f"D{_digits(rng, 8)}",
        ])  # fmt: skip
    if kind == "reference":
        return rng.choice([
            f"{rng.choice(['DS', 'DCL', 'BSE', 'SG'])}/{year}/{_digits(rng, 4)}",
            f"{rng.choice('ABCDEFGH')}{_digits(rng, 2)}-{_digits(rng, 5)}",
            f"{year}{_digits(rng, 6)}",
        ])  # fmt: skip
    if kind == "matricule":
        return rng.choice(
            [_digits(rng, 6), _digits(rng, 8), f"{rng.choice('AMP')}{_digits(rng, 6)}"]
        )
    if kind == "rg":
        return f"{year % 100}/{_digits(rng, 5)}"
    if kind == "pourvoi":
        return f"{year % 100 - 1}-{_digits(rng, 2)}.{_digits(rng, 3)}"
    if kind == "parquet":
        return f"{year % 100}{_digits(rng, 3)}{_digits(rng, 6)}"
    if kind == "ecrou":
        return _digits(rng, rng.choice([5, 6]))
    if kind == "cadastre":
        return f"{rng.choice(['AB', 'ZC', 'B', 'AK', 'C'])} n° {rng.randint(1, 999)}"
    if kind == "permis":
        return f"{_digits(rng, 2)}{rng.choice(['AA', 'AB', 'BC', 'ZE'])}{_digits(rng, 5)}"
    if kind == "anef":
        return _digits(rng, 3) + " " + _digits(rng, 3) + " " + _digits(rng, 3)
    if kind == "sejour":
        return _digits(rng, 10)
    raise ValueError(kind)
