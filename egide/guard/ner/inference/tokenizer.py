"""spaCy's tokenizer, ported to Python line for line (``spacy/tokenizer.pyx``, spaCy 3.8).

The model was trained on spaCy's tokens, so the tokens must be the same: the same rules
(prefixes, suffixes, infixes, ``token_match``, ``url_match``, special cases, all read from the
model package) applied in the same order. ``tests/guard/test_ner_inference.py`` compares the
result with spaCy's own tokenizer on the development set and on generated text.

Texts are split on whitespace first, and each piece's tokens are cached by the piece's text,
as spaCy does: most pieces of a document ("de", "la", "Madame") are seen before.

One departure from spaCy, on purpose: a piece without whitespace longer than 100 characters is
cut every 100 characters before its affixes are split off. spaCy's affix loop takes one prefix
or suffix at a time and searches the whole remaining piece each time, so a piece made of
affixes ("l'l'l'…", "))))…") costs the square of its length: 2 seconds for 5,000 characters,
which anyone could send. Cut, it costs 90 ms; no word, and no piece of the development set
(all under 50 characters), is that long.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

from egide.guard.ner.inference.package import TokenizerRules
from egide.guard.ner.inference.token_match import TokenMatch

__all__ = ["PIECE_CHARS", "Tokens", "Tokenizer"]

Piece = tuple[str, str | None]  # (ORTH, NORM given by a special case, or None)
PIECE_CHARS = 100  # longer pieces without whitespace are cut (see above)
# re's \s is str.isspace(), as spaCy's loop uses.
_RUNS = re.compile(rf"\s+|\S{{1,{PIECE_CHARS}}}")
_CACHE_LIMIT = 50_000  # pieces (about 15 MB): bounded memory on inputs of any size


@dataclass(slots=True)
class Tokens:
    """The tokens of one text: start offset and text (ORTH) of each, and the NORM that a
    special case gives a few of them (by token index)."""

    starts: list[int]
    words: list[str]
    norms: dict[int, str]


# A piece's tokens: their texts, their offsets in the piece, the special NORMs by index.
Split = tuple[tuple[str, ...], tuple[int, ...], tuple[tuple[int, str], ...]]


class Tokenizer:
    def __init__(self, rules: TokenizerRules) -> None:
        self._prefix_search = re.compile(rules.prefix_search).search
        self._suffix_search = re.compile(rules.suffix_search).search
        self._infix_finditer = re.compile(rules.infix_finditer).finditer
        self._token_match: Callable[[str], object] = TokenMatch(rules.token_match)
        self._url_match = re.compile(rules.url_match).match
        self._specials: dict[str, tuple[Piece, ...]] = dict(rules.exceptions)
        self._cache: dict[str, Split] = {}
        self._phrases = self._special_phrases(rules)
        self._phrase_firsts = frozenset(key[0] for key in self._phrases)

    # --- one whitespace-delimited piece (Tokenizer._split_affixes, _attach_tokens) -----------

    def _find_prefix(self, string: str) -> int:
        match = self._prefix_search(string)
        return match.end() - match.start() if match is not None else 0

    def _find_suffix(self, string: str) -> int:
        match = self._suffix_search(string)
        return match.end() - match.start() if match is not None else 0

    def _split(self, string: str, with_specials: bool = True) -> tuple[Piece, ...]:
        if with_specials:
            special = self._specials.get(string)
            if special is not None:
                return special
        specials = self._specials if with_specials else {}
        prefixes: list[str] = []
        suffixes: list[str] = []
        prefix = suffix = ""
        last_size = 0
        while string and len(string) != last_size:
            if self._token_match(string):
                break
            if string in specials:
                break
            last_size = len(string)
            pre_len = self._find_prefix(string)
            if pre_len:
                prefix = string[:pre_len]
                minus_pre = string[pre_len:]
                if minus_pre and minus_pre in specials:
                    string = minus_pre
                    prefixes.append(prefix)
                    break
            suf_len = self._find_suffix(string[pre_len:])
            if suf_len:
                suffix = string[-suf_len:]
                minus_suf = string[:-suf_len]
                if minus_suf and minus_suf in specials:
                    string = minus_suf
                    suffixes.append(suffix)
                    break
            if pre_len and suf_len and (pre_len + suf_len) <= len(string):
                string = string[pre_len:-suf_len]
                prefixes.append(prefix)
                suffixes.append(suffix)
            elif pre_len:
                string = minus_pre
                prefixes.append(prefix)
            elif suf_len:
                string = minus_suf
                suffixes.append(suffix)
        pieces: list[Piece] = [(p, None) for p in prefixes]
        if string:
            special = specials.get(string)
            if special is not None:
                pieces.extend(special)
            elif self._token_match(string) or self._url_match(string):
                pieces.append((string, None))
            else:
                pieces.extend(self._infixes(string))
        pieces.extend((s, None) for s in reversed(suffixes))
        return tuple(pieces)

    def _infixes(self, string: str) -> list[Piece]:
        pieces: list[Piece] = []
        start = 0
        for match in self._infix_finditer(string):
            infix_start, infix_end = match.start(), match.end()
            if infix_start == 0:  # spaCy skips an infix at the very start
                continue
            if infix_start != start:
                pieces.append((string[start:infix_start], None))
            if infix_start != infix_end:
                pieces.append((string[infix_start:infix_end], None))
            start = infix_end
        if string[start:]:
            pieces.append((string[start:], None))
        return pieces

    def _split_piece(self, span: str, with_specials: bool = True) -> Split:
        pieces = self._split(span, with_specials)
        words = tuple(word for word, _ in pieces)
        offsets = tuple(accumulate((len(word) for word in words[:-1]), initial=0))
        norms = tuple((i, norm) for i, (_, norm) in enumerate(pieces) if norm is not None)
        split = (words, offsets, norms)
        if with_specials:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[span] = split
        return split

    # --- a whole text (Tokenizer._tokenize_affixes, then _apply_special_cases) -----------------

    def _affix_tokens(self, text: str, with_specials: bool = True) -> Tokens:
        starts: list[int] = []
        words: list[str] = []
        norms: dict[int, str] = {}
        nothing: dict[str, Split] = {}
        cached: Callable[[str], Split | None] = (self._cache if with_specials else nothing).get
        for run in _RUNS.finditer(text):
            start, end = run.span()
            # A single space after a word is that word's trailing whitespace, not a token.
            # (Runs alternate, so a run that starts with a space after offset 0 follows a word.)
            if start and text[start] == " ":
                start += 1
                if start == end:
                    continue
            span = text[start:end]
            split = cached(span) or self._split_piece(span, with_specials)
            pieces, offsets, special_norms = split
            for index, norm in special_norms:
                norms[len(words) + index] = norm
            words.extend(pieces)
            if len(offsets) == 1:
                starts.append(start)
            else:
                starts.extend([start + offset for offset in offsets])
        return Tokens(starts, words, norms)

    def __call__(self, text: str) -> Tokens:
        tokens = self._affix_tokens(text)
        if self._phrases:
            self._apply_special_phrases(text, tokens)
        return tokens

    # --- special cases found across tokens (Tokenizer._apply_special_cases) -------------------

    def _special_phrases(
        self, rules: TokenizerRules
    ) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
        """Token sequences that spaCy's PhraseMatcher looks for after affix splitting: the
        special cases that contain an affix or a space, as affix splitting cuts them."""
        phrases: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for string in sorted(self._specials):
            if (
                rules.faster_heuristics
                and not self._find_prefix(string)
                and not list(self._infix_finditer(string))
                and not self._find_suffix(string)
                and " " not in string
            ):
                continue
            words = tuple(self._affix_tokens(string, with_specials=False).words)
            if len(words) == 1 and self._specials[string] == ((string, None),):
                # Matching one token to give it back unchanged changes nothing, and a match of
                # one token, taken last, blocks no other: skip ("(", "a", "Mme"… are common).
                continue
            if words:
                # Indexed by their first two tokens: "a", "d" or "(" start phrases, but
                # rarely followed by the second token of one.
                phrases.setdefault(words[:2], []).append(words)
        return phrases

    def _apply_special_phrases(self, text: str, tokens: Tokens) -> None:
        words = tokens.words
        count = len(words)
        firsts = self._phrase_firsts
        matches: list[tuple[int, int]] = []
        for i in [i for i, word in enumerate(words) if word in firsts]:
            for key in ((words[i],), tuple(words[i : i + 2])):
                for phrase in self._phrases.get(key, ()):
                    end = i + len(phrase)
                    if end <= count and tuple(words[i:end]) == phrase:
                        matches.append((i, end))
        if not matches:
            return
        # Longest first, then leftmost; a match touching a taken token at either end is dropped
        # (spaCy's _filter_special_spans).
        matches.sort(key=lambda m: (m[1] - m[0], -m[0]))
        seen: set[int] = set()
        kept: list[tuple[int, int]] = []
        for start, end in reversed(matches):
            if start not in seen and end - 1 not in seen:
                kept.append((start, end))
            seen.update(range(start, end))
        for start, end in sorted(kept, reverse=True):
            first = tokens.starts[start]
            span_text = text[first : tokens.starts[end - 1] + len(words[end - 1])]
            special = self._specials.get(span_text)
            if special is None:
                continue
            positions = []
            position = first
            for word, _norm in special:
                positions.append(position)
                position += len(word)
            tokens.starts[start:end] = positions
            tokens.words[start:end] = [w for w, _ in special]
            shift = len(special) - (end - start)
            norms = {i if i < start else i + shift: n for i, n in tokens.norms.items()
                     if not start <= i < end}  # fmt: skip
            norms.update((start + i, n) for i, (_, n) in enumerate(special) if n is not None)
            tokens.norms = norms
