"""Protection markings: « Diffusion Restreinte », « Spécial France », « Secret », « Très Secret »…

A marking is a header, a footer, a stamp: a line of its own, capitals, or a form such as
« classifié Secret » or « niveau : Secret ». The same words in prose are not markings
(« le secret médical », « le secret de l'instruction », « la secrétaire »), except « Diffusion
Restreinte » and « Spécial France », which have no other use in administrative French and count
wherever they appear.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from egide.guard.sensitive.cues import Cue
from egide.guard.sensitive.folding import Folded
from egide.policy.levels import Level

__all__ = ["MARKINGS", "find_marking_cues"]

# Stable code -> (level, French label).
MARKINGS: dict[str, tuple[Level, str]] = {
    "classification_tres_secret": (Level.CLASSIFIE, "classification « Très Secret »"),
    "classification_secret": (Level.CLASSIFIE, "classification « Secret »"),
    "classification_confidentiel_defense": (
        Level.CLASSIFIE,
        "classification « Confidentiel Défense » (ancien niveau)",
    ),
    "marquage_dr": (Level.DIFFUSION_RESTREINTE, "mention « Diffusion Restreinte »"),
    "mention_special_france": (Level.DIFFUSION_RESTREINTE, "mention « Spécial France »"),
    "mention_confidentiel": (Level.SENSIBLE, "mention « Confidentiel »"),
}

_SEP = r"[\s\-]{1,3}"
# Runs on the folded text (lower case, no accents).
_CANDIDATE = re.compile(
    rf"(?<!\w)(?:(?P<tres_secret>tres{_SEP}secret(?:{_SEP}defense)?)"
    rf"|(?P<secret_defense>secret{_SEP}defense)"
    rf"|(?P<secret>secret)"
    rf"|(?P<confidentiel_defense>confidentiel{_SEP}defense)"
    rf"|(?P<confidentiel>confidentiel(?:le)?)"
    rf"|(?P<diffusion_restreinte>diffusion{_SEP}restreinte)"
    rf"|(?P<special_france>special{_SEP}france)"
    rf"|(?P<dr>dr))(?!\w)"
)
# Words that a marking line may carry besides the marking itself (« Document confidentiel »,
# « DIFFUSION RESTREINTE – page 2/5 »).
_HEADER_WORDS = re.compile(
    r"(?<!\w)(?:document|note|mention|niveau|classification|marquage|protection|ne pas diffuser"
    r"|copie|exemplaire|page|sous pli|pli|personnel|et|strictement|n|no|sur|\d{1,6})(?!\w)"
)
_CONTEXT_BEFORE = re.compile(
    r"(?:classifie|classifiee|classifies|classifiees|classification|classe|classee|classes"
    r"|niveau|marquage|timbre|timbree|tamponne|protection)"
    r"[\s:«\"'\-]{1,6}\Z"
)
_CONFIDENTIEL_BEFORE = re.compile(r"(?:sous pli|pli|personnel et|strictement|tres)\s{1,3}\Z")
_CONFIDENTIEL_AFTER = re.compile(r"[\s\-]{1,3}personnel(?:le)?(?!\w)")
# « secret » followed by one of these is a legal notion, not a classification.
_SECRET_NOTION = re.compile(
    r"[\s\-]{1,3}(?:medica\w{0,3}|professionnel\w{0,3}|de l'instruction|de l'enquete"
    r"|des correspondances|des affaires|bancaire|fiscal|statistique|industriel|de fabrication"
    r"|de famille|d'etat|de polichinelle|du vote|des deliberations|de la vie privee"
    r"|de la confession|des sources)(?!\w)"
)
_DASH_BEFORE = re.compile(r"[-|/\[]\s{0,3}\Z")
_DASH_AFTER = re.compile(r"\s{0,3}[-|/\]]")
_LINE_REACH = 200


def _is_upper(original: str) -> bool:
    return any(c.isalpha() for c in original) and not any(c.islower() for c in original)


def _is_title(original: str) -> bool:
    return all(word[0].isupper() for word in re.findall(r"\w+", original))


def _standalone(folded: Folded, start: int, end: int) -> bool:
    """The marking is alone on its line (decorations and header words aside)."""
    text = folded.text
    line_start = text.rfind("\n", max(0, start - _LINE_REACH), start) + 1
    if line_start == 0 and start > _LINE_REACH:
        return False
    line_end = text.find("\n", end, end + _LINE_REACH)
    if line_end == -1:
        if len(text) - end > _LINE_REACH:
            return False
        line_end = len(text)
    rest = _HEADER_WORDS.sub(" ", _CANDIDATE.sub(" ", text[line_start:line_end]))
    return re.search(r"[^\W_]", rest) is None


def _before(folded: Folded, start: int, pattern: re.Pattern[str]) -> bool:
    return pattern.search(folded.text, max(0, start - 40), start) is not None


def _marking_form(folded: Folded, start: int, end: int, original: str) -> bool:
    return (
        _is_upper(original)
        or _is_title(original)
        or _standalone(folded, start, end)
        or _before(folded, start, _CONTEXT_BEFORE)
    )


def _secret(folded: Folded, start: int, end: int, original: str) -> bool:
    if _SECRET_NOTION.match(folded.text, end):
        return False
    # « Secret » alone is too common a word for a capital to suffice.
    return (
        _is_upper(original)
        or _standalone(folded, start, end)
        or _before(folded, start, _CONTEXT_BEFORE)
    )


def _confidentiel(folded: Folded, start: int, end: int, original: str) -> bool:
    return (
        _is_upper(original)
        or _standalone(folded, start, end)
        or _before(folded, start, _CONFIDENTIEL_BEFORE)
        or _CONFIDENTIEL_AFTER.match(folded.text, end) is not None
    )


def _dr(folded: Folded, start: int, end: int, original: str) -> bool:
    # « DR » is also the usual acronym of a direction or délégation régionale: only a stamp-like
    # form counts (alone on its line, between dashes, or after « niveau », « marquage »…).
    if original != "DR":
        return False
    return (
        _standalone(folded, start, end)
        or (
            _DASH_BEFORE.search(folded.text, max(0, start - 8), start) is not None
            and _DASH_AFTER.match(folded.text, end) is not None
        )
        or _before(folded, start, _CONTEXT_BEFORE)
    )


def _always(folded: Folded, start: int, end: int, original: str) -> bool:
    return True


_Rule = Callable[[Folded, int, int, str], bool]
_RULES: dict[str, tuple[str, _Rule]] = {
    "tres_secret": ("classification_tres_secret", _marking_form),
    "secret_defense": ("classification_secret", _marking_form),
    "secret": ("classification_secret", _secret),
    "confidentiel_defense": ("classification_confidentiel_defense", _marking_form),
    "confidentiel": ("mention_confidentiel", _confidentiel),
    "diffusion_restreinte": ("marquage_dr", _always),
    "special_france": ("mention_special_france", _always),
    "dr": ("marquage_dr", _dr),
}


def find_marking_cues(folded: Folded) -> list[Cue]:
    """Protection markings, in text order, with offsets into ``folded.original``."""
    cues: list[Cue] = []
    for match in _CANDIDATE.finditer(folded.text):
        group = match.lastgroup
        assert group is not None
        code, rule = _RULES[group]
        start, end = folded.span_in_original(match.start(), match.end())
        if rule(folded, match.start(), match.end(), folded.original[start:end]):
            cues.append(Cue(start, end, code, MARKINGS[code][0]))
    return cues
