"""summarize, ask, validate and audit verify, end to end on the embedded defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from egide.cli import main
from egide.documents import write_docx
from tests.support.fake_openai import Script, fake_openai_server

REPORT = [
    "Rapport sur l'accueil des usagers en préfecture.",
    "Le service a reçu 12 000 usagers en 2024, soit une hausse de 8 % par rapport à 2023. "
    "Les délais d'attente au guichet atteignent en moyenne quarante minutes.",
    "Il ressort de l'analyse que les effectifs affectés à l'accueil restent insuffisants. "
    "En conséquence, il est proposé de renforcer l'équipe de deux agents et d'étendre la prise "
    "de rendez-vous en ligne.",
    "Mme Claire FONTAINE, cheffe du bureau, a conduit l'étude.",
]


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("EGIDE_USER", "agent.test")
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)


def _docx(tmp_path: Path) -> Path:
    path = tmp_path / "rapport.docx"
    write_docx(path, title="Rapport", body=REPORT)
    return path


def test_summarize_validate_and_verify_the_audit_trail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["summarize", str(_docx(tmp_path)), "--length", "page"]) == 0
    out, err = capsys.readouterr()
    assert "il est proposé de renforcer l'équipe" in out
    assert "(§ " in out  # paragraphs of the source are cited
    draft_id = err.split("Brouillon ")[1].split(" ")[0]
    assert "egide validate" in err
    assert main(["validate", draft_id, "--by", "Jeanne Martin"]) == 0
    assert "validé par Jeanne Martin" in capsys.readouterr().out
    assert main(["audit", "verify"]) == 0
    assert "intègre" in capsys.readouterr().out


def test_ask_cites_the_passage_that_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    question = "Combien d'usagers le service a-t-il reçus ?"
    assert main(["ask", question, "--file", str(_docx(tmp_path))]) == 0
    assert "12 000 usagers" in capsys.readouterr().out


def test_refusal_exits_with_status_3_and_a_french_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with fake_openai_server(Script(answer="x")) as provider:
        config = tmp_path / "egide.toml"
        config.write_text(
            f'[[models]]\nname = "public-gpt"\ntier = "externe"\nbackend = "openai"\n'
            f'base_url = "{provider.base_url}"\n',
            encoding="utf-8",
        )
        status = main(["--config", str(config), "summarize", str(_docx(tmp_path))])
        assert provider.recorder.bodies == []
    assert status == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert "refus de la charte" in err and "nom de personne" in err
    assert "FONTAINE" not in err


def test_unknown_model_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(_docx(tmp_path)), "--model", "chatgpt"]) == 3
    assert "local" in capsys.readouterr().err


def test_scanned_pdf_gets_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.documents.pdf_builder import build_pdf

    path = tmp_path / "scan.pdf"
    path.write_bytes(build_pdf([None, None]))
    assert main(["summarize", str(path)]) == 1
    assert "numérisation" in capsys.readouterr().err


def test_audit_verify_detects_an_edit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(_docx(tmp_path))]) == 0
    log = tmp_path / "home" / "audit" / "audit.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["level"] = "public"
    lines[0] = json.dumps(first, ensure_ascii=False)
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["audit", "verify"]) == 1
    assert "rompue" in capsys.readouterr().out
