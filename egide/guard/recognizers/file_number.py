"""Case and file numbers after their cue: IPP, NDA, "n° de dossier", "RG n°", "matricule"…

Such a number has no key and no shape of its own; what makes it personal data is its cue: it
points to one person's hospital stay, court case, benefits file or career. Only the value is
reported ("RG n° 23/01234" -> "23/01234"). Numbers after the cue of a *text* (décret, arrêté,
loi, article, NOR) are not cues here: they identify no one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from egide.guard.findings import Finding
from egide.guard.registry import Recognizer, register_recognizer
from egide.guard.sensitive.folding import fold

__all__ = ["FileNumberRecognizer", "file_number_recognizer"]

_S = r"[ \t\u00a0\u202f]"
_NUM = r"(?:n\s?°|n[o°º]\.?|nº|numero|num\.?|#)"

# Cues, folded (lower case, no accents). Each is a whole phrase: "ipp" never matches inside
# "dipp", nor "rg" inside "orge".
_CUES = (
    # hospitals
    r"ipp", r"nda", r"n[o°]\s?(?:de\s)?sejour", r"numero\sde\ssejour", r"sejour\sn[o°]",
    r"n[o°]\s?(?:de\s)?venue", r"venue\sn[o°]", r"n[o°]\sd'hospitalisation",
    r"n[o°]\s?(?:du\s|de\s)?patient", r"identifiant\s(?:du\s)?patient", r"n[o°]\sd'episode",
    r"dossier\smedical", r"n[o°]\s?(?:d'|de\s)?admission",
    # files and references
    r"n[o°]\s?(?:de\s|du\s)?dossier", r"numero\s(?:de\s|du\s)?dossier", r"dossier\sn[o°]",
    r"r[ée]f(?:erence)?s?\.?", r"(?:vos|nos|votre|notre)\sr[ée]f(?:erence)?s?\.?",
    r"[vn]/\s?ref\.?", r"n[o°]\sd'enregistrement", r"numero\sd'enregistrement",
    r"enregistre(?:e|s|es)?\ssous\sle", r"sous\sle\snumero", r"matricule",
    r"n[o°]\sd'allocataire", r"numero\sd'allocataire", r"allocataire\s(?:caf\s)?n[o°]",
    r"n[o°]\s(?:d')?etranger", r"numero\s(?:d')?etranger", r"n[o°]\sde\sdemande(?:\sanef)?",
    r"numero\sde\sdemande", r"n[o°]\sde\srecepisse", r"recepisse\sn[o°]",
    r"titre\sde\ssejour\sn[o°]", r"n[o°]\sde\stitre", r"n[o°]\sde\spermis(?:\sde\sconduire)?",
    r"permis\sde\sconduire\sn[o°]", r"n[o°]\sde\spension", r"n[o°]\s(?:d')?adherent",
    r"n[o°]\sde\scontrat", r"n[o°]\sclient", r"n[o°]\sfamille", r"n[o°]\sd'usager",
    # courts and police
    r"(?:n[o°]\s)?rg(?:\sn[o°])?", r"repertoire\sgeneral", r"(?:n[o°]\s)?portalis",
    r"pourvoi(?:\sn[o°])?", r"n[o°]\s(?:de\s|du\s)?parquet", r"parquet\sn[o°]",
    r"n[o°]\s(?:de\s)?jugement", r"jugement\sn[o°]", r"n[o°]\sd'instruction",
    r"n[o°]\sd'ecrou", r"ecrou\sn[o°]", r"ecroue?e?\ssous\sle", r"n[o°]\sde\sprocedure",
    r"proces-verbal\sn[o°]", r"pv\sn[o°]", r"n[o°]\s(?:de\s)?pv", r"n[o°]\sde\splainte",
    r"n[o°]\s(?:de\s)?minute", r"minute\sn[o°]", r"affaire\sn[o°]", r"requete\sn[o°]",
    r"n[o°]\sde\srequete", r"n[o°]\sd'affaire", r"n[o°]\sde\sl'affaire",
)  # fmt: skip
# Between the cue and the value: "n°", a colon, "le", spaces (one line at most).
# Between the cue and the value: "n°", a colon, "le", spaces; or the complement of a form's label
# when a colon ends it ("Matricule de l'agent instructeur : 425580").
_LABEL_TAIL = (
    rf"{_S}{{1,3}}(?:de|du|des|d')(?:{_S}{{0,3}}(?:l'|la |le |les ))?[a-z]{{2,20}}"
    rf"(?:{_S}{{1,3}}[a-z]{{2,20}}){{0,2}}{_S}{{0,3}}:"
)
_FILLER = (
    rf"(?:{_LABEL_TAIL}|(?:{_S}{{0,3}}(?:le|la){_S}{{1,3}})?(?:{_S}{{0,3}}{_NUM})?{_S}{{0,3}}:?)"
    rf"{_S}{{0,3}}"
)
# The value: letters and digits, groups joined by - / . _ (never a final dot); "123 456 789"
# when the groups are digits. It must hold digits (checked after the match).
_TOKEN = r"[a-z0-9]{1,20}(?:[\-/._][a-z0-9]{1,20}){0,6}"
_VALUE = rf"(?P<value>(?=[a-z\-/._]{{0,30}}\d){_TOKEN}(?:{_S}\d{{3}}(?![\w/]))?(?:{_S}\d{{3}}(?![\w/])){{0,3}})"
_PATTERN = re.compile(rf"(?<![\w'])(?P<cue>{'|'.join(_CUES)})(?![\w]){_FILLER}{_VALUE}(?![\w\-/])")
# A bare label of forms and headers, without "n°": "IPP 00451236", "Séjour 22004512",
# "Dossier : 2024-123456". Only values with five digits or more: "séjour 2024" is a year.
_BARE_CUE = re.compile(
    rf"(?<![\w'])(?:ipp|nda|sejour|venue|episode|dossier|matricule|allocataire|requete)"
    rf"{_S}{{0,3}}:?{_S}{{0,3}}(?P<value>(?=(?:[a-z\-/]{{0,4}}\d){{5}})[a-z0-9]{{1,20}}"
    rf"(?:[\-/][a-z0-9]{{1,20}}){{0,3}})(?![\w\-/])"
)
# Cadastral references: "parcelle cadastrée section AB n° 123", "cadastre : 000 ZC 45".
_CADASTRE = re.compile(
    rf"(?<![\w'])(?:cadastree?s?(?:{_S}{{1,3}}sous)?(?:{_S}{{1,3}}le)?(?:{_S}{{1,3}}section)?"
    rf"|section{_S}{{1,3}}cadastrale|parcelles?(?:{_S}{{1,3}}cadastree?s?)?(?:{_S}{{1,3}}section)?"
    rf"|references?{_S}{{1,3}}cadastrales?|cadastre){_S}{{0,3}}:?{_S}{{0,3}}"
    rf"(?P<value>(?:\d{{3}}{_S})?[a-z]{{1,2}}{_S}{{0,2}}(?:{_NUM}{_S}{{0,2}})?\d{{1,4}})(?![\w])"
)
# A case number alone on its line, as courts print it under their name: "N° 2301234".
_HEADER_NUMBER = re.compile(
    rf"(?m)^{_S}{{0,8}}{_NUM}{_S}{{0,3}}(?P<value>(?=(?:[a-z/\-]{{0,2}}\d){{4}})[0-9][0-9a-z/\-]{{4,14}})"
    rf"(?:{_S}{{0,8}}$|{_S}{{1,3}}[—–-]{_S})"
)
# The reference line of a letter's header, abbreviated as letters write it: "Réf. : votre
# demande du 16 mai 2023 ; CAB-134-2024", "N/Réf. : …". Every code of letters and digits on it is
# a file reference; its dates are not. A line "Références :" is not one: it lists texts, books
# and codes as often as files.
_REFERENCE_LINE = re.compile(
    rf"(?m)^{_S}{{0,8}}(?:[nv]/{_S}?|(?:nos|vos){_S})?r[ée]fs?\.?{_S}{{0,3}}:"
    rf"(?P<line>[^\n]{{1,160}})"
)
_CODE = re.compile(
    r"(?<![\w/\-.])(?=(?:[a-z/\-]{0,6}\d){3})[a-z0-9]{1,12}(?:[/\-][a-z0-9]{1,12}){1,4}"
    r"(?![\w/\-])"
)
_DATE_CODE = re.compile(r"\d{1,2}[/\-]\d{1,2}[/\-]\d{2,4}")
# On a reference line, the number of a text is not a file: "Réf. : article L. 1110-4 du code",
# "Réf. : décret n° 2024-123".
_TEXT_BEFORE = re.compile(
    rf"(?:\barticles?|\bart\.|\b[lrd]\.|\bisbn|\bissn|\bape|\bnaf|\bnor|\bean"
    rf"|(?:decret|arrete|loi|circulaire|ordonnance|directive|reglement)(?:{_S}{{1,3}}{_NUM})?)"
    rf"{_S}{{0,3}}:?{_S}{{0,3}}$"
)

_YEAR = re.compile(r"(?:19|20)\d\d")
_AMOUNT_AFTER = re.compile(rf"{_S}{{0,2}}(?:€|eur\b|euros?\b|%)")

SCORE_CUE = 0.85


class FileNumberRecognizer:
    """A number with digits right after a case or file cue; the cue itself is not reported."""

    def __init__(self) -> None:
        self.name = "file_number"
        self.labels: tuple[str, ...] = ("FILE_NUMBER",)

    def find(self, text: str) -> Iterator[Finding]:
        folded = fold(text)
        seen: set[tuple[int, int]] = set()
        for pattern, why in ((_PATTERN, "numéro après la mention d'un dossier"),
                             (_BARE_CUE, "numéro après le libellé d'un dossier"),
                             (_CADASTRE, "référence cadastrale"),
                             (_HEADER_NUMBER, "numéro d'affaire en tête de décision")):  # fmt: skip
            for match in pattern.finditer(folded.text):
                value = match.group("value")
                digits = sum(ch.isdigit() for ch in value)
                # A parcel's number may be one digit ("section AK n° 3"): its cue is explicit.
                if (digits < 2 and pattern is not _CADASTRE) or (
                    pattern is _PATTERN and digits < 3 and len(value) < 5
                ):
                    continue
                if _YEAR.fullmatch(value) or _AMOUNT_AFTER.match(folded.text, match.end()):
                    continue
                start, end = folded.span_in_original(*match.span("value"))
                if (start, end) in seen:
                    continue
                seen.add((start, end))
                yield Finding(start, end, "FILE_NUMBER", SCORE_CUE, text[start:end], self.name,
                              why)  # fmt: skip
        for line in _REFERENCE_LINE.finditer(folded.text):
            for code in _CODE.finditer(folded.text, line.start("line"), line.end("line")):
                before = folded.text[max(line.start("line"), code.start() - 20) : code.start()]
                if _DATE_CODE.fullmatch(code.group()) or _TEXT_BEFORE.search(before):
                    continue
                start, end = folded.span_in_original(*code.span())
                if any(s < end and start < e for s, e in seen):
                    continue
                seen.add((start, end))
                yield Finding(start, end, "FILE_NUMBER", SCORE_CUE, text[start:end], self.name,
                              "référence sur la ligne « Réf. » d'un courrier")  # fmt: skip


@register_recognizer("file_number")
def file_number_recognizer() -> Recognizer:
    return FileNumberRecognizer()
