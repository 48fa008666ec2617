"""Check-key helpers that *generate* valid identifiers for the development set.

These are generators, not detectors: the guard's recognizers must not import them, so that the
benchmark checks the recognizers against an independent implementation of each key.
"""

from __future__ import annotations

import random
import string

__all__ = [
    "agdref",
    "caf_number",
    "cni_new",
    "cni_old",
    "digits_only",
    "iban_check_digits",
    "iban_foreign",
    "iban_fr",
    "iban_is_valid",
    "luhn_check_digit",
    "luhn_is_valid",
    "nir",
    "nir_check_key",
    "nir_is_valid",
    "passport_fr",
    "plate_fni",
    "plate_siv",
    "rib_key",
    "siren",
    "siret",
    "spi",
    "spi_is_valid",
]

_DIGITS = string.digits
# SIV plates never use I, O and U (confusable with 1, 0 and V).
_SIV_LETTERS = "ABCDEFGHJKLMNPQRSTVWXYZ"


def _compact(value: str) -> str:
    return "".join(ch for ch in value if ch not in " .-\u00a0")


def digits_only(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(_DIGITS) for _ in range(count))


# --- Luhn: SIREN, SIRET ----------------------------------------------------------------------


def luhn_check_digit(partial: str) -> str:
    """The digit that makes ``partial + digit`` pass the Luhn test."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        value = int(ch)
        if i % 2 == 0:  # doubled, because the check digit will take the rightmost place
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def luhn_is_valid(number: str) -> bool:
    if not number.isdigit():
        return False
    return luhn_check_digit(number[:-1]) == number[-1]


def siren(rng: random.Random) -> str:
    # A leading 356000000 is La Poste, whose SIRET follow another rule: avoid it.
    while True:
        body = str(rng.randint(1, 9)) + _digits(rng, 7)
        number = body + luhn_check_digit(body)
        if not number.startswith("356000000"):
            return number


def siret(rng: random.Random, siren_number: str | None = None) -> str:
    base = (siren_number or siren(rng)) + rng.choice(["0001", "0002", "0003", "0001", "0004"])
    base = base[:9] + "0" + base[10:] if rng.random() < 0.7 else base[:9] + _digits(rng, 4)
    return base + luhn_check_digit(base)


# --- NIR (numéro de sécurité sociale) ---------------------------------------------------------


def nir_check_key(first13: str) -> str:
    """97 - (number mod 97), with Corsica's 2A / 2B read as 19 / 18."""
    numeric = first13.replace("2A", "19", 1) if first13[5:7] == "2A" else first13
    numeric = numeric.replace("2B", "18", 1) if first13[5:7] == "2B" else numeric
    return f"{97 - int(numeric) % 97:02d}"


def nir_is_valid(number: str) -> bool:
    compact = _compact(number)
    if len(compact) != 15 or not compact[13:].isdigit():
        return False
    if not (compact[:5] + compact[7:13]).isdigit():
        return False
    if not compact[5:7].isdigit() and compact[5:7] not in ("2A", "2B"):
        return False
    return nir_check_key(compact[:13]) == compact[13:]


def nir(
    rng: random.Random, *, sex: int | None = None, year: int | None = None,
    month: int | None = None, place: str | None = None,
) -> str:  # fmt: skip
    """A valid 15-character NIR.

    ``place`` is the department and commune part (5 characters): "75056", "2A004", "97411"
    (overseas: 3-digit department, 2-digit commune) or "99" + INSEE country code for people
    born abroad. ``month`` may be 20-42 or 50-99: codes the INSEE uses when the month is unknown.
    """
    sex_digit = str(sex if sex is not None else rng.choice([1, 2]))
    yy = f"{(year if year is not None else rng.randint(1940, 2005)) % 100:02d}"
    mm = f"{month if month is not None else rng.randint(1, 12):02d}"
    where = place or f"{rng.randint(1, 95):02d}{rng.randint(1, 500):03d}"
    if len(where) != 5:
        raise ValueError("place must have 5 characters")
    order = f"{rng.randint(1, 999):03d}"
    first13 = sex_digit + yy + mm + where + order
    return first13 + nir_check_key(first13)


# --- IBAN and RIB -------------------------------------------------------------------------------


def _letters_to_digits(value: str) -> str:
    return "".join(str(int(ch, 36)) for ch in value)


def iban_check_digits(country: str, bban: str) -> str:
    rearranged = _letters_to_digits(bban + country + "00")
    return f"{98 - int(rearranged) % 97:02d}"


def iban_is_valid(iban: str) -> bool:
    compact = _compact(iban).upper()
    if len(compact) < 15 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    return int(_letters_to_digits(compact[4:] + compact[:4])) % 97 == 1


def rib_key(bank: str, branch: str, account: str) -> str:
    """The French RIB key; letters of the account number map to digits the Banque de France way."""
    table = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "12345678912345678923456789")
    account_digits = account.upper().translate(table)
    total = 89 * int(bank) + 15 * int(branch) + 3 * int(account_digits)
    return f"{97 - total % 97:02d}"


