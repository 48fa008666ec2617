"""spaCy's French ``token_match`` rule, answered exactly without compiling it whole.

The rule keeps words such as "Saint-Denis", "aujourd'hui" or "Île-de-France" in one token. It
is one regular expression of 266 alternatives holding 480 copies of three large Unicode
character classes (1.4 MB of pattern), which Python's ``re`` takes 2 to 3 seconds to compile:
more than all the rest of the guard's start-up. Two observations make it cheap:

1. A *skeleton* of the rule, where every large class is replaced by ``(?s:.)`` (any one
   character), compiles in milliseconds and accepts everything the rule accepts: a class
   matches exactly one character, and the rule has no look-around or back-reference, so
   widening a class can only widen what an alternative accepts. A word the skeleton rejects
   (nearly every word: no hyphen or apostrophe in the right place) is rejected by the rule.
2. Matching a word only ever tests the word's own characters against a class. So each large
   class can be replaced by the characters met so far that belong to it (each character tested
   once against the class compiled alone: three compilations in all, on first need). The small
   expression that results answers exactly as the full rule would, also under ``(?i)``: a
   character case-equivalent to a member of the class is itself a member. It is compiled
   again only when a word brings a new member (a letter not seen before).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

__all__ = ["TokenMatch", "split_alternatives"]

# A class longer than this (in pattern characters) is replaced in the skeleton.
_LARGE_CLASS = 64
_FLAGS_RE = re.compile(r"\(\?[aiLmsux]+\)")
# Constructs whose meaning changes when a class inside them is widened.
_NON_MONOTONE = ("(?=", "(?!", "(?<=", "(?<!", "(?P=", "(?(")
# One piece of a pattern: an escape, a character class (a "]" right after "[" or "[^" is a
# literal), or any other single character.
_PIECE_RE = re.compile(r"\\.|\[\^?\]?[^\]\\]*(?:\\.[^\]\\]*)*\]|.", re.DOTALL)
_COMPILED_LIMIT = 4096

# Escapes that match exactly one character (\d, \., \-…), as a first piece may be.
_ONE_CHARACTER_ESCAPES = frozenset("dDwWsS.-^$*+?()[]{}|\\/'\"&~#%,;:!<>=@`")
Alternative = tuple[str, ...]  # its pieces; a large class is one piece starting with "["


def _pieces(pattern: str) -> list[str]:
    return _PIECE_RE.findall(pattern)


def _is_large_class(piece: str) -> bool:
    return len(piece) > _LARGE_CLASS and piece[0] == "["


def split_alternatives(body: str) -> list[Alternative]:
    """The top-level alternatives of a pattern (``a|(b|c)|d`` -> ``a``, ``(b|c)``, ``d``)."""
    alternatives: list[Alternative] = []
    current: list[str] = []
    depth = 0
    for piece in _pieces(body):
        if piece == "(":
            depth += 1
        elif piece == ")":
            depth -= 1
        elif piece == "|" and depth == 0:
            alternatives.append(tuple(current))
            current = []
            continue
        current.append(piece)
    alternatives.append(tuple(current))
    return alternatives


def _skeleton(alternative: Alternative) -> str:
    return "".join("(?s:.)" if _is_large_class(p) else p for p in alternative)


def _unwrapped(pieces: list[str]) -> list[str]:
    """The inside of a non-capturing group around the whole alternative, if there is one."""
    while len(pieces) > 4 and pieces[:3] == ["(", "?", ":"] and pieces[-1] == ")":
        depth = 0
        closing = 0
        for closing, piece in enumerate(pieces):  # noqa: B007 - used after the loop
            depth += piece == "("
            depth -= piece == ")"
            if depth == 0:
                break
        if closing != len(pieces) - 1:
            break  # "(?:a)b(?:c)": the first group does not span it all
        pieces = pieces[3:-1]
    return pieces


def _required_characters(alternative: Alternative) -> frozenset[str] | None:
    """Characters of which the alternative needs at least one, or None when none can be named:
    a small class of uncased characters at the top level, not made optional by a quantifier
    (so that ``(?i)`` adds no other character to it)."""
    pieces = _unwrapped(list(alternative))
    depth = 0
    found: frozenset[str] | None = None
    for index, piece in enumerate(pieces):
        if piece == "(":
            depth += 1
        elif piece == ")":
            depth -= 1
        elif piece == "|" and depth == 0:
            return None  # each branch would need its own
        elif depth == 0 and found is None and piece[0] == "[" and not _is_large_class(piece):
            following = pieces[index + 1] if index + 1 < len(pieces) else ""
            content = piece[1:-1]
            if (
                following[:1] not in ("?", "*", "{")
                and content
                and not content.startswith("^")
                and "\\" not in content
                and "-" not in content[1:]
                and all(c.lower() == c == c.upper() for c in content)
            ):
                found = frozenset(content)
    return found


def _first_piece(alternative: Alternative) -> str | None:
    """The piece that must match an alternative's first character, or None when that is not
    one piece (a group, an optional character, an empty match)."""
    pieces = _unwrapped(list(alternative))
    if pieces[:1] == ["^"]:
        pieces = pieces[1:]
    if not pieces or pieces[0] in ("(", ")", "|", "$", ".", "^", "?", "*", "+", "{"):
        return None
    first = pieces[0]
    if first.startswith("\\") and first[1:] not in _ONE_CHARACTER_ESCAPES:
        return None  # \b takes no character, \u0041 is more than this piece
    following = pieces[1] if len(pieces) > 1 else ""
    if following[:1] in ("?", "*", "{"):
        return None  # may be skipped: another character could come first
    return first


class TokenMatch:
    """Callable like ``re.compile(pattern).match``, but only for truth: spaCy's tokenizer uses
    nothing else of the match."""

    def __init__(self, pattern: str) -> None:
        flags = _FLAGS_RE.match(pattern)
        self._flags = flags.group() if flags else ""
        self._pattern = pattern
        body = pattern[len(self._flags) :]
        self._whole: re.Pattern[str] | None = None
        self._required: frozenset[str] | None = None
        self._alternatives: list[Alternative] = []
        self._monotone = not any(marker in body for marker in _NON_MONOTONE)
        if self._monotone:
            self._alternatives = split_alternatives(body)
            # Every alternative of the French rule needs a hyphen or an apostrophe, which most
            # words do not have: they are answered at once.
            self._needs = [_required_characters(a) for a in self._alternatives]
            if all(r is not None for r in self._needs):
                self._required = frozenset().union(*(r for r in self._needs if r is not None))
            # The others are tried only against the alternatives that can start with their
            # first character (worked out once per character met).
            self._first_pieces = [_first_piece(a) for a in self._alternatives]
        self._by_first: dict[str, tuple[int, ...]] = {}
        # (first character, the needed characters present) -> alternatives worth trying
        self._candidates: dict[tuple[str, frozenset[str]], tuple[int, ...]] = {}
        self._skeletons = lru_cache(maxsize=None)(self._compile_skeleton)
        self._classes = lru_cache(maxsize=None)(self._compile_class)
        self._lock = threading.Lock()
        self._members: dict[str, dict[str, bool]] = {}  # large class -> character -> member?
        self._known: dict[str, str] = {}  # large class -> its members met so far, escaped
        self._compiled: dict[tuple[int, tuple[str, ...]], re.Pattern[str]] = {}

    def _compile_skeleton(self, index: int) -> re.Pattern[str]:
        return re.compile(self._flags + f"(?:{_skeleton(self._alternatives[index])})")

    def _compile_class(self, piece: str) -> re.Pattern[str]:
        return re.compile(self._flags + piece)

    def _learn(self, piece: str, string: str) -> str:
        """The members of large class ``piece`` met so far, ``string``'s characters included."""
        seen = self._members.setdefault(piece, {})
        new = [c for c in set(string) if c not in seen]
        if new:
            member = self._classes(piece).fullmatch
            added = False
            for character in new:
                seen[character] = member(character) is not None
                added = added or seen[character]
            if added or piece not in self._known:
                self._known[piece] = "".join(sorted(re.escape(c) for c, m in seen.items() if m))
        return self._known[piece]

    def _exact(self, index: int, string: str) -> bool:
        """Alternative ``index`` on ``string``, each large class cut down to its known members."""
        alternative = self._alternatives[index]
        with self._lock:
            known = tuple(self._learn(p, string) for p in alternative if _is_large_class(p))
            compiled = self._compiled.get((index, known))
            if compiled is None:
                members = iter(known)
                parts = [
                    (f"[{kept}]" if (kept := next(members)) else "[^\\s\\S]")
                    if _is_large_class(p)
                    else p
                    for p in alternative
                ]
                compiled = re.compile(self._flags + "(?:" + "".join(parts) + ")")
                if len(self._compiled) >= _COMPILED_LIMIT:
                    self._compiled.clear()
                self._compiled[(index, known)] = compiled
        return compiled.match(string) is not None

    def _starting_with(self, character: str) -> tuple[int, ...]:
        """The alternatives whose first piece can match ``character``, in rule order."""
        found = self._by_first.get(character)
        if found is None:
            found = tuple(
                i
                for i, piece in enumerate(self._first_pieces)
                if piece is None or self._classes(piece).fullmatch(character) is not None
            )
            self._by_first[character] = found
        return found

    def __call__(self, string: str) -> bool:
        if not self._monotone:
            # Widening is not safe for this rule: compile it as it is, once, on first use.
            if self._whole is None:
                self._whole = re.compile(self._pattern)
            return self._whole.match(string) is not None
        if self._required is not None and self._required.isdisjoint(string):
            return False  # every alternative needs one of these characters ("" included)
        if string and self._required is not None:
            # "l'article" has an apostrophe but no hyphen: the alternatives that need a
            # hyphen are not tried.
            key = (string[0], self._required.intersection(string))
            candidates = self._candidates.get(key)
            if candidates is None:
                present = key[1]
                candidates = tuple(
                    i
                    for i in self._starting_with(string[0])
                    if not (needs := self._needs[i]) or not needs.isdisjoint(present)
                )
                self._candidates[key] = candidates
        elif string:
            candidates = self._starting_with(string[0])
        else:
            candidates = tuple(i for i, p in enumerate(self._first_pieces) if p is None)
        return any(
            self._exact(i, string)
            for i in candidates
            if self._skeletons(i).match(string) is not None
        )
