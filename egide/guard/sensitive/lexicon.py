"""Lexicons of cues, read from data files and compiled into one linear-time trie regex.

Syntax of a lexicon file (``lexicons/<category>.txt``), one entry a line, ``#`` for comments:

- ``hospitalise``: a word or a phrase; case and accents do not matter, a space also matches a
  hyphen or a line break (``arret maladie`` matches « arrêt-maladie »);
- ``hospitalis*``: ``*`` at the end of a word stands for any ending of up to 15 letters;
- ``~cancer``: a *weak* cue, counted only when its sentence is about a person;
- ``=ALD``: the text must write it in capitals (acronyms that are ordinary words otherwise);
- ``!agence regionale de sante``: an exclusion: no cue is counted inside this phrase;
- ``+diabete``: the word itself is the sensitive information (a disease, a treatment): once the
  category is established, it is reported as a finding and replaced before a model receives
  the text (``egide.guard.sensitive.health_findings``). Words that only say health is at stake
  (« hospitalisé », « état de santé ») carry no ``+``: hiding them would leave the model
  unable to read the text and hide nothing that the level does not already say.

Entries are folded like texts (see :mod:`folding`), then merged into a trie so that the regex
engine walks shared prefixes once: matching costs O(length of text × longest entry).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources

from egide.guard.sensitive.folding import Folded, fold_term

__all__ = ["Entry", "Lexicon", "LexiconError", "Match", "load_lexicons", "parse_lexicon"]

_WILD = "\x00wild"
_SEP = "\x00sep"
_WILD_RE = r"\w{0,15}"
_SEP_RE = r"[\s\-]{1,3}"
_FLAGS = "~=!+"


class LexiconError(ValueError):
    """A lexicon file is malformed; the message names the file and the line."""


@dataclass(frozen=True, slots=True)
class Entry:
    category: str
    term: str  # folded, as written in the file (without its flags)
    weak: bool = False
    upper: bool = False
    exclusion: bool = False
    reported: bool = False  # "+": the word itself is the sensitive information (module doc)
    where: str = ""  # "file:line", for error messages

    def atoms(self) -> list[str]:
        atoms: list[str] = []
        words = [w for w in re.split(r"[\s\-]+", self.term) if w]
        for position, word in enumerate(words):
            if position:
                atoms.append(_SEP)
            wild = word.endswith("*")
            atoms.extend(word.rstrip("*"))
            if wild:
                atoms.append(_WILD)
        return atoms


def parse_lexicon(category: str, content: str, *, source: str = "") -> list[Entry]:
    entries: list[Entry] = []
    for number, raw in enumerate(content.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        flags = ""
        while line and line[0] in _FLAGS:
            flags += line[0]
            line = line[1:].lstrip()
        where = f"{source or category}:{number}"
        if not re.fullmatch(r"[^\s*~=!+#]{1,40}\*?(?:[\s\-]+[^\s*~=!+#]{1,40}\*?){0,7}", line):
            raise LexiconError(f"{where} : entrée de lexique illisible « {raw.strip()} »")
        entries.append(
            Entry(
                category=category,
                term=fold_term(line),
                weak="~" in flags,
                upper="=" in flags,
                exclusion="!" in flags,
                reported="+" in flags,
                where=where,
            )
        )
    return entries


@dataclass(slots=True)
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    entry: int | None = None


def _build_trie(entries: list[Entry]) -> _Node:
    root = _Node()
    for index, entry in enumerate(entries):
        node = root
        for atom in entry.atoms():
            node = node.children.setdefault(atom, _Node())
        if node.entry is not None:
            other = entries[node.entry]
            raise LexiconError(f"{entry.where} : « {entry.term} » figure déjà en {other.where}")
        node.entry = index
    return root


def _emit(node: _Node, entries: list[Entry]) -> str:
    # Literal continuations come first so that, at one position, a longer entry is preferred.
    branches: list[str] = []
    for atom in sorted(a for a in node.children if a not in (_SEP, _WILD)):
        branches.append(re.escape(atom) + _emit(node.children[atom], entries))
    for atom, pattern in ((_SEP, _SEP_RE), (_WILD, _WILD_RE)):
        if atom in node.children:
            branches.append(pattern + _emit(node.children[atom], entries))
    if node.entry is not None:
        # An elided form (« j' », « l' ») is followed by its word; any other entry ends a word.
        boundary = "" if entries[node.entry].term.endswith("'") else "(?![\\w'])"
        branches.append(f"{boundary}(?P<t{node.entry}>)")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


@dataclass(frozen=True, slots=True)
class Match:
    entry: Entry
    start: int  # offsets in the folded text
    end: int


class Lexicon:
    """A set of entries compiled into one regex; ``matches`` yields non-overlapping hits."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = list(entries)
        if not self.entries:
            self.pattern: re.Pattern[str] | None = None
            return
        self.pattern = re.compile(r"(?<!\w)" + _emit(_build_trie(self.entries), self.entries))
        # Match.lastindex is the terminal group of the entry that matched.
        self._by_group = {
            number: self.entries[int(name[1:])] for name, number in self.pattern.groupindex.items()
        }

    def matches(self, folded: Folded) -> Iterator[Match]:
        if self.pattern is None:
            return
        for found in self.pattern.finditer(folded.text):
            entry = self._by_group[found.lastindex]  # type: ignore[index]
            if entry.upper:
                start, end = folded.span_in_original(found.start(), found.end())
                if any(c.islower() for c in folded.original[start:end]):
                    continue
            yield Match(entry, found.start(), found.end())


def load_lexicons(*names: str) -> list[Entry]:
    """The entries of ``lexicons/<name>.txt`` for each name; the name is their category."""
    folder = resources.files("egide.guard.sensitive") / "lexicons"
    entries: list[Entry] = []
    for name in names:
        content = (folder / f"{name}.txt").read_text(encoding="utf-8")
        entries.extend(parse_lexicon(name, content, source=f"{name}.txt"))
    return entries