def iban_fr(rng: random.Random) -> str:
    """A compact French IBAN whose RIB key and IBAN key are both valid."""
    bank = rng.choice(["30004", "30002", "10278", "20041", "30003", "16606", "11315", "18206"])
    branch = _digits(rng, 5)
    account = _digits(rng, 11)
    if rng.random() < 0.15:  # some banks put a letter in the account number
        account = account[:10] + rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ")
    bban = bank + branch + account + rib_key(bank, branch, account)
    return "FR" + iban_check_digits("FR", bban) + bban


def _es_ccc_digit(digits: str) -> str:
    weights = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)
    value = 11 - sum(int(d) * w for d, w in zip(digits, weights[-len(digits) :], strict=True)) % 11
    return {10: "1", 11: "0"}.get(value, str(value))


def iban_foreign(rng: random.Random, country: str) -> str:
    """A compact foreign IBAN (DE, BE, ES, GB, LU) with valid national keys where they exist."""
    if country == "DE":
        bban = _digits(rng, 8) + _digits(rng, 10)
    elif country == "BE":
        # Bank codes 000-099 belong to real, registered Belgian banks (validators check them).
        first10 = f"{rng.randint(0, 99):03d}" + _digits(rng, 7)
        key = int(first10) % 97 or 97
        bban = first10 + f"{key:02d}"
    elif country == "ES":
        bank, office, account = _digits(rng, 4), _digits(rng, 4), _digits(rng, 10)
        bban = bank + office + _es_ccc_digit(bank + office) + _es_ccc_digit(account) + account
    elif country == "GB":
        bban = rng.choice(["NWBK", "BARC", "LOYD", "MIDL"]) + _digits(rng, 14)
    elif country == "LU":
        bban = _digits(rng, 3) + _digits(rng, 13)
    else:
        raise ValueError(f"unsupported country {country}")
    return country + iban_check_digits(country, bban) + bban


# --- Numéro fiscal (SPI) ------------------------------------------------------------------------


def spi(rng: random.Random) -> str:
    """13 digits, the first in 0-3, the last three being the first ten modulo 511."""
    first10 = str(rng.randint(0, 3)) + _digits(rng, 9)
    return first10 + f"{int(first10) % 511:03d}"


def spi_is_valid(number: str) -> bool:
    compact = _compact(number)
    return (
        len(compact) == 13
        and compact.isdigit()
        and compact[0] in "0123"
        and int(compact[:10]) % 511 == int(compact[10:])
    )


# --- Identifiers without a printed key (format only) ----------------------------------------------


def plate_siv(rng: random.Random) -> str:
    """AA-123-AA; SS and WW are not issued as ordinary left blocks, 000 never as the number."""
    while True:
        left = "".join(rng.choice(_SIV_LETTERS) for _ in range(2))
        right = "".join(rng.choice(_SIV_LETTERS) for _ in range(2))
        if left not in ("SS", "WW") and right != "SS":
            return f"{left}-{rng.randint(1, 999):03d}-{right}"


def plate_fni(rng: random.Random) -> str:
    """Pre-2009 plates: 1-4 digits, 1-3 letters, department (e.g. "1234 AB 87", "56 ABC 2A")."""
    letters = "".join(rng.choice(_SIV_LETTERS) for _ in range(rng.choice([2, 2, 3])))
    department = rng.choice(["87", "19", "23", "75", "69", "13", "33", "2A", "59", "974"])
    return f"{rng.randint(1, 9999)} {letters} {department}"


def cni_old(rng: random.Random) -> str:
    """Pre-2021 identity card: YYMM of issue, 3-character office, 5-digit serial (12 digits)."""
    return f"{rng.randint(0, 20):02d}{rng.randint(1, 12):02d}" + _digits(rng, 3) + _digits(rng, 5)


def cni_new(rng: random.Random) -> str:
    """Since 2021: 9 characters, capitals (no O) and digits, e.g. X4RTBPFW4."""
    alphabet = "ABCDEFGHIJKLMNPQRSTUVWXYZ0123456789"
    return rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") + "".join(rng.choice(alphabet) for _ in range(8))


def passport_fr(rng: random.Random) -> str:
    """Two digits, two capitals, five digits (e.g. 18AB12345)."""
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
    return _digits(rng, 2) + letters + _digits(rng, 5)


def agdref(rng: random.Random) -> str:
    """Numéro étranger: 10 digits, the first two being the department of first issue."""
    return rng.choice(["87", "75", "69", "13", "93", "19", "33", "59"]) + _digits(rng, 8)


def caf_number(rng: random.Random) -> str:
    """Numéro d'allocataire: 7 digits (some CAF print 8)."""
    return str(rng.randint(1, 9)) + _digits(rng, rng.choice([6, 6, 6, 7]))
