"""Institutional contact data and example values: reported for what they are, never masked.

A préfecture's switchboard, a toll-free number, ``contact@…`` or ``pref-etrangers@…gouv.fr``,
an administration's "BP 250 – 19012 TULLE CEDEX", the "AB-123-CD" of a form's example: none of
them is anybody's personal data, and a guard that flags every letterhead trains agents to
ignore it. The recognizers of phones, e-mails, addresses and plates ask these questions and
then report SERVICE_PHONE, SERVICE_EMAIL, SERVICE_ADDRESS or EXAMPLE_VALUE instead.

The rules lean towards personal data where it could be one: a mobile number is never a
service's, an address whose local part is a person's name is personal whatever its domain, a
street address is an administration's only when it says CEDEX, TSA or CS, or when an
administration's name heads it. Not a recognizer: the package imports it and nothing registers.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from egide.guard.recognizers._keyed import ContextWords, fold

__all__ = [
    "administration_address",
    "example_value",
    "functional_email",
    "service_cue",
    "service_phone",
]

# --- phones --------------------------------------------------------------------------------

_SERVICE_BEFORE = ContextWords(
    (
        "standard", "accueil", "accueil téléphonique", "secrétariat", "plateforme", "numéro vert",
        "numéro unique", "numéro azur", "numéro indigo", "serveur vocal", "centre d'appel",
        "centre d'appels", "permanence", "service", "services", "bureau", "guichet",
        "prise de rendez-vous", "rendez-vous", "commission", "préfecture", "sous-préfecture",
        "mairie", "hôpital", "urgences", "samu", "gendarmerie", "commissariat", "caisse", "caf",
        "cpam", "urssaf", "france travail", "pôle emploi", "tribunal", "greffe", "renseignements",
        "assistance", "hotline", "info", "informations", "infos", "allô", "allo", "cellule",
        "direction", "mission", "maison", "antenne", "point d'accueil", "numéro d'appel",
        "depuis l'étranger", "depuis l'outre-mer", "depuis la métropole", "télécopie",
    ),
    before=45,
)  # fmt: skip
# After the number, on its line or the next one: what only a service's number is followed by.
_SERVICE_AFTER = re.compile(
    r"[^\n]{0,12}?(?:service gratuit|appel gratuit|gratuit|prix d'un appel|cout d'un appel"
    r"|non surtaxe|surtaxe|€ ?/ ?min|du lundi|lundi au|de \d{1,2} ?h|horaires?|7 ?j ?/ ?7"
    r"|24 ?h ?/ ?24|joignable du|ouvert)"
)
# A heading alone on the line above (public pages' "where to apply" blocks): "Par téléphone",
# "Par téléphone (information générale)", "Depuis l'outre-mer :". A bare "Téléphone :" heads a
# person's number in forms: not a cue.
_SERVICE_HEADING = re.compile(
    r"par (?:telephone|tel\.?)(?: \([^)\n]{0,60}\))? ?:?|depuis l'(?:etranger|outre-mer)"
    r"(?: \([^)\n]{0,60}\))? ?:?|par telecopie ?:?"
)


# How far back a line is looked at: bounded, so that a text of one endless line costs a
# constant per value, not its whole length.
_LINE_REACH = 200


def _line_start(text: str, end: int) -> int:
    """Start of the line holding ``end`` (or ``_LINE_REACH`` characters before it)."""
    floor = max(0, end - _LINE_REACH)
    return max(floor, text.rfind("\n", floor, end) + 1)


def _same_line_start(text: str, start: int) -> int:
    """The start of the line before ``start`` (a label often sits on the line above)."""
    line = _line_start(text, start)
    return _line_start(text, line - 1) if line > 0 and text[line - 1] == "\n" else line


def _previous_line(text: str, start: int) -> str:
    """The last non-empty line before the line of ``start`` (one blank line may separate)."""
    line = _line_start(text, start)
    for _ in range(2):
        if line == 0 or text[line - 1] != "\n":
            return ""
        previous = _line_start(text, line - 1)
        content = text[previous : line - 1].strip()
        if content:
            return content
        line = previous
    return ""


def _next_lines(text: str, end: int) -> str:
    """The rest of the line of ``end`` and the next non-empty line, folded, one line."""
    window = text[end : end + 160]
    lines = window.split("\n")
    rest = [lines[0], *[line for line in lines[1:3] if line.strip()][:1]]
    return fold(" ".join(rest))


def service_cue(text: str, start: int, end: int) -> bool:
    """A word such as "standard", "accueil", "service" introduces the number (on its line or
    the line above), a heading such as "Par téléphone" stands alone above it, or what follows
    says "service gratuit", "coût d'un appel local", "du lundi au vendredi"…"""
    reach = start - _same_line_start(text, start)
    if _SERVICE_BEFORE.near(text, start, end, before=min(reach, 45)):
        return True
    if _SERVICE_HEADING.fullmatch(fold(_previous_line(text, start)).rstrip(" .")):
        return True
    tail = _next_lines(text, end)
    return _SERVICE_AFTER.match(tail) is not None or tail.lstrip(" -–:(").startswith(
        ("cout d'un appel", "prix d'un appel", "appel gratuit", "service gratuit", "appel local")
    )


def service_phone(text: str, start: int, end: int, digits: str) -> bool:
    """True when the number at ``start:end`` is a service's, not a person's.

    ``digits`` is the national number ("0555441800"). Special-rate and toll-free numbers (08…)
    and short numbers (3939) belong to services; mobile numbers (06, 07) never do; any other
    is a service's when a word such as "standard", "accueil", "service" introduces it, or when
    its line goes on with "service gratuit", "du lundi au vendredi"…
    """
    if digits.startswith(("06", "07")):
        return False
    if digits.startswith("08") or len(digits) == 4:
        return True
    return service_cue(text, start, end)


# --- e-mail addresses ------------------------------------------------------------------------

# Local parts (or their pieces) that name a function, not a person.
_FUNCTIONAL_WORDS = frozenset(
    """
    contact contacts accueil info infos information informations courrier courriers secretariat
    secretaire direction service services bureau standard admin administration webmaster
    noreply reply repondre nepasrepondre support assistance aide help communication
    presse rh drh recrutement recrutements candidature candidatures emploi stage stages
    facturation factures comptabilite compta paiement paiements reclamation reclamations
    plainte plaintes signalement signalements mediation mediateur dpo rgpd cnil
    donnees personnelles juridique contentieux greffe pref prefecture sous
    sp mairie etrangers etranger naturalisation naturalisations sejour titres titre
    permis cartes grises immatriculation elections election associations association
    rdv rendez vous urgences urgence consultation consultations cardiologie medecine
    chirurgie pediatrie radiologie laboratoire pharmacie admissions admission
    ddets ddt ddtm dreets dreal ars cpam caf urssaf dgfip sgami sgar sidpc
    public citoyennete guichet cellule pole mission antenne
    inscription inscriptions scolarite examens concours
    victimes alertes alerte expatriation
    """.split()
)
_PIECE_RE = re.compile(r"[a-z]+")


# Mailbox providers of individuals: an address there is a person's, whatever its local part.
_PERSONAL_DOMAINS = frozenset(
    """
    gmail.com googlemail.com orange.fr wanadoo.fr free.fr laposte.net sfr.fr neuf.fr
    bbox.fr numericable.fr hotmail.fr hotmail.com live.fr live.com outlook.fr outlook.com
    msn.com yahoo.fr yahoo.com icloud.com me.com aol.com gmx.fr gmx.com proton.me
    protonmail.com club-internet.fr aliceadsl.fr
    """.split()
)


def functional_email(address: str, is_name: Callable[[str], bool]) -> bool:
    """True when ``address`` names a function, not a person: "contact@…", "pref-etrangers@…",
    "secretariat.medecine3@…", "accueil.public@…". Its local part must start with a function
    word (or be made of function words and short codes), hold no first name or surname
    (``is_name``) besides them, and its domain must not be a provider of personal mailboxes."""
    local, _, domain = fold(address).rpartition("@")
    if domain in _PERSONAL_DOMAINS:
        return False
    pieces = _PIECE_RE.findall(local)
    if not pieces:
        return False
    others = [piece for piece in pieces if piece not in _FUNCTIONAL_WORDS]
    if any(len(piece) >= 3 and is_name(piece) for piece in others):
        return False
    return pieces[0] in _FUNCTIONAL_WORDS or (
        len(others) < len(pieces) and all(len(piece) <= 4 for piece in others)
    )


# --- postal addresses ------------------------------------------------------------------------

_MASS_MAIL = re.compile(r"(?<![\w])(?:cedex|tsa\s?\d|cs\s?\d)", re.IGNORECASE)
# Heads of administrations, folded, as the first word of the line above an address.
_ADMINISTRATIONS = frozenset(
    """
    prefecture prefet prefete sous-prefecture mairie ministere direction service tribunal
    cour conseil caisse agence office centre hopital chu ch clinique commissariat gendarmerie
    brigade greffe parquet rectorat academie universite inspection secretariat bureau
    departement region commune communaute metropole defenseur commission autorite haute
    cnil caf cpam urssaf ars dreets ddets ddt ddtm dreal dgfip insee ofii ofpra anah ants
    france pole maison etablissement institut fonds
    """.split()
)


def administration_address(text: str, start: int, value: str) -> bool:
    """True when the address ``value`` at ``start`` is an administration's: it says CEDEX, TSA
    or CS (mass-mail services no person has), or the line heading it starts with an
    administration's name ("Préfecture de…", "Direction…", "Caisse…"). A BP alone is not enough:
    people in the countryside and overseas have one."""
    if _MASS_MAIL.search(value):
        return True
    line = _line_start(text, start)
    on_line = text[line:start].strip()
    if on_line:
        # "Préfecture de la Corrèze – 1 rue Souham…": a name, then a separator, then the address.
        return on_line[-1] in ",–-:;(" and _names_administration(on_line)
    # A block: "Ministère de l'intérieur\nPlace Beauvau\n75800 PARIS" — the name heads it, a
    # few lines above, with no blank line in between; a civility in the block makes it a
    # person's ("Madame X\nMaison de retraite…\n12 rue…").
    block: list[str] = []
    for _ in range(_HEADING_LINES):
        if line == 0 or text[line - 1] != "\n":
            break
        previous = _line_start(text, line - 1)
        heading = text[previous : line - 1]
        if not heading.strip():
            break
        block.append(heading)
        line = previous
    if any(_CIVILITY_LINE.match(heading) for heading in block):
        return False
    return any(_names_administration(heading) for heading in block)


_HEADING_LINES = 3
_CIVILITY_LINE = re.compile(
    r"\s*(?:m\.|mme|mlle|monsieur|madame|mademoiselle|dr|docteur|ma[iî]tre|me)\b", re.IGNORECASE
)


def _names_administration(line: str) -> bool:
    words = fold(line.strip()).replace("'", " ").split()
    return bool(words) and words[0].strip(",.:;(") in _ADMINISTRATIONS


# --- example values --------------------------------------------------------------------------

_EXAMPLE_BEFORE = ContextWords(
    ("exemple", "ex.", "ex :", "par exemple", "format", "au format", "sous la forme", "du type",
     "de type", "de la forme", "modèle", "fictif", "fictive", "tel que"),
    before=30,
)  # fmt: skip
# Values that forms and official pages print as examples: the SIV plate "AB-123-CD" and its
# cousins, and digit runs that count up or repeat ("01 23 45 67 89", "1234567890123").
_CANONICAL = re.compile(r"(?:aa|ab)[\s\-]?(?:123|111|001)[\s\-]?(?:cd|aa|bc)|\d?123\s?ab\s?\d\d")


def _counting(digits: str) -> bool:
    if len(digits) < 6:
        return False
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(digits)}
    return steps <= {0} or steps <= {1} or len(set(digits)) <= 2


def example_value(text: str, start: int, end: int) -> bool:
    """True when the value at ``start:end`` is shown as an example: a canonical example value,
    or a counting or repeating one, introduced as an example ("exemple :", "format")."""
    value = fold(text[start:end])
    if not _EXAMPLE_BEFORE.near(text, start, end):
        return False
    digits = "".join(ch for ch in value if ch.isdigit())
    return _CANONICAL.fullmatch(value) is not None or _counting(digits)
