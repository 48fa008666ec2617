"""Deterministic rules that find person names from their context.

Civilities ("M. Jean DUPONT"), labels of forms and clinical notes ("Patient : …"), family
relations ("épouse X"), identity clauses ("X, né le …"), court captions ("X c/ Y"), signature
blocks and the plain shapes of French names ("Jean DUPONT", "DUPONT Jean", "J.-P. Martin").
Every rule runs in one pass over the text with linear-time regexes; spans exclude civilities
and titles.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from egide.guard.ner.candidates import Candidate
from egide.guard.ner.gazetteers import (
    ACRONYMS,
    CIVILITIES,
    ORG_WORDS,
    PARTICLES,
    PLACE_PREFIXES,
    PLURAL_CIVILITIES,
    STOP_WORDS,
    TITLE_WORDS,
    Gazetteers,
    follows_establishment_word,
)
from egide.guard.ner.tables import table_candidates
from egide.guard.ner.tokens import (
    NAME_GAP_RE,
    Shape,
    Token,
    fold,
    read_token,
    tokens_before,
)

__all__ = ["NameRules", "MAX_NAME_TOKENS"]

MAX_NAME_TOKENS = 6
_SPACE = r"[ \t\u00a0\u202f]"

CIVILITY_RE = re.compile(
    r"(?<![\w.'’\-])(?:(?:MM|M|Me|Mes)\.?|(?i:mmes|mme|mlles|mlle|mr|drs|dr|pr)\.?"
    r"|(?i:monsieur|madame|mademoiselle|messieurs|mesdames|ma[iî]tres?|docteure?|professeure?))"
    rf"(?={_SPACE})"
)
LABEL_RE = re.compile(
    r"(?<![\w'’])(?i:patiente?|nom(?:\(s\))?(?: de naissance| d'usage| marital| de famille"
    r"| et prénoms?| et prénom\(s\))?"
    r"|prénoms?(?:\(s\))?(?: et nom)?|cadre de santé|cadre(?: de| du) service|requérante?|demandeur|demanderesse|défendeur|défenderesse"
    r"|appelante?|intimée?|médecin(?: traitant| prescripteur| référent| responsable)?"
    r"|interne|infirmière?|signataire|rédigé par|rédacteur|rédactrice|dossier suivi par"
    r"|affaire suivie par|suivi par|contact|destinataire|expéditeur|expéditrice|assurée?"
    r"|bénéficiaire|allocataire|conjointe?|époux|épouse|témoin|victime|prévenue?"
    r"|mis en cause|référente?|interlocut(?:eur|rice)|praticien|chirurgien|anesthésiste"
    r"|vu par|validé par|agent instructeur|personne à prévenir|personne de confiance)"
    rf"{_SPACE}{{0,3}}:{_SPACE}{{0,3}}"
)
RELATION_RE = re.compile(
    r"(?<![\w'’])(?i:épouse|époux|née|veuve|veuf|divorcée?|dite?|alias|consorts|les époux"
    r"|(?:fils|fille|frère|sœur|soeur|mère|père|enfant) de"
    r"|(?:vit|vivant|habite|vient) avec|accompagnée? (?:de|par)"
    r"|(?:sa|son) (?:fille|fils|mère|père|épouse|époux|femme|mari|compagne|compagnon|sœur"
    r"|soeur|frère|conjointe?|petite-fille|petit-fils|neveu|nièce|tante|oncle|gendre|belle-fille"
    r"|belle-mère|beau-père|tutrice|tuteur|curatrice|curateur))"
    rf"{_SPACE}{{1,3}}"
)
# Words after which an initial starts a name ("passage de H. Boucher", "vu par J. Petit").
_NAME_INTRODUCERS = frozenset({"de", "d", "par", "avec", "a", "et", "chez", "pour", "du", ":"})
# A name followed by one of these clauses is a party's identity: "Jean DUPONT, né le …".
IDENTITY_RE = re.compile(
    r"(?i:,?[ \t]{0,3}\(?(?:née?s? (?:le|à|en)|demeurant|domiciliée?s?|résidant|de nationalité"
    r"|âgée? de|agissant|pris en sa qualité|prise en sa qualité|sans profession))\b"
)
VERSUS_RE = re.compile(rf"{_SPACE}{{1,3}}(?:c/|contre){_SPACE}{{1,3}}")
SIGNATURE_LINE_RE = re.compile(
    r"(?m)^[ \t]{0,40}([A-ZÀ-ÖØ-Þ][^\W\d_]{1,30}(?:-[A-ZÀ-ÖØ-Þ][^\W\d_]{1,30})?"
    r"(?:[ \t]{1,3}[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’\-]{1,40}){1,2})[ \t]{0,40}$"
)
_STRONG, _GOOD, _FAIR, _WEAK = 0.95, 0.9, 0.8, 0.7


def _opening_particles(particles: list[Token]) -> list[Token]:
    """The particles that belong to a surname written after them.

    From the first capitalised one ("VAN der", "LA", "Le"); a lower-case "de" only before
    "La"/"LA" ("de La Roche"); a lone lower-case "de" belongs to the sentence ("le rapport de
    DUPONT Jean").
    """
    first = next((i for i, p in enumerate(particles) if p.shape is not Shape.LOWER), None)
    if first is None:
        return []
    if (
        first > 0
        and particles[first - 1].key in ("de", "d")
        and particles[first].key in ("la", "l")
    ):
        first -= 1
    return particles[first:]


class NameRules:
    """Applies every rule to one text; ``candidates()`` yields PERSON candidates."""

    def __init__(self, text: str, gazetteers: Gazetteers, capitalised: list[Token]) -> None:
        self.text = text
        self.gaz = gazetteers
        self.capitalised = capitalised

    # -- token tests ------------------------------------------------------------------------
    def _blocked(self, token: Token) -> bool:
        key = token.key
        if token.shape is Shape.LOWER:
            return True
        if token.shape is Shape.INITIAL:
            return key.rstrip(".") in CIVILITIES  # "M." is a civility, not an initial
        if len(key) > 2 and key[1] == "'":
            key = key[2:]  # "d'Agence", "L'Administration"
        if key in STOP_WORDS or key in TITLE_WORDS or key in ORG_WORDS or key in CIVILITIES:
            return True
        return token.shape is Shape.UPPER and key in ACRONYMS

    def _is_place(self, token: Token) -> bool:
        population = self.gaz.place_population(token.text)
        return population is not None and (population < 0 or population >= 20_000)

    def _name_like(self, token: Token) -> bool:
        """A part that may continue a name, or start one without any context word."""
        if self._blocked(token):
            return False
        if token.shape in (Shape.UPPER, Shape.INITIAL):
            return True
        if self.gaz.is_first_name(token.text) or self.gaz.is_surname(token.text):
            return True
        return not self.gaz.is_common_word(token.text) and not self._is_place(token)

    def _next(self, pos: int) -> Token | None:
        gap = NAME_GAP_RE.match(self.text, pos)
        return read_token(self.text, gap.end()) if gap else None

    def scan_name(self, pos: int, *, trusted: bool) -> list[Token]:
        """Name parts starting at ``pos``. With ``trusted`` context (a civility, a form label),
        the first part may be an ordinary word ("M. Petit")."""
        parts: list[Token] = []
        token = read_token(self.text, pos)
        while token is not None and len(parts) < MAX_NAME_TOKENS:
            if token.key in PARTICLES:
                # "de La Roche", "de LA FONTAINE", "LE BIHAN": up to two particles, then a part.
                particles = [token]
                following = self._next(token.end)
                if following is not None and following.key in PARTICLES:
                    particles.append(following)
                    following = self._next(following.end)
                # After a particle, an ordinary word is a surname ("de La Roche").
                if (
                    following is None
                    or self._blocked(following)
                    or following.shape is Shape.INITIAL
                    or (self._is_place(following) and not trusted and len(particles) < 2)
                ):
                    if len(particles) == 2 and particles[1].shape is not Shape.LOWER:
                        parts += particles  # "LE VAN", "Le Van": the last particle is the name
                    break
                parts += [*particles, following]
            elif not parts and trusted:
                if self._blocked(token):
                    break
                parts.append(token)
            elif self._name_like(token):
                parts.append(token)
            elif parts and parts[-1].shape is Shape.INITIAL and not self._blocked(token):
                parts.append(token)  # "L. Rivière": after an initial, a word is a surname
            else:
                break
            token = self._next(parts[-1].end)
        while parts and parts[-1].key in PARTICLES and parts[-1].shape is Shape.LOWER:
            parts.pop()
        if all(part.shape is Shape.INITIAL for part in parts):
            return []
        return parts

    def _candidate(self, parts: list[Token], score: float, why: str) -> Candidate:
        return Candidate(parts[0].start, parts[-1].end, "PERSON", score, "rule", why)

    # -- rules --------------------------------------------------------------------------------
    def candidates(self) -> Iterator[Candidate]:
        yield from self._civilities()
        yield from self._after(LABEL_RE, trusted=True, score=_GOOD, why="libellé de formulaire")
        yield from self._after(RELATION_RE, trusted=False, score=_GOOD, why="lien familial")
        yield from self._identity_clauses()
        yield from self._versus()
        yield from self._signatures()
        yield from table_candidates(self.text)
        yield from self._shapes()

    def _skip_title(self, pos: int) -> int:
        """After "Monsieur", skip "le Préfet" / "la Directrice" so that a name may follow."""
        token = self._next(pos)
        if token is None:
            return pos
        key = token.key
        if key in ("le", "la"):
            title = self._next(token.end)
            return title.end if title is not None and title.key in TITLE_WORDS else pos
        if key in TITLE_WORDS or (key.startswith("l'") and key[2:] in TITLE_WORDS):
            return token.end
        return pos

    def _civilities(self) -> Iterator[Candidate]:
        for match in CIVILITY_RE.finditer(self.text):
            civility = fold(match.group().rstrip("."))
            plural = civility in PLURAL_CIVILITIES
            score = _GOOD if civility == "m" and not match.group().endswith(".") else _STRONG
            pos = self._skip_title(match.end())
            gap = NAME_GAP_RE.match(self.text, pos)
            if gap is None:
                continue
            parts = self.scan_name(gap.end(), trusted=True)
            while parts:
                yield self._candidate(parts, score, "civilité suivie d'un nom")
                if not plural:
                    break
                # "MM. Dupont et Durand", "Mmes Martin, Petit et Roux".
                joint = re.compile(r"[ \t]{0,3}(?:,|et)[ \t]{1,3}").match(self.text, parts[-1].end)
                if joint is None:
                    break
                parts = self.scan_name(joint.end(), trusted=True)

    def _after(
        self, pattern: re.Pattern[str], *, trusted: bool, score: float, why: str
    ) -> Iterator[Candidate]:
        for match in pattern.finditer(self.text):
            pos = match.end()
            civility = CIVILITY_RE.match(self.text, pos)
            if civility is not None:
                continue  # the civility rule reports it
            parts = self.scan_name(pos, trusted=trusted)
            if parts and (trusted or self._credible(parts)):
                yield self._candidate(parts, score, why)

    def _credible(self, parts: list[Token]) -> bool:
        """Without a trusted context, a name needs an upper-case or a known part."""
        return (
            any(
                part.shape in (Shape.UPPER, Shape.INITIAL)
                or self.gaz.is_first_name(part.text)
                or self.gaz.is_surname(part.text)
                for part in parts
            )
            or sum(part.shape is Shape.TITLE for part in parts) >= 2
        )

    def _name_before(self, end: int) -> list[Token]:
        chain = tokens_before(self.text, end)
        parts: list[Token] = []
        for token in reversed(chain):
            if (token.key in PARTICLES and parts) or self._name_like(token):
                parts.append(token)
            else:
                if token.key in ORG_WORDS or token.key in PLACE_PREFIXES:
                    return []  # "Société Dupont", "rue Victor Hugo": not a person
                break
        parts.reverse()
        leading = 0
        while leading < len(parts) and parts[leading].key in PARTICLES:
            leading += 1
        parts = _opening_particles(parts[:leading]) + parts[leading:]
        return parts[-MAX_NAME_TOKENS:]

    def _identity_clauses(self) -> Iterator[Candidate]:
        for match in IDENTITY_RE.finditer(self.text):
            parts = self._name_before(match.start())
            if parts and self._credible(parts):
                yield self._candidate(parts, _GOOD, "identité d'une partie (né le, demeurant…)")

    def _versus(self) -> Iterator[Candidate]:
        for match in VERSUS_RE.finditer(self.text):
            before = self._name_before(match.start())
            if before and self._credible(before):
                yield self._candidate(before, _FAIR, "intitulé d'une affaire (X c/ Y)")
            if CIVILITY_RE.match(self.text, match.end()):
                continue
            after = self.scan_name(match.end(), trusted=False)
            if after and self._credible(after):
                yield self._candidate(after, _FAIR, "intitulé d'une affaire (X c/ Y)")

    def _signatures(self) -> Iterator[Candidate]:
        for match in SIGNATURE_LINE_RE.finditer(self.text):
            parts = self.scan_name(match.start(1), trusted=False)
            if not parts or parts[-1].end != match.end(1) or parts[0].shape is not Shape.TITLE:
                continue
            previous = self.text[max(0, match.start() - 120) : match.start()].rstrip()
            last_line = previous.rpartition("\n")[2]
            signed = last_line.endswith(",") or any(
                word in TITLE_WORDS for word in fold(last_line).replace(",", " ").split()
            )
            score = _GOOD if signed else _WEAK
            yield self._candidate(parts, score, "bloc de signature")

    def _shapes(self) -> Iterator[Candidate]:
        """Names without context words: a known first name next to a surname, or initials."""
        covered = -1
        gaz = self.gaz
        for token in self.capitalised:
            if token.start < covered or self._blocked(token):
                continue
            if follows_establishment_word(self.text, token.start):
                continue
            found = self._shape_at(token, gaz)
            if found is not None:
                covered = found.end
                yield found

    def _particles_before(self, token: Token) -> list[Token]:
        """ "de LA FONTAINE Adélaïde", "VAN der MEER Odette": particles opening the surname."""
        chain = tokens_before(self.text, token.start)
        particles: list[Token] = []
        for previous in reversed(chain[-3:]):
            if previous.key not in PARTICLES:
                break
            particles.insert(0, previous)
        return _opening_particles(particles)

    def _initial_after_preposition(self, token: Token) -> bool:
        """After "de", "par"… or at the start of a line: "passage de H. Boucher"."""
        before = self.text[max(0, token.start - 12) : token.start]
        line = before.rpartition("\n")
        if line[1] and not line[2].strip():
            return True
        words = fold(before.rstrip(" \t")).replace("'", " ").split()
        return bool(words) and words[-1] in _NAME_INTRODUCERS

    def _shape_at(self, token: Token, gaz: Gazetteers) -> Candidate | None:
        parts = [token]
        if token.shape is Shape.INITIAL:
            following = self._next(token.end)
            if following is not None and following.key in PARTICLES:
                parts = self.scan_name(token.start, trusted=True)  # "A. de La Fontaine"
                if len(parts) >= 3 and parts[-1].key not in PARTICLES:
                    return self._candidate(parts, _FAIR, "initiale suivie d'un nom")
                return None
            if following is None or self._blocked(following):
                return None
            if following.shape is Shape.UPPER:
                return self._candidate([token, following], _FAIR, "initiale suivie d'un nom")
            if following.shape is Shape.TITLE and self._name_like(following):
                return self._candidate([token, following], _WEAK, "initiale suivie d'un nom")
            if following.shape is Shape.TITLE and self._initial_after_preposition(token):
                # "passage de H. Boucher": an ordinary word, but after "de" and an initial.
                return self._candidate([token, following], _WEAK, "initiale suivie d'un nom")
            return None
        if gaz.is_first_name(token.text):
            # Further first names ("Jean Pierre Paul"), then the surname.
            given = [token]
            following = self._next(token.end)
            while (
                following is not None
                and following.shape is not Shape.UPPER
                and gaz.is_first_name(following.text)
                and len(given) < 3
            ):
                given.append(following)
                following = self._next(following.end)
            rest = self.scan_name(following.start, trusted=False) if following else []
            if not rest and following is not None and gaz.is_unambiguous_first_name(token.text):
                # "Aminata Blanchet", "Grégoire Bouvet": a known first name vouches for the
                # capitalised word after it, even when that word is also an ordinary one.
                rest = self.scan_name(following.start, trusted=True)
                if rest and (self._is_place(rest[0]) or rest[0].shape is not Shape.TITLE):
                    rest = []
            parts = given + rest
            if len(parts) < 2:
                return None
            surname = rest or given[-1:]
            if any(part.shape is Shape.UPPER for part in surname):
                return self._candidate(parts, _GOOD, "prénom connu suivi d'un nom")
            if not gaz.is_unambiguous_first_name(token.text) and not (
                len(given) > 1 and not rest and gaz.is_unambiguous_first_name(given[-1].text)
            ):
                return None  # "Pierre Noire"; but "Honoré Valentin" is a name
            if rest:
                return self._candidate(parts, _FAIR, "prénom connu suivi d'un nom")
            return self._candidate(parts, _WEAK, "suite de prénoms connus")
        following = self._next(token.end)
        if token.shape is Shape.UPPER and (
            not gaz.is_common_word(token.text)
            or (
                following is not None
                and following.shape is Shape.TITLE
                and gaz.is_unambiguous_first_name(following.text)
            )
        ):
            # "DUPONT Jean", "LE GOFF Marie-Anne".
            surname = [token]
            following = self._next(token.end)
            while following is not None and following.shape is Shape.UPPER:
                if gaz.is_first_name(following.text) and not gaz.is_surname(following.text):
                    break
                if self._blocked(following) or len(surname) >= 3:
                    return None
                surname.append(following)
                following = self._next(following.end)
            given = []
            while following is not None and gaz.is_first_name(following.text):
                given.append(following)
                following = self._next(following.end)
            if given:
                parts = self._particles_before(surname[0]) + surname + given
                return self._candidate(parts, _GOOD, "nom suivi d'un prénom connu")
            return None
        if token.shape is Shape.TITLE and self._name_like(token):
            # An unknown first name before an upper-case surname: "Tiphaine ROUX", "Nath LE GALL".
            rest = self.scan_name(following.start, trusted=False) if following else []
            names = [part for part in rest if part.key not in PARTICLES]
            if (
                names
                and all(part.shape is Shape.UPPER for part in rest)
                and not any(gaz.is_common_word(part.text) for part in names)
            ):
                return self._candidate([token, *rest], _WEAK, "prénom suivi d'un nom")
        return None
