"""What the command line tells the agent to run next can be pasted into a shell as it is, and
``egide restore`` says what it could not restore (issue 12)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from egide.cli import main
from egide.cli.shell import command
from egide.config import load_settings
from egide.guard.vault import Vault, load_or_create_key
from egide.store import DraftStore, open_store


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("EGIDE_USER", "cmartin")
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    monkeypatch.delenv("EGIDE_VAULT_KEY", raising=False)


def _seed(title: str, content: str) -> str:
    with open_store(load_settings()) as store:
        return (
            DraftStore(store)
            .create("cmartin", "summarize", "local", "interne", "public", title, content)
            .id
        )


def _suggested(out: str) -> list[list[str]]:
    """Every suggested command (an indented line), as the shell would split it."""
    lines = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    return [shlex.split(line) for line in lines]


def test_the_commands_drafts_suggests_run_as_pasted(capsys: pytest.CaptureFixture[str]) -> None:
    older = _seed("Réunion du 3 mars", "Compte rendu.")
    newer = _seed("Réponse « Dupont » d'aujourd'hui", "Madame, …")
    assert main(["drafts", "--search", "Réponse « Dupont » d'aujourd'hui", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    show, validate, more = _suggested(out)
    assert show[0] == "egide" and validate[0] == "egide" and more[0] == "egide"
    assert more[1:] == ["drafts", "--search", "Réponse « Dupont » d'aujourd'hui", "--limit", "2"]

    assert main(show[1:]) == 0
    assert capsys.readouterr().out == "Madame, …\n"
    assert main(validate[1:]) == 0
    printed = capsys.readouterr().out
    assert f"Brouillon {newer[:8]} validé" in printed
    assert _suggested(printed) == [["egide", "drafts", "show", newer[:8]]]
    assert main(["drafts"]) == 0
    # The draft still to validate is now the older one.
    assert ["egide", "validate", older[:8]] in _suggested(capsys.readouterr().out)


def test_a_command_keeps_the_path_it_was_run_by(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as .venv/bin/egide (not on the PATH), the suggestion says so; spaces are quoted."""
    monkeypatch.setattr("sys.argv", ["/srv/mon égide/.venv/bin/egide", "drafts"])
    monkeypatch.setenv("PATH", "/nonexistent")
    line = command("drafts", "--search", "titre de séjour")
    assert shlex.split(line) == [
        "/srv/mon égide/.venv/bin/egide", "drafts", "--search", "titre de séjour",
    ]  # fmt: skip


def _vault(tmp_path: Path) -> tuple[Path, str, str]:
    vault = Vault()
    person = vault.placeholder_for("PERSON", "Jean-Marc DURAND")
    nir = vault.placeholder_for("NIR", "1 81 04 33 063 072 79")
    path = tmp_path / "courrier.coffre"
    path.write_bytes(vault.seal(load_or_create_key(load_settings().home)))
    return path, person, nir


def test_restore_warns_about_the_markers_it_does_not_know(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vault, person, nir = _vault(tmp_path)
    answer = tmp_path / "reponse.txt"
    answer.write_text(
        f"Monsieur {person}, votre numéro {nir} est enregistré. Voir aussi [PERSONNE_7], "
        "[ADRESSE_2] et [PERSONNE_7] ; l'ARTICLE_12 du règlement s'applique.\n"
        f"Lien : https://exemple.invalid/?q={person}\n",
        encoding="utf-8",
    )
    assert main(["restore", str(answer), "--vault", str(vault)]) == 0
    captured = capsys.readouterr()
    assert "Monsieur Jean-Marc DURAND, votre numéro 1 81 04 33 063 072 79" in captured.out
    assert "[PERSONNE_7]" in captured.out and "ARTICLE_12" in captured.out
    assert (
        "egide : attention : 2 marqueurs inconnus du coffre, laissés tels quels : "
        "[PERSONNE_7], [ADRESSE_2] ; ce texte vient-il d'un autre document" in captured.err
    )
    assert "ARTICLE_12" not in captured.err
    assert "1 marqueur placé dans une adresse web, laissé tel quel" in captured.err


def test_restore_of_a_text_it_fully_restores_says_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vault, person, _ = _vault(tmp_path)
    answer = tmp_path / "reponse.txt"
    answer.write_text(f"Bonjour {person}.\n", encoding="utf-8")
    assert main(["restore", str(answer), "--vault", str(vault)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "Bonjour Jean-Marc DURAND.\n" and captured.err == ""


def test_the_validation_a_summary_suggests_runs_as_pasted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    note = tmp_path / "note de service.txt"
    note.write_text("Le service sera fermé le lundi de Pentecôte.\n", encoding="utf-8")
    assert main(["summarize", str(note)]) == 0
    err = capsys.readouterr().err
    assert "«" not in err.splitlines()[-1]
    (suggested,) = _suggested(err)
    assert suggested[:2] == ["egide", "validate"]
    assert main(suggested[1:]) == 0
    assert "validé : il ne peut plus être modifié" in capsys.readouterr().out
