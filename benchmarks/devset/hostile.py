"""Hostile variants of documents: the same values, disguised the way an attacker (or a careless
copy from a PDF) disguises them — invisible characters inside, look-alike digits, odd spaces.

A model reads the disguised text exactly as the plain one, so the guard must find the same
values there (it judges the normalised text and reports offsets in the caller's). Gold spans
are moved onto the rewritten text; they still cover exactly the disguised value.
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["DISGUISES", "disguise_record"]

_INVISIBLE = ("\u200b", "\u00ad", "\u2060", "\ufeff", "\u200c", "\u200d")
_DIGIT_SETS = (0xFF10, 0x0660, 0x06F0, 0x1D7CE, 0x0966)  # fullwidth, Arabic-Indic, Persian…
_SPACES = ("\u202f", "\u2009", "\u2007", "\u3000", "\u00a0")
_HYPHENS = ("\u2011", "\u2212", "\u2010")
_FULLWIDTH_PUNCT = {"@": "\uff20", ".": "\uff0e", "/": "\uff0f"}

DISGUISES = ("invisible", "digits", "spaces", "mixed")


def _char_map(value: str, rng: random.Random, how: str) -> list[str]:
    """What each character of ``value`` becomes (several characters when one is inserted)."""
    digits = rng.choice(_DIGIT_SETS)
    out: list[str] = []
    for index, ch in enumerate(value):
        new = ch
        if how in ("digits", "mixed") and ch.isascii() and ch.isdigit():
            new = chr(digits + int(ch))
        elif how in ("spaces", "mixed") and ch == " ":
            new = rng.choice(_SPACES)
        elif how in ("spaces", "mixed") and ch == "-":
            new = rng.choice(_HYPHENS)
        elif how == "mixed" and ch in _FULLWIDTH_PUNCT and rng.random() < 0.5:
            new = _FULLWIDTH_PUNCT[ch]
        if how in ("invisible", "mixed") and 0 < index < len(value) - 1 and rng.random() < 0.4:
            new = new + rng.choice(_INVISIBLE)
        out.append(new)
    return out


def disguise_record(
    record: dict[str, Any], rng: random.Random, *, share: float = 0.6
) -> dict[str, Any]:
    """A copy of ``record`` (new id) where about ``share`` of the gold values are disguised."""
    text: str = record["text"]
    pieces = list(text)
    for span in record["spans"]:
        if rng.random() >= share:
            continue
        how = rng.choice(DISGUISES)
        mapped = _char_map(text[span["start"] : span["end"]], rng, how)
        pieces[span["start"] : span["end"]] = mapped
    # pieces[i] is what original character i became: offsets move by the lengths before them.
    offsets = [0]
    for piece in pieces:
        offsets.append(offsets[-1] + len(piece))

    def move(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**s, "start": offsets[s["start"]], "end": offsets[s["end"]]} for s in spans]

    disguised = {**record, "id": record["id"] + "-hostile", "text": "".join(pieces),
                 "spans": move(record["spans"])}  # fmt: skip
    for extra in ("reported", "decoys"):
        if extra in record:
            disguised[extra] = move(record[extra])
    return disguised
