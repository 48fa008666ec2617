"""The guard's commands, run in-process through the real entry point."""

import json
from pathlib import Path

import pytest

from egide.cli import main

LETTER = (
    "Préfecture de la Gironde\n"
    "Bordeaux, le 14 mars 2025\n\n"
    "Monsieur Jean-Marc DURAND\n"
    "12 rue des Lilas\n33000 Bordeaux\n\n"
    "Objet : votre demande de titre de séjour\n\n"
    "Monsieur,\n"
    "Vous êtes né le 3 avril 1981 ; votre numéro de sécurité sociale 1 81 04 33 063 072 79 "
    "figure au dossier. Vous avez indiqué être joignable au 05 56 90 60 60 ou par courriel à "
    "jm.durand@example.fr.\n\n"
    "Jean-Marc DURAND est invité à se présenter en préfecture.\n"
)


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    monkeypatch.delenv("EGIDE_VAULT_KEY", raising=False)


def test_detect_follows_the_jsonl_contract(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        {"id": "a", "text": LETTER, "extra": 1},
        {"id": 7, "text": ""},
    ]
    source.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["detect", str(source), "-o", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == ["a", 7]
    assert records[1]["spans"] == []
    spans = records[0]["spans"]
    found = {(LETTER[s["start"] : s["end"]], s["label"]) for s in spans}
    assert ("1 81 04 33 063 072 79", "NIR") in found
    assert ("jm.durand@example.fr", "EMAIL") in found
    assert ("05 56 90 60 60", "PHONE") in found
    assert ("Jean-Marc DURAND", "PERSON") in found
    for span in spans:
        assert set(span) == {"start", "end", "label", "score"}
        assert span["label"].isupper()
        assert 0 < span["score"] <= 1


def test_detect_keeps_going_past_a_broken_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"id": 1, "text": "Mme Claire Fontaine"}\nnot json\n{"id": 3, "text": "rien"}\n'
    )
    out = tmp_path / "out.jsonl"
    assert main(["detect", str(source), "-o", str(out)]) == 1
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in records] == [1, None, 3]
    assert "ligne 2" in capsys.readouterr().err


def test_detect_missing_file_is_a_french_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["detect", str(tmp_path / "absent.jsonl")]) == 1
    assert "fichier introuvable" in capsys.readouterr().err


def test_scan_reports_level_reasons_and_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "courrier.txt"
    path.write_text(LETTER, encoding="utf-8")
    assert main(["scan", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["level"] == "sensible"  # a NIR is sensitive data
    nir = next(f for f in report["findings"] if f["label"] == "NIR")
    assert nir["line"] == 11
    assert any(r["category"] == "nir" for r in report["reasons"])
    assert main(["scan", str(path)]) == 0
    readable = capsys.readouterr().out
    assert "Niveau de sensibilité" in readable
    assert "numéro de sécurité sociale" in readable


def test_anonymize_then_restore_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "courrier.txt"
    path.write_text(LETTER, encoding="utf-8")
    pseudo = tmp_path / "pseudo.txt"
    assert main(["anonymize", str(path), "-o", str(pseudo)]) == 0
    text = pseudo.read_text(encoding="utf-8")
    vault = tmp_path / "pseudo.txt.coffre"
    assert vault.exists() and (vault.stat().st_mode & 0o777) == 0o600
    for value in ("DURAND", "1 81 04 33 063 072 79", "jm.durand@example.fr", "05 56 90 60 60"):
        assert value not in text
        assert value.encode() not in vault.read_bytes()
    assert "[PERSONNE_1]" in text and "[NIR_1]" in text
    restored = tmp_path / "restored.txt"
    assert main(["restore", str(pseudo), "--vault", str(vault), "-o", str(restored)]) == 0
    # The document as read: line ends unified, trailing blank lines dropped.
    assert restored.read_text(encoding="utf-8") == LETTER.rstrip("\n")


def test_restore_with_a_tampered_vault_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "courrier.txt"
    path.write_text(LETTER, encoding="utf-8")
    pseudo = tmp_path / "pseudo.txt"
    assert main(["anonymize", str(path), "-o", str(pseudo)]) == 0
    vault = tmp_path / "pseudo.txt.coffre"
    blob = bytearray(vault.read_bytes())
    blob[-5] ^= 0xFF
    vault.write_bytes(bytes(blob))
    out = tmp_path / "restored.txt"
    assert main(["restore", str(pseudo), "--vault", str(vault), "-o", str(out)]) == 1
    assert not out.exists()
    assert "coffre" in capsys.readouterr().err


def test_scan_of_a_corrupt_pdf_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.7\n garbage")
    assert main(["scan", str(path)]) == 1
    err = capsys.readouterr().err
    assert "egide : erreur :" in err and "scan.pdf" in err
