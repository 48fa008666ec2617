"""The fiche de synthèse: what an agent needs to know of a document, in its own sentences.

Object, sender and addressees, decisions and requests, dates and deadlines, amounts, enclosed
documents, points that call for care, then the gist. Every line is a sentence (or a list with
its lead-in) of the document, found by the cues of French administrative writing, with its page
or paragraph; nothing is written that the document does not say. Headers, signatures and
politeness formulas feed the sender and addressee lines and stay out of the rest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from egide.models.local.units import Unit

__all__ = ["Fiche", "FicheItem", "read_fiche", "LIMITS"]

# How many items each heading keeps, by summary length.
LIMITS = {"court": 3, "page": 6, "detaille": 40}

_MONTHS = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
    "novembre|décembre|decembre"
)
_I = re.IGNORECASE
_OBJECT = re.compile(r"^(?:objet|obj\.)\s*[:.-]\s*", _I)
_REFERENCE = re.compile(r"^(?:réf(?:érences?)?\.?|v/réf\.?|n/réf\.?|vos réf\.?)\s*:\s*", _I)
_ADDRESSEE = re.compile(
    r"^(?:mesdames et messieurs|monsieur l[ea]|madame l[ea]|messieurs l|mesdames l|"
    r"à l['’]attention d|a l['’]attention d|destinataires?\s*:|à monsieur|à madame|"
    r"copie\s*(?:à|:))",
    _I,
)
_COPY = re.compile(r"^copies?\s*(?:à|:)", _I)
_SALUTATION = re.compile(r"^(?:madame|monsieur|mesdames|messieurs|maître)[\w ,'’-]{0,60},$", _I)
_INSTITUTION = re.compile(
    r"\b(?:minist(?:re|ère)|préfe(?:t|ète|cture)|sous-préfecture|direction|directeur|directrice|"
    r"secrétari(?:at|e général)|secrétaire générale?|service|bureau|mairie|maire|conseil|"
    r"tribunal|cour|agence|département|région|commune|ambassade|consulat|caisse|inspection|"
    r"délégation|république|cabinet)\b",
    _I,
)
_SIGNATURE = re.compile(
    r"^(?:pour l[ea] |par délégation|p/o|le |la |l['’])(?:.{0,60})?"
    r"(?:ministre|préfe(?:t|ète)|secrétaire|directeur|directrice|chef|cheffe|adjoint|adjointe|"
    r"maire|président|présidente|délégation|sous-préfet|sous-préfète)",
    _I,
)
# "Par Renaud Morelli" (a name, not "Par courrier du…"), "Publié le…".
_BYLINE = re.compile(
    r"^(?:(?:[Rr]édigé )?[Pp]ar (?:(?:\[[A-Z_]{2,30}_\d{1,6}\]|[A-ZÉÈ][\w'’-]+) ?){1,4}$|"
    r"[Pp]ublié le|[Mm]is à jour le)"
)
_ENCLOSED_LINE = re.compile(r"^(?:p\.?\s?j\.?|pièces? jointes?|annexes?)\s*:\s*(?P<what>.+)$", _I)
_READING_TIME = re.compile(r"[-–—]?\s*temps de lecture\s*:?\s*\d+\s*min(?:utes?)?\.?", _I)
_PLACE_AND_DATE = re.compile(rf"^[\w' -]{{2,40}}, le \d{{1,2}}(?:er)? (?:{_MONTHS}) \d{{4}}$", _I)
_POLITENESS = re.compile(
    r"(?:veuillez agréer|je vous prie d['’]agréer|recevez, madame|recevez, monsieur|"
    r"salutations distinguées|mes sentiments|l['’]expression de (?:ma|mes|notre|nos)|"
    r"restant à votre disposition|je reste à votre disposition|restent à votre disposition|"
    r"je sais pouvoir compter|je vous remercie (?:par avance|de votre (?:attention|confiance)))",
    _I,
)
# A decision taken or a request made to someone: what the reader must act on.
_DECISION = re.compile(
    r"\b(?:décid|arrête\b|arrêté|est (?:accordée?|refusée?|rejetée?|autorisée?|abrogée?|"
    r"annulée?|prorogée?|suspendue?|retirée?)|sont (?:accordé|refusé|rejeté|autorisé)|"
    r"il est demandé|je vous demande|vous demande de|je vous (?:remercie|saurais gré) de veiller|"
    r"je vous remercie de (?!votre)|vous (?:êtes|serez) (?:invités?|priée?s?) |"
    r"(?:sont|est) invitée?s? à|veuillez (?!agréer|recevoir|croire)|vous voudrez bien|"
    r"sollicite|demande (?:le|la|l['’]|de|que|à)|prescri|ordonn|mise? en demeure|"
    r"j['’]ai l['’]honneur de vous (?:informer|faire savoir|demander)|\brefuse|\baccorde|"
    r"sont priés|merci de (?!votre))",
    _I,
)
# An obligation stated in general: a decision too, unless the sentence is a caution.
_OBLIGATION = re.compile(
    r"\b(?:doi(?:t|vent) |devr(?:a|ont) |il convient|il (?:vous )?appartient|il importe|"
    r"(?:sont|est) tenue?s?|(?:sont|est) chargée?s?)",
    _I,
)
_ATTENTION = re.compile(
    r"\b(?:vigilance|attention particulière|sous réserve|toutefois|cependant|néanmoins|à défaut|"
    r"en l['’]absence|interdit|ne (?:doit|doivent|peut|peuvent|saurai(?:t|ent)) (?:pas|en aucun cas|"
    r"jamais|être)|aucune? \w+ (?:ne|n['’])|impérati|obligatoire|sanction|recours|contentieux|"
    r"sous peine|urgen(?:t|ce)|irrecevable|forclusion|rappel(?:le|ons)?\b)",
    _I,
)
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:er)?\s+(?:{_MONTHS})(?:\s+\d{{4}}|\s+dernier|\s+prochain)?\b|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}|"
    rf"(?:{_MONTHS})\s+\d{{4}}|(?:dans|sous) un délai d[e'’]|délai de \w+|au plus tard|"
    rf"avant le \d|à compter du|à partir du \d|jusqu['’]au|d['’]ici (?:le|la|au|à|fin)|"
    rf"date limite|échéance|(?:dans|sous) (?:les )?\d+ (?:jours|mois|semaines))",
    _I,
)
_AMOUNT = re.compile(
    r"(?:\d[\d\s\u202f\u00a0.,]*\s?(?:€|euros?\b|EUR\b|k€|M€|millions? d['’]euros|"
    r"milliards? d['’]euros)|€\s?\d)",
    _I,
)
_ENCLOSED = re.compile(
    r"\b(?:ci-joint(?:e|s|es)?|pièces? jointes?|p\.\s?j\.|en annexe|annexée?s?|je joins|"
    r"(?:vous trouverez|veuillez trouver) ci|jointe? à (?:la présente|ma demande|ce courrier)|"
    r"justificatifs?)\b",
    _I,
)
_NAME = re.compile(r"^(?:\[PERSONNE_\d+\]|[A-ZÉÈ][\w'’-]+(?: [A-ZÉÈ][\w'’-]+){0,3})$")
_UNDERSIGNED = re.compile(r"\bje soussignée? ,?\s*([^,;.]{3,80})", _I)
# A sentence this short is quoted whole in the dates, amounts and enclosed documents.
_WHOLE_SENTENCE_CHARS = 110


@dataclass(frozen=True, slots=True)
class FicheItem:
    text: str
    unit: Unit
    strong: bool = False  # a decision or request made to someone, before mere obligations
    block: str = ""  # senders: "header" or "signature", shown as one phrase each


@dataclass
class Fiche:
    document: str | None
    object: FicheItem | None = None
    title: FicheItem | None = None
    references: list[FicheItem] = field(default_factory=list)
    dated: list[FicheItem] = field(default_factory=list)  # "Lyon, le 3 mars 2025", "Publié le…"
    senders: list[FicheItem] = field(default_factory=list)
    addressees: list[FicheItem] = field(default_factory=list)
    decisions: list[FicheItem] = field(default_factory=list)
    dates: list[FicheItem] = field(default_factory=list)
    amounts: list[FicheItem] = field(default_factory=list)
    enclosed: list[FicheItem] = field(default_factory=list)
    attention: list[FicheItem] = field(default_factory=list)
    body: list[Unit] = field(default_factory=list)  # the prose left for the gist
    shown: set[int] = field(default_factory=set)  # units already quoted in full


def _window(unit: Unit, match: re.Match[str], *, before: int = 8, after: int = 7) -> str:
    """The words around ``match`` within its clause ("…retourner la convention signée avant le
    30 avril 2025, accompagnée d'un relevé…"), cut from the text as it is; a short sentence is
    quoted whole."""
    text = unit.flat_text
    if len(text) <= _WHOLE_SENTENCE_CHARS:
        return text
    head = text[: match.start()]
    # "la charte (ci-jointe)": the parenthesis opens on the match, the words before belong.
    searched = head[:-1] if head.endswith("(") else head
    found = [searched.rfind(sep) + len(sep) for sep in (". ", "; ", ": ", "(") if sep in searched]
    clause_start = max(found, default=0)
    starts = [m.start() for m in re.finditer(r"\S+", text[clause_start : len(searched)])]
    start = clause_start + starts[-before] if len(starts) >= before else clause_start
    tail = text[match.end() :]
    stops = [tail.find(sep) for sep in (". ", "; ", ": ", ")")]
    clause_end = match.end() + min((p for p in stops if p >= 0), default=len(tail))
    if text[clause_end : clause_end + 1] == ")":
        clause_end += 1  # "(ci-jointe)" keeps its closing parenthesis
    ends = [m.end() for m in re.finditer(r"\S+", text[match.end() : clause_end])]
    if not after:
        end = match.end() + (1 if text[match.end() : match.end() + 1] == ")" else 0)
    elif len(ends) >= after:
        end = match.end() + ends[after - 1]
    else:
        end = clause_end
    quote = text[start:end].strip(" ,;")
    opening = "…" if start > 0 else ""
    closing = "…" if text[end:].strip(" .") else ""
    if not opening:
        quote = quote[:1].upper() + quote[1:]
    return opening + quote + closing


def _header_and_signature(units: Sequence[Unit]) -> tuple[set[int], set[int]]:
    """Indexes of the letterhead lines (before the body) and of the signature block (after the
    last body sentence, or after the politeness formula)."""
    header: set[int] = set()
    for unit in units:
        if unit.kind == "line" or _OBJECT.match(unit.text) or _REFERENCE.match(unit.text):
            header.add(unit.index)
            continue
        if _SALUTATION.match(unit.text):
            header.add(unit.index)
        break
    signature: set[int] = set()
    for unit in reversed(units):
        if _ENCLOSED_LINE.match(unit.text) or _COPY.match(unit.text):
            continue  # "PJ : …", "Copie à …" come after the signature
        if unit.kind != "line" or unit.index in header:
            break
        signature.add(unit.index)
    return header, signature


def read_fiche(units: Sequence[Unit], *, document: str | None) -> Fiche:
    """Sort ``units`` (of one document) into the headings of a fiche."""
    fiche = Fiche(document=document)
    header, signature = _header_and_signature(units)
    for unit in units:
        text = unit.text
        if (found := _OBJECT.match(text)) and fiche.object is None:
            fiche.object = FicheItem(text[found.end() :].strip(), unit)
            fiche.shown.add(unit.index)
            continue
        if found := _REFERENCE.match(text):
            fiche.references.append(FicheItem(text[found.end() :].strip(), unit))
            continue
        if found := _ENCLOSED_LINE.match(text):
            what = found.group("what").strip()
            fiche.enclosed.append(FicheItem(what[:1].upper() + what[1:], unit))
            continue
        if unit.index in header or unit.index in signature:
            _person_or_place(unit, fiche, in_header=unit.index in header)
            continue
        if _BYLINE.match(text) and len(text.split()) <= 20:
            _byline(unit, fiche)
            continue
        if unit.kind == "line":
            if fiche.title is None and not re.match(r"^\d", text):
                fiche.title = FicheItem(text, unit)
            continue  # a heading: structure, not content
        if _SALUTATION.match(text) or _POLITENESS.search(unit.flat_text):
            continue
        _clauses(unit, fiche)
        if signed := _UNDERSIGNED.search(text):
            fiche.senders.append(FicheItem(signed.group(1).strip(), unit))
        flat = unit.flat_text
        if _DECISION.search(flat):
            fiche.decisions.append(FicheItem(unit.full_text, unit, strong=True))
        elif _ATTENTION.search(flat):
            fiche.attention.append(FicheItem(unit.full_text, unit))
        elif _OBLIGATION.search(flat):
            fiche.decisions.append(FicheItem(unit.full_text, unit))
        else:
            fiche.body.append(unit)
            continue
        fiche.shown.add(unit.index)
        fiche.body.append(unit)
    return fiche


def _person_or_place(unit: Unit, fiche: Fiche, *, in_header: bool) -> None:
    text = unit.text
    if _SALUTATION.match(text):
        return  # "Monsieur le Président," opens the letter; the addressee line says who
    if _ADDRESSEE.match(text):
        fiche.addressees.append(FicheItem(text, unit))
        return
    if _PLACE_AND_DATE.match(text):
        fiche.dated.append(FicheItem(text, unit))
        return
    letterhead = in_header and (_INSTITUTION.search(text) or text.isupper())
    signed = not in_header and (_SIGNATURE.match(text) or _NAME.match(text))
    if letterhead or signed:
        block = "header" if in_header else "signature"
        fiche.senders.append(FicheItem(text, unit, block=block))


def _byline(unit: Unit, fiche: Fiche) -> None:
    """ "Par Renaud Morelli", "Publié le 5 juillet 2025 à 09h29 – Temps de lecture : 2 min"."""
    text = _READING_TIME.sub("", unit.text).strip(" -–—")
    if text.lower().startswith(("par ", "rédigé par ")):
        fiche.senders.append(FicheItem(text.split(" ", 1 if text[:3].lower() == "par" else 2)[-1],
                                       unit, block="byline"))  # fmt: skip
    else:
        fiche.dated.append(FicheItem(text, unit))


def _clauses(unit: Unit, fiche: Fiche) -> None:
    text = unit.flat_text
    for pattern, bucket in ((_DATE, fiche.dates), (_AMOUNT, fiche.amounts),
                            (_ENCLOSED, fiche.enclosed)):  # fmt: skip
        found = pattern.search(text)
        if found is not None:
            if pattern is _ENCLOSED:
                # "…la convention ci-jointe…": the document named, not the whole sentence.
                after = 0 if found.group().lower().startswith("ci-") else 5
                bucket.append(FicheItem(_window(unit, found, before=4, after=after), unit))
            else:
                bucket.append(FicheItem(_window(unit, found), unit))
