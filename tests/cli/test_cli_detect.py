"""``egide detect`` on many documents: worker processes, input order, streaming, atomic output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from egide.cli import main
from egide.cli.detect import _BATCH_CHARS, _BATCH_LINES, _batches, default_jobs

TEXTS = [
    "Madame Claire DURAND, née le 3 mars 1975 à Limoges, tél. 06 12 34 56 78.",
    "Le dossier de M. Jean-Pierre MARTIN (1 81 04 33 063 072 79) est transmis à Saint-Denis.",
    "Aucune donnée personnelle dans cette phrase.",
    "Courriel : c.fontaine@exemple.fr ; IBAN FR76 3000 6000 0112 3456 7890 189.",
]


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)


def _input(tmp_path: Path, count: int) -> Path:
    lines = []
    for i in range(count):
        if i % 50 == 17:
            lines.append("pas du JSON")  # an unreadable line keeps its rank
        elif i % 50 == 31:
            lines.append("")  # a blank line is skipped
        else:
            lines.append(json.dumps({"id": i, "text": TEXTS[i % len(TEXTS)]}, ensure_ascii=False))
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_workers_give_the_same_lines_in_the_same_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _input(tmp_path, 3 * _BATCH_LINES + 5)  # several batches: the workers run
    alone, shared = tmp_path / "alone.jsonl", tmp_path / "shared.jsonl"
    assert main(["detect", str(source), "-o", str(alone), "--jobs", "1"]) == 1
    first_err = capsys.readouterr().err
    assert main(["detect", str(source), "-o", str(shared), "--jobs", "2"]) == 1
    assert capsys.readouterr().err == first_err.replace(str(alone), str(shared))
    assert shared.read_text(encoding="utf-8") == alone.read_text(encoding="utf-8")
    records = [json.loads(line) for line in shared.read_text(encoding="utf-8").splitlines()]
    expected_ids = [
        None if i % 50 == 17 else i for i in range(3 * _BATCH_LINES + 5) if i % 50 != 31
    ]
    assert [r["id"] for r in records] == expected_ids
    assert "ligne 18 : objet JSON" in first_err
    persons = {
        TEXTS[r["id"] % len(TEXTS)][s["start"] : s["end"]]
        for r in records
        if r["id"] is not None
        for s in r["spans"]
        if s["label"] == "PERSON"
    }
    assert {"Claire DURAND", "Jean-Pierre MARTIN"} <= persons


def test_standard_input_and_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    source = _input(tmp_path, 5)
    monkeypatch.setattr("sys.stdin", io.StringIO(source.read_text(encoding="utf-8")))
    assert main(["detect", "-", "--jobs", "2"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in records] == [0, 1, 2, 3, 4]


def test_batches_stay_small_whatever_the_input() -> None:
    long_line = "x" * (_BATCH_CHARS // 3)
    lines = ((n, long_line) for n in range(1, 100))
    for batch in _batches(lines):
        assert len(batch) <= _BATCH_LINES
        assert sum(len(line) for _, line in batch) < _BATCH_CHARS + len(long_line)


def test_a_failed_run_leaves_the_previous_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("résultat précédent\n", encoding="utf-8")
    assert main(["detect", str(tmp_path / "absent.jsonl"), "-o", str(out)]) == 1
    assert "fichier introuvable" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "résultat précédent\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]  # no temporary file left


def test_jobs_must_be_positive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["detect", str(_input(tmp_path, 2)), "--jobs", "0"]) == 2
    assert "--jobs" in capsys.readouterr().err


def test_default_jobs_is_the_usable_cores() -> None:
    import os

    assert default_jobs() == len(os.sched_getaffinity(0))
