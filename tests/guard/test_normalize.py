"""The guard's normalisation: what it removes and folds, and offsets that always map back."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egide.guard.normalize import normalize

INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u180e",
             "\ufe0f", "\u034f", "\U000e0041", "\x00", "\x7f"]  # fmt: skip


@pytest.mark.parametrize(
    ("written", "judged"),
    [
        ("2\u00ad86\u00ad07", "28607"),
        ("06\u200b12\u200b34", "061234"),
        ("２８６０７", "28607"),  # fullwidth
        ("\U0001d7d0\U0001d7d1", "23"),  # mathematical bold digits
        ("٠٦١٢", "0612"),  # Arabic-Indic digits
        ("०६", "06"),  # Devanagari digits
        ("ａｂｃ＠ｅｘａｍｐｌｅ．ｆｒ", "abc@example.fr"),
        ("12\u201134\u221256\u201378", "12-34-56-78"),  # non-breaking hyphen, minus, en dash
        ("n°\u00a012\u202f345", "n° 12 345"),  # French typography's spaces
        ("e\u0301te\u0301", "été"),  # decomposed accents are composed
        ("e\u200b\u0301", "é"),  # even across an invisible character
        ("ligne\u2028suivante", "ligne\nsuivante"),
        ("ﬁchier", "fichier"),
        ("tab\tet\nfin\r\n", "tab\tet\nfin\r\n"),  # layout is kept
    ],
)
def test_what_is_removed_and_folded(written: str, judged: str) -> None:
    assert normalize(written).text == judged


def test_plain_text_is_returned_as_it_is() -> None:
    text = "Madame Amélie ROUSSEAU, née le 14 juillet 1986 à Toulouse."
    normalized = normalize(text)
    assert normalized.text is text and not normalized.changed


def test_a_span_maps_back_over_the_disguised_value() -> None:
    original = "NIR : 2\u00ad86\u00ad07\u200b99 350 042 43, fin."
    normalized = normalize(original)
    start = normalized.text.index("2860799")
    end = normalized.text.index(",")
    o_start, o_end = normalized.span_in_original(start, end)
    assert original[o_start:o_end] == "2\u00ad86\u00ad07\u200b99 350 042 43"


def test_original_offsets_map_into_the_normalised_text() -> None:
    original = "a\u200bb\u00a0c"
    normalized = normalize(original)
    assert normalized.text == "ab c"
    assert [normalized.in_normalized(i) for i in range(len(original) + 1)] == [0, 1, 1, 2, 3, 4]


_texts = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from([*INVISIBLE, "\u0301", "\u00a0", "２", "٣", "\u2011", "e", "1", " "]),
    ),
    max_size=60,
)


@settings(max_examples=400, deadline=None)
@given(_texts)
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalize(text).text
    assert normalize(once).text == once


@settings(max_examples=400, deadline=None)
@given(_texts, st.data())
def test_offsets_never_leave_the_original_text(text: str, data: st.DataObject) -> None:
    normalized = normalize(text)
    n = len(normalized.text)
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    o_start, o_end = normalized.span_in_original(start, end)
    assert 0 <= o_start <= len(text) and 0 <= o_end <= len(text)
    if end > start:
        assert o_start < o_end
        # What the span covers, normalised again, holds what the normalised span held.
        assert normalized.text[start:end] in normalize(text[o_start:o_end]).text
    for position in range(len(text) + 1):
        assert 0 <= normalized.in_normalized(position) <= n


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="0123456789 abcdefghij.-@", min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(0, 40), st.sampled_from(INVISIBLE)), max_size=8),
)
def test_invisible_characters_never_change_what_is_judged(
    clean: str, insertions: list[tuple[int, str]]
) -> None:
    disguised = clean
    for position, char in sorted(insertions, reverse=True):
        disguised = disguised[: min(position, len(disguised))] + char + disguised[position:]
    assert normalize(disguised).text == clean


def test_every_format_character_is_removed() -> None:
    formats = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    assert normalize("1" + "1".join(formats) + "1").text == "1" * (len(formats) + 1)
