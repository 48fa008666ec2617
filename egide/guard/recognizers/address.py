"""French postal addresses: number and street, lieu-dit, boîte postale, postal code and commune."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from egide.guard.findings import Finding
from egide.guard.recognizers._institutional import administration_address
from egide.guard.recognizers.base import has_context
from egide.guard.registry import Recognizer, register_recognizer

__all__ = ["AddressRecognizer", "address_recognizer", "STREET_TYPES"]

_SP = r"[ \t\u00a0\u202f]"
_UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒ"
_LETTER = r"[^\W\d_]"
_APOS = "'’"

# A capitalised (or upper-case) word, possibly hyphenated: "Jaurès", "Saint-Michel",
# "Champs-Élysées", "Saint-Germain-des-Prés", "Sables-d'Olonne", "RÉPUBLIQUE".
_SEGMENT = rf"-(?:[dDlL][{_APOS}])?{_LETTER}{{1,30}}"
_CAPWORD = rf"[{_UPPER}]{_LETTER}{{0,30}}(?:{_SEGMENT}){{0,4}}"
_TITLE = r"(?:St|Ste|Gal|Mal|Mgr|Dr|Pr|Cdt)\."
_PARTICLE = rf"(?i:de|du|des|la|le|les|et|sur|sous|aux|au){_SP}{{1,2}}"
_ELIDED = rf"(?i:[dl])[{_APOS}]"
_LINK = rf"(?:{_PARTICLE}|{_ELIDED}){{0,3}}"
# Street names hold numbers too: "place du 8 Mai 1945", "rue du 11 Novembre".
_TOKEN = rf"(?:{_TITLE}|{_CAPWORD}|\d{{1,4}}(?:er|e)?(?!\w))"
# Words sit on one line: a newline ends the name (the postal code may follow on the next line).
_NAME = rf"{_LINK}{_TOKEN}(?:{_SP}{{1,2}}{_LINK}{_TOKEN}){{0,6}}"

STREET_TYPES = (
    "rue", "ruelle", "avenue", "boulevard", "place", "placette", "allée", "allées", "allee",
    "allees", "impasse", "chemin", "route", "quai", "cours", "square", "résidence", "residence",
    "lotissement", "passage", "rond-point", "rond point", "faubourg", "sentier", "sente",
    "hameau", "voie", "cité", "cite", "parvis", "esplanade", "promenade", "mail", "villa",
    "venelle", "traverse", "montée", "montee", "carrefour", "domaine", "chaussée", "chaussee",
    "clos", "galerie", "corniche", "parc", "levée", "quartier",
)  # fmt: skip
_ABBREVIATIONS = (
    "av", "ave", "bd", "bld", "blvd", "bvd", "boul", "pl", "all", "imp", "ch", "chem", "rte",
    "sq", "rés", "res", "lot", "fg", "fbg", "faub",
)  # fmt: skip
_TYPES = "|".join(sorted(STREET_TYPES, key=len, reverse=True))
_ABBREVS = "|".join(sorted(_ABBREVIATIONS, key=len, reverse=True))
_STREET_TYPE = rf"(?i:(?:{_TYPES})(?![\w\-])|(?:{_ABBREVS})(?:\.|(?![\w\-])))"

# "12", "12 bis", "12bis", "12 B", "12-14".
_NUMBER = (
    rf"(?<![\w,.\-/])\d{{1,4}}(?:{_SP}?-{_SP}?\d{{1,4}})?"
    rf"(?:{_SP}?(?i:bis|ter|quater)(?!\w)|{_SP}?[A-D](?!\w))?"
)
_STREET = rf"{_NUMBER}(?:{_SP}{{0,2}},)?{_SP}{{1,3}}{_STREET_TYPE}{_SP}{{1,3}}{_NAME}"
# No number: a lieu-dit, or a named residence/estate written with a capital ("Résidence Les Pins",
# never the "titre de résidence" of running prose).
# Business and industrial estates: "ZAC du Moulin", "ZI de la Plaine", "Zone artisanale des
# Landes", "Parc d'activités de Romanet".
_ESTATE = (
    rf"Z\.?A\.?C\.?|Z\.?[AI]\.?|(?i:zone{_SP}(?:artisanale|industrielle|commerciale"
    rf"|d'activités?|d'activité)|parc{_SP}d'activités?)"
)
_NAMED_PLACE = (
    rf"(?<![\w\-])(?:(?i:lieu{_SP}?-?{_SP}?dit)|R[ée]sidence|RÉSIDENCE|RESIDENCE"
    rf"|Lotissement|LOTISSEMENT|Hameau|HAMEAU|{_ESTATE})(?:{_SP}{{0,2}}:)?{_SP}{{1,3}}{_NAME}"
)
_BOX = rf"(?<![\w.])(?:(?:BP|B\.P\.){_SP}?\d{{1,5}}|(?:CS|TSA){_SP}?\d{{5}})(?!\d)"

_POSTCODE = r"(?:0[1-9]|[1-8]\d|9[0-8])\d{3}"
_COMMUNE = (
    rf"(?:(?i:le|la|les){_SP}|(?i:l)[{_APOS}])?(?:(?i:saint|sainte|st|ste){_SP})?{_CAPWORD}"
    rf"(?:{_SP}(?i:d)[{_APOS}]{_CAPWORD}|{_SP}(?i:sur|sous|en|lès|lez){_SP}{_CAPWORD})?"
)
_CEDEX = rf"(?:{_SP}{{1,3}}(?i:cedex)(?:{_SP}{{1,3}}\d{{1,3}})?)?"


def _locality(postcode: str, commune: str) -> str:
    return rf"(?P<{postcode}>{_POSTCODE}){_SP}{{1,3}}(?P<{commune}>{_COMMUNE}){_CEDEX}(?!\w)"


# Between street and postal code: a comma, a dash, spaces or one line break (an empty line
# breaks the address).
_JOIN = rf"{_SP}{{0,3}}(?:[,;\-–]{_SP}{{0,3}})?(?:\r?\n{_SP}{{0,3}})?(?<!\w)"

# "1 rue Souham – BP 250 – 19012 TULLE CEDEX": a boîte postale may sit between street and town.
_PATTERN = re.compile(
    rf"(?:(?P<street>{_STREET})(?:{_JOIN}{_BOX})?|(?P<place>{_NAMED_PLACE})|(?P<box>{_BOX}))"
    rf"(?:{_JOIN}{_locality('cp', 'commune')})?"
    rf"|(?<![\w,.])(?<!\d{_SP}){_locality('cp_alone', 'commune_alone')}"
)

# Words that follow a five-digit number without being a commune: "15000 Euros".
_NOT_COMMUNES = frozenset(
    {"euros", "euro", "eur", "francs", "dollars", "habitants", "personnes", "agents", "km"}
)
_CONTEXT = (
    "domicilié", "demeurant", "adresse", "résidant", "résidente", "habite", "domicile",
    "sis ", "sise ", "siège",
)  # fmt: skip

SCORE_FULL = 0.95
SCORE_STREET = 0.85
SCORE_PLACE = 0.75
SCORE_LOCALITY = 0.6
SCORE_LOCALITY_CONTEXT = 0.8


def _first_word(commune: str) -> str:
    return commune.split()[0].lower() if commune.split() else ""


class AddressRecognizer:
    """Postal addresses; a street line and a "75001 PARIS" line directly below form one span.

    An administration's address (CEDEX, TSA, CS, or headed by "Préfecture…", "Direction…") is
    reported as SERVICE_ADDRESS: institutional, not personal (see ``_institutional``).
    """

    def __init__(self) -> None:
        self.name = "address"
        self.labels: tuple[str, ...] = ("ADDRESS", "SERVICE_ADDRESS")

    def find(self, text: str) -> Iterator[Finding]:
        for match in _PATTERN.finditer(text):
            if match.group("cp_alone") is not None:
                finding = self._locality(text, match)
            else:
                finding = self._street(text, match)
            if finding is None:
                continue
            if administration_address(text, finding.start, finding.text):
                why = finding.explanation + " ; adresse d'une administration"
                finding = replace(finding, label="SERVICE_ADDRESS", explanation=why)
            yield finding

    def _locality(self, text: str, match: re.Match[str]) -> Finding | None:
        if _first_word(match.group("commune_alone")) in _NOT_COMMUNES:
            return None
        start, end = match.span()
        score, why = SCORE_LOCALITY, "code postal et commune"
        if has_context(text, start, end, _CONTEXT):
            score, why = SCORE_LOCALITY_CONTEXT, why + " ; mot de contexte"
        return Finding(start, end, "ADDRESS", score, text[start:end], self.name, why)

    def _street(self, text: str, match: re.Match[str]) -> Finding:
        if match.group("street") is not None:
            head, score, why = "street", SCORE_STREET, "numéro et type de voie"
        elif match.group("place") is not None:
            head, score, why = "place", SCORE_PLACE, "lieu-dit ou résidence"
        else:
            head, score, why = "box", SCORE_PLACE, "boîte postale"
        start, end = match.span()
        commune = match.group("commune")
        if commune is not None and _first_word(commune) in _NOT_COMMUNES:
            end = match.end(head)
        elif commune is not None:
            score, why = SCORE_FULL, why + ", code postal et commune"
        return Finding(start, end, "ADDRESS", score, text[start:end], self.name, why)


@register_recognizer("address")
def address_recognizer() -> Recognizer:
    return AddressRecognizer()
