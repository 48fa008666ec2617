"""The guard's engine: input checks, overlap resolution, scale, and no network."""

from __future__ import annotations

import socket
import time

import pytest

from egide.guard import Finding, Guard, GuardInputError
from egide.guard.engine import MAX_TEXT_CHARS, resolve_overlaps

NIR = "1 84 12 75 108 123 47"  # fictitious, valid key


def f(start: int, end: int, label: str, score: float = 0.9) -> Finding:
    return Finding(start, end, label, score, "x" * (end - start), "test")


@pytest.fixture(scope="module")
def patterns_only() -> Guard:
    return Guard(exclude=["names"])


@pytest.mark.parametrize(
    ("findings", "kept"),
    [
        ([f(0, 10, "PERSON"), f(5, 15, "NIR")], [(5, 15, "NIR")]),
        ([f(0, 30, "ADDRESS", 0.8), f(10, 20, "PERSON", 0.95)], [(0, 30, "ADDRESS")]),
        ([f(0, 10, "DATE"), f(0, 10, "BIRTH_DATE", 0.5)], [(0, 10, "BIRTH_DATE")]),
        ([f(0, 5, "PERSON", 0.6), f(0, 9, "PERSON", 0.6)], [(0, 9, "PERSON")]),
        ([f(0, 5, "PERSON"), f(5, 9, "PERSON")], [(0, 5, "PERSON"), (5, 9, "PERSON")]),
        ([f(3, 3, "PERSON")], []),
    ],
)
def test_overlaps_resolve_to_the_most_specific_evidence(
    findings: list[Finding], kept: list[tuple[int, int, str]]
) -> None:
    assert [(x.start, x.end, x.label) for x in resolve_overlaps(findings)] == kept


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_empty_text_has_no_finding(patterns_only: Guard, text: str) -> None:
    assert patterns_only.detect(text) == []
    assert patterns_only.scan(text).level.key == "interne"


def test_not_a_string_is_a_french_error(patterns_only: Guard) -> None:
    with pytest.raises(GuardInputError, match="chaîne de caractères"):
        patterns_only.detect(b"bytes")  # type: ignore[arg-type]


def test_text_over_the_limit_is_refused_with_a_french_error(patterns_only: Guard) -> None:
    with pytest.raises(GuardInputError, match="découpez le document"):
        patterns_only.detect(" " * (MAX_TEXT_CHARS + 1))


def test_binary_looking_text_gives_a_correct_result() -> None:
    noise = "".join(chr(c) for c in range(0, 32)) + "\ufffd\ufeff\u0000" * 50
    text = noise + f" NIR : {NIR}. " + noise
    findings = Guard().detect(text)
    assert [(text[x.start : x.end], x.label) for x in findings] == [(NIR, "NIR")]


def test_ten_megabytes_are_scanned_with_exact_offsets(patterns_only: Guard) -> None:
    line = "Le dossier a été transmis au service instructeur le 3 mars 2025 pour avis.\n"
    filler = line * (10_000_000 // len(line))
    text = filler + f"Numéro de sécurité sociale : {NIR}\n" + filler[:1000]
    started = time.perf_counter()
    nirs = [x for x in patterns_only.detect(text) if x.label == "NIR"]
    assert time.perf_counter() - started < 120  # generous: linear-time patterns
    assert len(nirs) == 1 and text[nirs[0].start : nirs[0].end] == NIR


def test_the_guard_never_opens_a_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the guard tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    result = Guard().scan(
        "Mme Amélie ROUSSEAU, amelie.rousseau@example.org, "
        f"NIR {NIR}, demeurant 14 bis avenue de la Gloire, 31500 Toulouse."
    )
    assert {x.label for x in result.findings} >= {"PERSON", "EMAIL", "NIR", "ADDRESS"}
